"""Issuing, signing and producing documents.

In the act's transaction: ``issue()`` freezes the data into an edition and ``sign()`` records
a signature; ``produce_later()`` adds the version to be produced, shown as being produced
(生成中) at once. After commit, in the background: ``produce_edition()`` renders the
edition, applies every recorded signature in order (PAdES, one incremental update each)
and stores the immutable version. A failure is stored on the version and produced again by
``retry_failed()`` (``manage.py produce_documents``); the act that signed is never undone.
Production is idempotent, so a job may be run twice (a broker delivering it again after a
worker was killed): a paper already produced is skipped, and storing is a compare-and-set
on the pending version, so no paper ever gets two versions for one set of signatures.
Papers and batches left pending by a producer that stopped are taken up again by
``pick_up_stale()`` (the deadline sweep, Celery beat) and ``manage.py produce_documents``.

"In the background" is Celery when a broker is configured, otherwise a small pool of
threads in the web process (qiyue/wsgi.py turns it on), started after the act commits,
so the official's save answers at once instead of waiting seconds for WeasyPrint and the
signatures. Elsewhere (commands such as ``seed_demo``, the test client) and with
``QIYUE_PAPERS_INLINE`` the papers are produced right after commit, in the same thread.
"""

import datetime
import hashlib
import io
import logging
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ground import jobs
from ground.files import sha256_of

from . import pki, signing
from .html import render_html
from .kinds import KINDS, Party
from .models import Batch, Document, DocumentVersion, Edition, Signature, SignedRevision

log = logging.getLogger(__name__)


# --- In the act's transaction -----------------------------------------------------------


def issue(kind, project, snapshot: dict, household=None, *, number: str) -> Edition:
    """Freeze ``snapshot`` as the document's current edition; unchanged data reuses the edition.
    ``number`` (the caller's numbering) is given to the document when it is first issued."""
    meta = KINDS[kind]
    document, _ = Document.objects.select_for_update().get_or_create(
        kind=kind,
        project=project,
        household=household,
        defaults={
            "number": number,
            "title": meta.title.format(**snapshot),
        },
    )
    current = document.edition
    if current is not None and current.snapshot == snapshot and current.template == meta.template:
        return current
    return Edition.objects.create(
        document=document,
        number=(current.number + 1 if current else 1),
        template=meta.template,
        snapshot=snapshot,
    )


def sign(
    edition: Edition, actor, party: Party, role: str, *, audit_entry=None, reason=""
) -> Signature:
    """Record ``actor``'s signature for ``party`` on the edition: the workflow act signs."""
    order = (edition.signatures.aggregate(m=Max("order"))["m"] or 0) + 1
    return Signature.objects.create(
        edition=edition,
        order=order,
        signer=actor,
        signer_name=actor.get_full_name(),
        organisation=party.name,
        organisation_code=party.code,
        role=role,
        signed_at=timezone.now(),
        audit_entry=audit_entry,
    )


def produce_later(edition: Edition) -> None:
    """Produce the edition, with every signature recorded so far, in the background; the
    version exists (pending) from now, so the project page says it is being produced."""
    pending_version(edition, edition.signatures.count())
    in_background("documents.production.produce_edition", edition.pk)


def pending_version(edition: Edition, signature_count: int) -> DocumentVersion:
    """The version that will hold the edition with ``signature_count`` signatures: the
    pending one already waiting, else a new one."""
    waiting = edition.versions.filter(
        signature_count=signature_count, status=DocumentVersion.Status.PENDING
    ).first()
    return waiting or next_version(edition, signature_count)


# --- Background production ---------------------------------------------------------------

_pool = None
_pool_lock = threading.Lock()
_inflight = []
_serving = False  # set by the web process (qiyue/wsgi.py): papers go to its thread pool


def produce_papers_in_background() -> None:
    """Called once by the web process: from now on papers are produced by its threads."""
    global _serving
    _serving = True


def in_background(path: str, *args) -> None:
    """Run the job ``path(*args)`` after the current transaction commits, off the request:
    Celery with a broker, else the web process's paper threads; inline outside the web
    process or with QIYUE_PAPERS_INLINE."""
    if settings.CELERY_BROKER_URL or settings.QIYUE_PAPERS_INLINE or not _serving:
        jobs.enqueue(path, *args)
        return
    transaction.on_commit(lambda: _submit(path, args))


