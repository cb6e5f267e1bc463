"""Slow saves answer at once: the act commits its data and the paper's edition, and the
signed PDF is produced afterwards in the background (the embedded thread pool here), shown
as being produced (生成中) on the project page until it is ready."""

import io
import threading

import pytest
from pypdf import PdfReader

from documents import production, signing
from documents.models import Batch, Document, DocumentKind, DocumentVersion
from processes import demo
from processes.models import ImplementationMode

from ..flowdriver import Driver


@pytest.fixture(autouse=True)
def web_process(monkeypatch, settings):
    """As in the web process (qiyue/wsgi.py): papers go to the background threads."""
    monkeypatch.setattr(production, "_serving", True)


@pytest.fixture
def held_back(monkeypatch):
    """PDF production in the background waits until the test lets it go (so "before" is never
    a race); the papers produced inline in the test's own thread, while the stage acts set the
    project up, go through at once."""
    gate = threading.Event()
    real = production.build_pdf
    test_thread = threading.current_thread()

    def build_pdf(edition, signatures):
        if threading.current_thread() is not test_thread:
            assert gate.wait(60), "the test never released the paper"
        return real(edition, signatures)

    monkeypatch.setattr(production, "build_pdf", build_pdf)
    yield gate
    gate.set()
    production.wait_for_papers(120)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # threads see commits
def test_leading_group_approval_answers_before_its_signed_reply_exists(cast, settings, held_back):
    driver = Driver(cast, "A1")
    project = driver.start(name="乐丰村竹荪项目")
    demo.advance_to(project, "leading_group_approval")
    settings.QIYUE_PAPERS_INLINE = False  # as the site runs: papers in the background

    driver.act(project, "leading_group_approval")  # the POST has answered (302)

    assert driver.open_task(project).flow_task.name == "funds_issue"  # the approval stands
    document = Document.objects.get(project=project, kind=DocumentKind.APPROVAL_REPLY)
    version = document.latest
    assert version.status == DocumentVersion.Status.PENDING and not version.pdf
    page = cast.client(cast.user("county_leading_group")).get(f"/projects/{project.pk}/")
    assert "生成中" in page.content.decode()

    held_back.set()
    production.wait_for_papers(120)

    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.READY, version.error
    with version.pdf.open("rb") as f:
        pdf = f.read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "乐丰村竹荪项目" in text
    assert signing.verify_pdf(pdf).signer_names == [
        cast.user("county_leading_group").get_full_name()
    ]
    assert document.versions.count() == 1  # the pending version became the paper
    page = cast.client(cast.user("county_leading_group")).get(f"/projects/{project.pk}/")
    assert f"/documents/{version.pk}/" in page.content.decode() or "v1" in page.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # threads see commits
def test_benefit_linkage_agreements_answer_at_once_and_show_the_batchs_progress(
    cast, settings, monkeypatch
):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    demo.advance_to(project, "benefit_linkage_agreements")
    settings.QIYUE_PAPERS_INLINE = False
    gate = threading.Event()
    real = production.produce_batch

    def produce_batch(*args, **kwargs):
        assert gate.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(production, "produce_batch", produce_batch)
    try:
        driver.act(project, "benefit_linkage_agreements")
        batch = Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)
        assert batch.finished_at is None and batch.done == 0 and batch.total == 3
        page = cast.client(cast.user("township_lead", "A")).get(f"/projects/{project.pk}/")
        assert "0/3" in page.content.decode()  # the batch's progress on the project page
    finally:
        gate.set()
        production.wait_for_papers(300)
    batch.refresh_from_db()
    assert batch.finished_at is not None and batch.done == 3 and batch.combined
    entrustment = Document.objects.get(project=project, kind=DocumentKind.ENTRUSTMENT)
    assert entrustment.latest.status == DocumentVersion.Status.READY
    assert entrustment.latest.signature_count == 2  # township, then the operator
