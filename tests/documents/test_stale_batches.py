"""Papers left pending by a producer that stopped (a killed worker, a restarted web process)
are taken up again: by ``manage.py produce_documents`` and by the deadline sweep, once they
have been pending QIYUE_STALE_PAPER_MINUTES. A batch resumes where it stopped and no paper
is ever stored twice.

Here the after-commit jobs never run (the test's transaction never commits), which is just
what a producer that died before starting looks like.
"""

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.utils import timezone

from documents import production, signing
from documents.models import Batch, Document, DocumentKind, DocumentVersion, Signature
from processes import demo
from processes.models import ImplementationMode
from workflow.supervision import sweep

from ..flowdriver import Driver

STALE = datetime.timedelta(minutes=11)  # past the default QIYUE_STALE_PAPER_MINUTES of 10


@pytest.fixture
def lost_batch(cast):
    """The operator signed the benefit-linkage agreements; the job producing them was lost."""
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    demo.advance_to(project, "benefit_linkage_agreements")
    driver.step(project, "benefit_linkage_agreements")
    return project, Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)


def backdate(batch):
    Batch.objects.filter(pk=batch.pk).update(touched_at=timezone.now() - STALE)


def assert_one_ready_version_each(batch):
    for document in Document.objects.filter(editions__batches=batch):
        (version,) = document.versions.all()
        assert version.status == DocumentVersion.Status.READY, version.error
        with version.pdf.open("rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == version.sha256


def test_a_lost_batch_is_finished_by_produce_documents_once_it_is_stale(cast, lost_batch, capsys):
    project, batch = lost_batch
    lead = cast.client(cast.user("township_lead", "A"))
    page = lead.get(f"/projects/{project.pk}/").content.decode()
    assert "0/3" in page  # the batch's progress, and each paper pending since the act
    assert set(
        DocumentVersion.objects.filter(edition__batches=batch).values_list("status", flat=True)
    ) == {DocumentVersion.Status.PENDING}

    call_command("produce_documents")
    assert "0 batch(es) finished" in capsys.readouterr().out  # fresh: its producer may be at it
    backdate(batch)
    call_command("produce_documents")

    assert "1 batch(es) finished" in capsys.readouterr().out
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at and batch.combined
    assert_one_ready_version_each(batch)
    page = lead.get(f"/projects/{project.pk}/").content.decode()
    assert f"/documents/batches/{batch.pk}/" in page  # the combined file for printing
    assert "0/3" not in page


def test_a_batch_stopped_half_way_resumes_without_producing_a_paper_twice(lost_batch):
    _, batch = lost_batch
    first = batch.editions.order_by("pk").first()
    production.produce_edition(first.pk)  # the worker got this far, then died
    before = first.versions.get().sha256

    production.produce_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at
    assert first.versions.get().sha256 == before  # the paper made before is kept, not redone
    assert_one_ready_version_each(batch)
    combined = batch.combined_sha256
    assert production.produce_batch(batch.pk).combined_sha256 == combined  # delivered again
    assert DocumentVersion.objects.filter(edition__batches=batch).count() == 3


def test_the_deadline_sweep_takes_up_stale_batches_and_stale_papers(
    cast, lost_batch, django_capture_on_commit_callbacks
):
    project, batch = lost_batch
    entrustment = Document.objects.get(project=project, kind=DocumentKind.ENTRUSTMENT)
    assert entrustment.latest.status == DocumentVersion.Status.PENDING
    Signature.objects.filter(edition__document=entrustment).update(signed_at=timezone.now() - STALE)
    backdate(batch)

    with django_capture_on_commit_callbacks(execute=True):  # the batch goes to the background
        result = sweep()

    assert (result.stale_batches, result.stale_papers) == (1, 1)
    batch.refresh_from_db()
    assert batch.finished_at and batch.done == 3
    assert_one_ready_version_each(batch)
    version = entrustment.latest  # with both signatures: the township's and the operator's
    assert version.status == DocumentVersion.Status.READY and version.signature_count == 2
    again = sweep()
    assert (again.stale_batches, again.stale_papers) == (0, 0)  # nothing twice


def test_a_paper_another_producer_stored_first_is_not_stored_again(lost_batch):
    _, batch = lost_batch
    edition = batch.editions.order_by("pk").first()
    late = edition.versions.get()  # what a second, slower run of the job holds
    production.produce_edition(edition.pk)
    stored = edition.versions.get()

    assert (
        production.store(late, production.build_pdf(edition, list(edition.signatures.all())))
        is False
    )

    (version,) = edition.versions.all()
    assert version.sha256 == stored.sha256 and version.pdf.name == stored.pdf.name
    assert version.pdf.storage.exists(version.pdf.name)
    assert late.sha256 == stored.sha256  # the late run sees the paper that stands


def test_a_paper_signed_again_before_it_was_produced_keeps_both_versions(lost_batch):
    """The township signed the entrustment agreement, then the operator, before either paper
    was produced: each version is produced as it stood, none is left 生成中 for good."""
    project, _ = lost_batch
    entrustment = Document.objects.get(project=project, kind=DocumentKind.ENTRUSTMENT)
    waiting = list(entrustment.versions.order_by("number").values_list("signature_count", "status"))
    assert waiting == [(1, "pending"), (2, "pending")]

    production.produce_edition(entrustment.latest.edition_id)

    versions = list(entrustment.versions.order_by("number"))
    assert [(v.signature_count, v.status) for v in versions] == [(1, "ready"), (2, "ready")]
    for version in versions:
        with version.pdf.open("rb") as f:
            pdf = f.read()
        assert hashlib.sha256(pdf).hexdigest() == version.sha256
        assert len(signing.verify_pdf(pdf).signatures) == version.signature_count
    assert production.retry_failed() == 0  # nothing left to do