def _submit(path, args) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.QIYUE_PAPER_THREADS, thread_name_prefix="qiyue-papers"
            )
        future = _pool.submit(_run, path, args)
        _inflight[:] = [f for f in _inflight if not f.done()] + [future]


# Jobs safe to run again from the start: producing an edition reuses its pending version.
RETRIED = {"documents.production.produce_edition"}


def _run(path, args) -> None:
    import time

    from django.db import OperationalError, close_old_connections, connection

    attempts = 3 if path in RETRIED else 1
    try:
        for attempt in range(1, attempts + 1):
            try:
                jobs.run_job(path, *args)
                return
            except OperationalError:  # SQLite busy with the site's own writes: wait, again
                if attempt == attempts:
                    raise
                time.sleep(2 * attempt)
    except Exception:  # the version stays pending or failed; retry_failed() produces it
        log.exception("background job %s%r failed", path, args)
    finally:
        close_old_connections()
        connection.close()  # a worker thread's connection is its own; never leave it open


def wait_for_papers(timeout: float | None = None) -> None:
    """Block until the papers handed to the pool so far are produced (tests, commands)."""
    from concurrent.futures import wait

    with _pool_lock:
        futures = list(_inflight)
    wait(futures, timeout=timeout)


# --- After commit -----------------------------------------------------------------------


def ensure_keys(edition: Edition, signatures: list[Signature]) -> None:
    """The county CA and each signing organisation's key, created on first use."""
    county = edition.snapshot.get("project", {}).get("county_name") or "县"
    pki.create_county_ca(county)
    for signature in signatures:
        if not pki.has_org_key(signature.organisation_code):
            pki.issue_org_key(signature.organisation, signature.organisation_code)


def apply_signatures(pdf: bytes, edition: Edition, signatures: list[Signature]) -> bytes:
    """Each recorded signature in order, one PAdES incremental update each."""
    if signatures:
        ensure_keys(edition, signatures)
    for signature in signatures:
        pdf = signing.sign_pdf(
            pdf,
            org_code=signature.organisation_code,
            field_name=f"sig-{signature.order}-{signature.pk}",
            signer_name=signature.signer_name,
            role=signature.role,
            reason=f"{signature.role}签署《{edition.document.title}》",
            location=edition.snapshot.get("project", {}).get("village", ""),
            signed_at=signature.signed_at,
        )
    return pdf


def build_pdf(edition: Edition, signatures: list[Signature]) -> bytes:
    from . import rendering  # WeasyPrint is heavy to import; only producers need it

    return apply_signatures(
        rendering.render_pdf(render_html(edition, signatures)), edition, signatures
    )


def next_version(edition: Edition, signature_count: int) -> DocumentVersion:
    """A new version number for the edition's document, taken under the document's row lock."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=edition.document_id)
        number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        return DocumentVersion.objects.create(
            document=document, edition=edition, number=number, signature_count=signature_count
        )


def produce_edition(edition_id: int) -> DocumentVersion | None:
    """Produce the edition with all its signatures, unless that exact version exists."""
    edition = Edition.objects.select_related("document").get(pk=edition_id)
    signatures = list(edition.signatures.order_by("order"))
    done = edition.versions.filter(
        signature_count=len(signatures), status=DocumentVersion.Status.READY
    )
    # A signature that came before the paper was produced leaves the version of the paper as
    # it stood before that signature waiting too: produce it as it was, so the history is whole.
    earlier = edition.versions.filter(
        status=DocumentVersion.Status.PENDING, signature_count__lt=len(signatures)
    ).order_by("number")
    for waiting in earlier:
        _produce(waiting, edition, signatures[: waiting.signature_count])
    if done.exists():
        return done.first()
    version = pending_version(edition, len(signatures))
    return version if _produce(version, edition, signatures) else None


def _produce(version: DocumentVersion, edition: Edition, signatures: list[Signature]) -> bool:
    try:
        pdf = build_pdf(edition, signatures)
    except Exception as error:  # stored, shown, and produced again: never a silent loss
        log.exception("producing %s failed", edition)
        DocumentVersion.objects.filter(pk=version.pk).update(
            status=DocumentVersion.Status.FAILED, error=f"{type(error).__name__}: {error}"
        )
        return False
    store(version, pdf)  # False: a second run of the job stored it first; that one stands
    return True


def page_count(pdf: bytes) -> int:
    """The pages of a PDF we produced (qpdf: 0.5 ms where pypdf took 8)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def store(version: DocumentVersion, pdf: bytes) -> bool:
    """Store the PDF as the pending ``version``, unless another producer stored it first
    (then the file is removed again and False returned): one paper, one version."""
    digest = hashlib.sha256(pdf).hexdigest()
    version.pdf.save(
        f"{version.document.number}-v{version.number}-{digest[:12]}.pdf",
        ContentFile(pdf),
        save=False,
    )
    produced = {
        "pdf": version.pdf.name,
        "sha256": digest,
        "size": len(pdf),
        "pages": page_count(pdf),
        "status": DocumentVersion.Status.READY,
        "produced_at": timezone.now(),
        "error": "",
    }
    revisions = [
        SignedRevision(version_id=version.pk, order=order, sha256=revision)
        for order, revision in enumerate(signing.revision_digests(pdf), 1)
    ]
    pending = DocumentVersion.objects.filter(pk=version.pk, status=DocumentVersion.Status.PENDING)
    with transaction.atomic():  # a version is ready only with what recognises its copies
        stored = pending.update(**produced)
        if stored:
            SignedRevision.objects.filter(version_id=version.pk).delete()
            SignedRevision.objects.bulk_create(revisions)
    if not stored:
        version.pdf.storage.delete(produced["pdf"])
        version.refresh_from_db()
        return False
    for name, value in produced.items():
        setattr(version, name, value)
    return True


