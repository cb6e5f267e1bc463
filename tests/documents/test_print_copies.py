"""Every PDF the papers' production makes, read back as a stranger's reader would (pyHanko,
the county root as the only trust anchor): no signature that is not intact, and a combined
print file that is itself one valid signed document."""

import io

import pikepdf
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pypdf import PdfReader, PdfWriter

from documents import pki, printcopy, signing
from documents.models import Batch, DocumentKind, DocumentVersion
from documents.verification import AUTHENTIC, TAMPERED, check
from processes.models import ImplementationMode

from ..flowdriver import Driver


@pytest.fixture
def whole_project(cast, django_capture_on_commit_callbacks):
    """An equity project walked through every stage that leaves papers (to the yearly
    reports), each step's papers produced after its commit."""
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    for _ in range(80):
        task = driver.open_task(project)
        if task is None or task.flow_task.name == "maintenance_report":
            break
        with django_capture_on_commit_callbacks(execute=True):
            driver.step(project, task.flow_task.name)
    return project


def produced_files(project) -> dict[str, bytes]:
    files = {}
    for version in DocumentVersion.objects.filter(
        document__project=project, status=DocumentVersion.Status.READY
    ):
        with version.pdf.open("rb") as f:
            files[version.pdf.name] = f.read()
    for batch in Batch.objects.filter(project=project).exclude(combined=""):
        with batch.combined.open("rb") as f:
            files[batch.combined.name] = f.read()
    return files


def broken_signatures(pdf: bytes) -> list[str]:
    """Each embedded signature pyHanko does not find intact, valid and trusted."""
    vc = signing.validation_context(pki.trust_roots())
    reader = PdfFileReader(io.BytesIO(pdf))
    broken = []
    for sig in reader.embedded_signatures:
        status = validate_pdf_signature(sig, signer_validation_context=vc)
        if not (status.intact and status.valid and status.trusted):
            broken.append(f"{sig.field_name}: {status.summary()}")
    return broken


def test_every_produced_pdf_carries_only_intact_trusted_signatures(whole_project):
    files = produced_files(whole_project)
    combined = [name for name in files if "/combined/" in name]
    assert combined and len(files) > len(combined) + 3  # the batch and the single papers
    assert {name: broken_signatures(pdf) for name, pdf in files.items()} == {
        name: [] for name in files
    }
    for name in combined:  # the print copy is one valid document, signed over all of it
        reader = PdfFileReader(io.BytesIO(files[name]))
        (sig,) = reader.embedded_signatures
        status = validate_pdf_signature(
            sig, signer_validation_context=signing.validation_context(pki.trust_roots())
        )
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert sig.field_name == printcopy.FIELD_NAME


def test_a_print_copy_names_its_signed_originals_and_is_signed_by_their_signatory(
    cast, whole_project
):
    batch = Batch.objects.get(project=whole_project, kind=DocumentKind.BENEFIT_LINKAGE)
    papers = whole_project.documents.filter(kind=DocumentKind.BENEFIT_LINKAGE).order_by("pk")
    with batch.combined.open("rb") as f:
        pdf = f.read()
    reader = PdfReader(io.BytesIO(pdf))
    subject = reader.metadata.subject
    assert all(paper.number in subject for paper in papers)
    assert len(reader.pages) == sum(paper.latest.pages for paper in papers)
    texts = [page.extract_text() for page in reader.pages]
    numbers = [p.number for p in papers]
    on_top = [text.split()[0] for text in texts if text.split()[:1] and text.split()[0] in numbers]
    assert on_top == numbers  # each paper's first page, its number on top, in order
    # Of the originals' signatures nothing is carried over: one /ByteRange, the copy's own.
    assert pdf.count(b"/ByteRange") == 1 and pdf.count(b"/FT /Sig") == 1
    assert subject.startswith("打印件")
    result = signing.verify_pdf(pdf)
    assert result.ok
    assert result.org_names == ["乐丰生猪养殖专业合作社"]
    assert result.signer_names == [cast.user("operator", "A").get_full_name()]
    (sig,) = result.signatures
    assert f"{len(papers)}份" in sig.reason and papers[0].number in sig.reason
    verdict = check(pdf)
    assert verdict.status == AUTHENTIC and verdict.batch == batch
    assert [s.org_name for s in verdict.signatures] == ["乐丰生猪养殖专业合作社"]


def test_a_file_merged_the_old_way_with_broken_signatures_is_not_called_authentic(
    whole_project,
):
    """A combined file on record whose signatures merging broke (as every print copy was
    before): its hash is ours, its signatures are not intact, so it is not authentic."""
    batch = Batch.objects.get(project=whole_project, kind=DocumentKind.BENEFIT_LINKAGE)
    merged = PdfWriter()
    for edition in batch.editions.order_by("pk"):
        with edition.versions.get(status=DocumentVersion.Status.READY).pdf.open("rb") as f:
            merged.append(io.BytesIO(f.read()))
    out = io.BytesIO()
    merged.write(out)
    old_way = out.getvalue()
    assert broken_signatures(old_way)  # what a county office's reader would flag
    import hashlib

    Batch.objects.filter(pk=batch.pk).update(combined_sha256=hashlib.sha256(old_way).hexdigest())
    verdict = check(old_way)
    assert verdict.status == TAMPERED and verdict.batch == batch and verdict.problems


def test_pages_that_take_their_box_and_resources_from_the_page_tree_keep_them(tmp_path):
    """The print copy writes the originals' pages under a page tree of its own: what a page
    inherited from the old tree (its box, its fonts) is written on the page."""
    from documents import rendering

    def paper(text):
        return rendering.render_pdf(
            f'<html lang="zh-Hans"><body><p>{text}</p><p style="break-before:page">续页</p></body></html>'
        )

    source = pikepdf.open(io.BytesIO(paper("第一份")))
    tree = source.Root.Pages
    tree.MediaBox, tree.Resources = source.pages[0].obj.MediaBox, source.pages[0].obj.Resources
    for page in source.pages:
        del page.obj["/MediaBox"], page.obj["/Resources"]
    inheriting = io.BytesIO()
    source.save(inheriting)
    into = tmp_path / "copy.pdf"

    printcopy.merge_without_signatures(
        [inheriting.getvalue(), paper("第二份")], into, title="批次", subject="打印件"
    )

    reader = PdfReader(into)
    assert [page.extract_text().split()[0] for page in reader.pages] == [
        "第一份",
        "续页",
        "第二份",
        "续页",
    ]
    with pikepdf.open(into) as copy:  # on each page itself (pypdf would push them down)
        assert all("/MediaBox" in p.obj and "/Resources" in p.obj for p in copy.pages)
    assert (reader.metadata.title, reader.metadata.subject) == ("批次", "打印件")