def stale_since() -> datetime.datetime:
    """Pending work older than this was left by a producer that stopped."""
    return timezone.now() - datetime.timedelta(minutes=settings.QIYUE_STALE_PAPER_MINUTES)


def retry_failed() -> int:
    """Produce again every edition whose latest attempt failed, or is still pending long
    after its act (the process that was to produce it stopped). Papers of a batch still
    being produced are the batch's (:func:`resume_stale_batches`)."""
    in_open_batch = Batch.editions.through.objects.filter(
        edition_id=OuterRef("edition_id"), batch__finished_at=None
    )
    failed = (
        DocumentVersion.objects.annotate(signed=Max("edition__signatures__signed_at"))
        .filter(
            Q(status=DocumentVersion.Status.FAILED)
            | Q(status=DocumentVersion.Status.PENDING, signed__lt=stale_since())
        )
        .filter(~Exists(in_open_batch))
        .values_list("edition_id", flat=True)
    )
    count = 0
    for edition_id in sorted(set(failed)):
        versions = DocumentVersion.objects.filter(edition_id=edition_id)
        latest = versions.order_by("-number").first()
        waiting = versions.filter(status=DocumentVersion.Status.PENDING).count()
        if latest.status != DocumentVersion.Status.READY:
            count += produce_edition(edition_id) is not None
        elif waiting:  # an earlier version left waiting behind a later signature
            produce_edition(edition_id)
            count += versions.filter(status=DocumentVersion.Status.PENDING).count() < waiting
    return count


def pick_up_stale() -> dict:
    """What the deadline sweep and Celery beat run: stale batches go back to the background,
    failed and stale single papers are produced now."""
    return {"batches": resume_stale_batches(), "papers": retry_failed()}


# --- Batches of household agreements ----------------------------------------------------


def start_batch(project, kind, editions: list[Edition]) -> Batch:
    """The household agreements as one batch, produced in the background; the project page
    shows its progress (done / total) until it finishes, and each paper as being produced."""
    batch = Batch.objects.create(
        project=project, kind=kind, total=len(editions), touched_at=timezone.now()
    )
    batch.editions.set(editions)
    for edition in editions:
        pending_version(edition, edition.signatures.count())
    in_background("documents.production.produce_batch", batch.pk)
    return batch


def stale_batches():
    """Unfinished batches with no progress for QIYUE_STALE_PAPER_MINUTES."""
    since = stale_since()
    return Batch.objects.filter(finished_at=None).filter(
        Q(touched_at__lt=since) | Q(touched_at=None, created_at__lt=since)
    )


def resume_stale_batches(inline: bool = False) -> int:
    """Produce every stale batch again from where it stopped, in the background (``inline``:
    here and now). Each is claimed first, so a sweep running meanwhile leaves it alone."""
    count = 0
    for batch_id in stale_batches().values_list("pk", flat=True):
        if not stale_batches().filter(pk=batch_id).update(touched_at=timezone.now()):
            continue  # another pick-up claimed it between the two queries
        log.warning("batch %s was left unfinished; producing it again", batch_id)
        if inline:
            produce_batch(batch_id)
        else:
            in_background("documents.production.produce_batch", batch_id)
        count += 1
    return count


def batch_label(batch: Batch, count: int | None = None) -> str:
    """What a combined print file says it is: project, kind, batch number, date, households."""
    return _("%(project)s · %(kind)s · batch no. %(number)s of %(date)s · %(count)s households") % {
        "project": str(batch.project),
        "kind": batch.get_kind_display(),
        "number": batch.pk,
        "date": timezone.localdate(batch.created_at).isoformat(),
        "count": batch.done if count is None else count,
    }


def produce_batch(batch_id: int, edition_ids: list[int] | None = None, workers: int = 2) -> Batch:
    """Render the batch's household agreements in a worker pool, sign each, store each, then
    one combined file for printing; progress is written to the batch after every paper.

    Safe to run again, or twice at once: papers already produced are skipped, each paper is
    stored once (:func:`store`), and a finished batch is left as it is."""
    from . import rendering

    batch = Batch.objects.get(pk=batch_id)
    if batch.finished_at is not None:
        return batch  # the job was delivered again after it finished
    editions = list(batch.editions.select_related("document").order_by("pk"))
    if not editions and edition_ids:  # a job queued before batches named their editions
        editions = list(
            Edition.objects.filter(pk__in=edition_ids).select_related("document").order_by("pk")
        )
    signatures = {e.pk: list(e.signatures.order_by("order")) for e in editions}
    ready = _ready_versions(editions, signatures)
    todo = [e for e in editions if e.pk not in ready]
    done, failed = len(ready), 0
    if todo:
        htmls = (render_html(e, signatures[e.pk]) for e in todo)
        pdfs = rendering.render_pdf_batch(htmls, workers=min(workers, len(todo)))
        for edition, pdf in zip(todo, pdfs, strict=True):
            version = pending_version(edition, len(signatures[edition.pk]))
            try:
                store(version, apply_signatures(pdf, edition, signatures[edition.pk]))
                done += 1
            except Exception as error:  # stored on the paper; produce_documents tries again
                log.exception("batch %s: %s failed", batch.pk, edition)
                DocumentVersion.objects.filter(
                    pk=version.pk, status=DocumentVersion.Status.PENDING
                ).update(
                    status=DocumentVersion.Status.FAILED, error=f"{type(error).__name__}: {error}"
                )
                failed += 1
            Batch.objects.filter(pk=batch.pk, finished_at=None).update(
                done=done, failed=failed, touched_at=timezone.now()
            )
    return finish_batch(batch.pk, editions, signatures)


def _ready_versions(editions, signatures) -> dict:
    """The produced version of each edition with all its signatures, by edition id."""
    versions = DocumentVersion.objects.filter(
        edition__in=editions, status=DocumentVersion.Status.READY
    )
    return {v.edition_id: v for v in versions if v.signature_count == len(signatures[v.edition_id])}


def finish_batch(batch_id: int, editions, signatures) -> Batch:
    """Count the batch's papers and write its combined print file, once: the papers merged
    without their (then broken) signatures, signed whole by the organisation that signed
    them (:mod:`documents.printcopy`)."""
    from . import printcopy

    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch_id)
        if batch.finished_at is not None:
            return batch  # another run of the job finished it first
        ready = _ready_versions(editions, signatures)
        papers = [ready[e.pk] for e in editions if e.pk in ready]
        numbers = [e.document.number for e in editions if e.pk in ready]
        batch.done, batch.failed = len(ready), len(editions) - len(ready)
        batch.finished_at = batch.touched_at = timezone.now()
        with tempfile.TemporaryDirectory(prefix="qiyue-batch-") as scratch:
            path = Path(scratch) / "combined.pdf"
            printcopy.combine(
                (_read(version.pdf) for version in papers),  # one original in memory at a time
                path,
                title=batch_label(batch),
                numbers=numbers,
                signer=print_copy_signer(editions, signatures, ready),
                signed_at=batch.finished_at,
            )
            digest = sha256_of(path)
            with open(path, "rb") as data:
                batch.combined.save(f"batch-{batch.pk}-{digest[:12]}.pdf", File(data), save=False)
        batch.combined_sha256 = digest
        batch.save()
    return batch


def _read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def print_copy_signer(editions, signatures, ready) -> Signature | None:
    """Who signs a batch's print copy: the first signatory of its papers (the organisation
    that signed each of them, e.g. the operator of every benefit-linkage agreement)."""
    for edition in editions:
        if edition.pk in ready and signatures[edition.pk]:
            return signatures[edition.pk][0]
    return None
