"""The papers each stage leaves behind: generated from the workflow's data, signed by the
officials whose acts approved them, readable and verifiable by anyone holding the file."""

import io

import pytest
import segno
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from documents import production, signing
from documents.html import verify_url
from documents.models import Batch, Document, DocumentKind, DocumentVersion
from documents.verification import check
from processes.models import ImplementationMode

from ..flowdriver import Driver


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Do steps with the after-commit jobs (PDF production) actually run, as in production."""

    def steps(driver, project, *names, **kwargs):
        for name in names:
            with django_capture_on_commit_callbacks(execute=True):
                driver.step(project, name, **kwargs)

    return steps


def pdf_of(document) -> bytes:
    version = document.latest
    assert version.status == DocumentVersion.Status.READY, version.error
    with version.pdf.open("rb") as f:
        return f.read()


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> list[dict]:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            fonts.append(
                {
                    "name": str(font["/BaseFont"]),
                    "descriptor": descriptor.get_object() if descriptor else {},
                }
            )
    return fonts


@pytest.fixture
def equity_project(cast, run):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until="entrustment_agreement")
    run(driver, project, "entrustment_agreement", "benefit_linkage_agreements")
    return driver, project


@pytest.mark.portable
def test_entrustment_agreement_names_parties_amounts_and_is_signed_by_township_then_operator(
    cast, equity_project
):
    _driver, project = equity_project
    document = project.documents.get(kind=DocumentKind.ENTRUSTMENT)
    pdf = pdf_of(document)

    text = text_of(pdf)
    assert "织金县珠藏镇人民政府" in text and "乐丰生猪养殖专业合作社" in text
    assert project.operator.credit_code in text and "陈德彬" in text
    assert "叁拾万元整" in text and "¥300,000.00" in text
    assert "3年" in text and "75.00%" in text and "王建国" in text
    for household in cast.households["A1"]:
        assert household.head_name in text and household.id_number in text

    result = signing.verify_pdf(pdf)
    assert result.ok
    assert result.org_names == ["织金县珠藏镇人民政府", "乐丰生猪养殖专业合作社"]
    assert result.signer_names == [
        cast.user("township_lead", "A").get_full_name(),
        cast.user("operator", "A").get_full_name(),
    ]
    signatures = list(document.edition.signatures.order_by("order"))
    assert [s.audit_entry.act for s in signatures] == ["task.complete", "task.complete"]
    assert [s.audit_entry.actor for s in signatures] == [
        cast.user("township_lead", "A"),
        cast.user("operator", "A"),
    ]
    for font in fonts_of(pdf):
        assert "+" in font["name"]  # subset
        assert any(
            key in font["descriptor"] for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )  # embedded


@pytest.mark.portable
def test_benefit_linkage_agreements_are_one_batch_with_a_file_per_household_and_a_combined_file(
    cast, equity_project
):
    _driver, project = equity_project
    batch = Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)
    assert (batch.total, batch.done, batch.failed) == (3, 3, 0) and batch.finished_at is not None
    papers = project.documents.filter(kind=DocumentKind.BENEFIT_LINKAGE)
    assert {p.household for p in papers} == set(cast.households["A1"])
    for paper in papers:
        pdf = pdf_of(paper)
        assert paper.household.head_name in text_of(pdf)
        assert check(pdf).status == "authentic"
    with batch.combined.open("rb") as f:
        combined = f.read()
    assert len(PdfReader(io.BytesIO(combined)).pages) == sum(p.latest.pages for p in papers)
    assert check(combined).status == "authentic"


def qr_modules(pdf: bytes) -> tuple[list[list[bool]], dict]:
    """The dark and light modules of the one image on the paper's last page (its QR code),
    read from the image's pixels, and the image's dictionary."""
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    (image,) = page.images
    xobject = image.indirect_reference.get_object()
    pixels = image.image.convert("L")
    width = pixels.size[0]
    size = width // 4  # four pixels a module, the one-module border included
    return [
        [pixels.getpixel((4 * x + 2, 4 * y + 2)) < 128 for x in range(size)] for y in range(size)
    ], xobject


@pytest.mark.portable
def test_the_printed_qr_code_carries_the_verification_address_and_stays_sharp(cast, equity_project):
    _driver, project = equity_project
    for kind in (DocumentKind.ENTRUSTMENT, DocumentKind.BENEFIT_LINKAGE):
        document = project.documents.filter(kind=kind).first()
        modules, xobject = qr_modules(pdf_of(document))
        expected = segno.make(verify_url(document.edition), error="m").matrix
        assert modules == [[False] * (len(expected) + 2)] + [
            [False, *(bool(m) for m in row), False] for row in expected
        ] + [[False] * (len(expected) + 2)]
        assert xobject["/Interpolate"].value is False  # no viewer smooths the modules into grey


@pytest.mark.portable
def test_direct_subsidy_agreements_show_each_households_subsidy(cast, run):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="36000.00")
    driver.run(project, until="subsidy_agreements")
    run(driver, project, "subsidy_agreements")
    for paper in project.documents.filter(kind=DocumentKind.DIRECT_SUBSIDY):
        text = text_of(pdf_of(paper))
        assert "壹万贰仟元整" in text and "¥12,000.00" in text
        assert paper.household.id_number in text and "织金县珠藏镇人民政府" in text


@pytest.mark.portable
def test_reimbursement_form_carries_three_signatures_in_the_order_of_the_acts(cast, run):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="36000.00")
    driver.run(project, until="reimbursement")
    run(
        driver,
        project,
        "reimbursement",
        "reimbursement_poverty_review",
        "reimbursement_finance_review",
    )
    document = project.documents.get(kind=DocumentKind.REIMBURSEMENT_FORM)
    result = signing.verify_pdf(pdf_of(document))
    assert result.ok
    assert result.org_names == ["织金县珠藏镇人民政府", "织金县乡村振兴局", "织金县财政局"]
    assert result.signer_names == [
        cast.user("township_finance_office", "A").get_full_name(),
        cast.user("county_poverty_office").get_full_name(),
        cast.user("county_finance_bureau").get_full_name(),
    ]
    # Every signature made a new, immutable version; the older ones are still there.
    assert [v.signature_count for v in document.versions.order_by("number")] == [1, 2, 3]


@pytest.mark.portable
def test_verification_page_answers_for_valid_tampered_and_unknown_files(
    cast, equity_project, client
):
    _driver, project = equity_project
    pdf = pdf_of(project.documents.get(kind=DocumentKind.ENTRUSTMENT))
    tampered = bytearray(pdf)
    position = pdf.index(b"/Type /Page") + 2
    tampered[position] = ord("X") if tampered[position] != ord("X") else ord("Y")
    unknown = signing_free_pdf()

    answers = {}
    for name, data in {"valid": pdf, "tampered": bytes(tampered), "unknown": unknown}.items():
        response = client.post("/verify/", {"file": io.BytesIO(data)}, format="multipart")
        assert response.status_code == 200
        answers[name] = response.context["verdict"].status
    assert answers == {"valid": "authentic", "tampered": "tampered", "unknown": "unknown"}
    page = client.post("/verify/", {"file": io.BytesIO(pdf)}).content.decode()
    assert (
        "织金县珠藏镇人民政府" in page and cast.user("township_lead", "A").get_full_name() in page
    )


@pytest.mark.portable
def test_verify_document_command_exits_non_zero_for_a_tampered_or_unknown_file(
    equity_project, tmp_path
):
    _driver, project = equity_project
    pdf = pdf_of(project.documents.get(kind=DocumentKind.ENTRUSTMENT))
    good, bad, other = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "other.pdf"
    good.write_bytes(pdf)
    bad.write_bytes(pdf[:-200] + bytes([pdf[-200] ^ 1]) + pdf[-199:])
    other.write_bytes(signing_free_pdf())
    out = io.StringIO()
    call_command("verify_document", str(good), stdout=out)
    assert "authentic" in out.getvalue() and "织金县珠藏镇人民政府" in out.getvalue()
    for path in (bad, other):
        with pytest.raises(CommandError) as error:
            call_command("verify_document", str(path), stdout=io.StringIO())
        assert error.value.returncode == 1


def test_documents_are_only_downloadable_within_jurisdiction(cast, equity_project):
    _driver, project = equity_project
    version = project.documents.get(kind=DocumentKind.ENTRUSTMENT).latest
    url = f"/documents/versions/{version.pk}/"
    assert cast.client(cast.user("township_lead", "A")).get(url).status_code == 200
    for outsider in (
        cast.user("township_lead", "B"),
        cast.user("village_secretary", "A2"),
        cast.user("operator", "B"),
    ):
        assert cast.client(outsider).get(url).status_code == 404
    batch = Batch.objects.get(project=project)
    assert (
        cast.client(cast.user("township_lead", "B"))
        .get(f"/documents/batches/{batch.pk}/")
        .status_code
        == 404
    )
    assert (
        cast.client(cast.user("village_secretary", "A1"))
        .get(f"/documents/batches/{batch.pk}/")
        .status_code
        == 200
    )


def test_a_failed_render_keeps_the_approval_and_is_produced_again(cast, run, monkeypatch):
    from documents import rendering

    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="leading_group_approval")
    real = rendering.render_pdf

    def broken(html, **kwargs):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    run(driver, project, "leading_group_approval")

    assert driver.open_task(project).flow_task.name == "funds_issue"  # the approval stands
    document = Document.objects.get(project=project, kind=DocumentKind.APPROVAL_REPLY)
    assert (
        document.latest.status == DocumentVersion.Status.FAILED
        and "font cache" in document.latest.error
    )
    assert document.edition.signatures.count() == 1

    monkeypatch.setattr(rendering, "render_pdf", real)
    assert production.retry_failed() == 1
    assert document.latest.status == DocumentVersion.Status.READY
    assert signing.verify_pdf(pdf_of(document)).signer_names == [
        cast.user("county_leading_group").get_full_name()
    ]


@pytest.mark.portable
def test_rare_characters_in_names_render_as_text(cast, run):
    for household, name in zip(cast.households["A1"], ["王喆", "李堃", "张珺"], strict=True):
        household.head_name = name
        household.save()
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="30000.00")
    driver.run(project, until="subsidy_agreements")
    run(driver, project, "subsidy_agreements")
    texts = [text_of(pdf_of(p)) for p in project.documents.filter(kind=DocumentKind.DIRECT_SUBSIDY)]
    for name in ("王喆", "李堃", "张珺"):
        assert any(name in text for text in texts), name


def signing_free_pdf() -> bytes:
    from documents import rendering

    return rendering.render_pdf("<p>这不是本系统的文件。</p>")


@pytest.mark.portable
def test_qr_code_address_confirms_the_printed_edition(cast, equity_project, client):
    _driver, project = equity_project
    document = project.documents.get(kind=DocumentKind.ENTRUSTMENT)
    edition = document.edition
    url = f"/verify/{document.number}/"
    assert verify_url(edition).endswith(f"{url}?h={edition.content_hash}")
    page = client.get(url, {"h": edition.content_hash.upper()})
    assert page.status_code == 200
    page = page.content.decode()
    assert page.count('data-status="matched"') == 1 and "织金县珠藏镇人民政府" in page
    assert all(
        h.id_number not in page for h in cast.households["A1"]
    )  # no personal data for strangers


def test_earlier_versions_are_downloadable_from_the_project_page_within_jurisdiction(
    cast, equity_project
):
    import re

    _driver, project = equity_project
    entrustment = project.documents.get(kind=DocumentKind.ENTRUSTMENT)
    ready = list(entrustment.versions.filter(status=DocumentVersion.Status.READY))
    assert len(ready) == 2  # signed by the township, then countersigned by the operator
    lead = cast.client(cast.user("township_lead", "A"))
    page = lead.get(f"/projects/{project.pk}/").content.decode()
    older = re.findall(r'class="qy-older-version" href="/documents/versions/(\d+)/"', page)
    assert older == [str(ready[0].pk)]
    response = lead.get(f"/documents/versions/{ready[0].pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    for outsider in (cast.user("township_lead", "B"), cast.user("village_secretary", "A2")):
        assert cast.client(outsider).get(f"/documents/versions/{ready[0].pk}/").status_code == 404


@pytest.mark.portable
def test_a_combined_print_file_says_which_batch_it_is(cast, equity_project):
    from django.utils import timezone

    _driver, project = equity_project
    batch = Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)
    day = timezone.localdate(batch.created_at).isoformat()
    label = f"第{batch.pk}批（{day}）"
    page = cast.client(cast.user("township_lead", "A")).get(f"/projects/{project.pk}/")
    assert f"{label}：利益联结协议，3户" in page.content.decode()
    response = cast.client(cast.user("township_lead", "A")).get(f"/documents/batches/{batch.pk}/")
    assert (
        label in response["Content-Disposition"] or "%E7%AC%AC" in response["Content-Disposition"]
    )
    with batch.combined.open("rb") as f:
        title = PdfReader(io.BytesIO(f.read())).metadata.title
    assert title == f"乐丰村生猪养殖项目 · 利益联结协议 · {label} · 3户"


@pytest.mark.portable
def test_printed_rule_figures_come_from_the_rules(cast, equity_project, run):
    from decimal import Decimal

    from ground.numerals import amount_in_capitals
    from processes.rules.benefit_linkage import MIN_HOUSEHOLD_SHARE
    from processes.rules.direct_subsidy import HOUSEHOLD_CAP
    from processes.rules.income_split import split_income

    _driver, project = equity_project
    entrustment = project.documents.get(kind=DocumentKind.ENTRUSTMENT)
    terms = entrustment.edition.snapshot["terms"]
    split = split_income(Decimal(100))
    assert [terms["split"][part] for part in ("households", "collective", "fund")] == [
        f"{split.households:.0f}",
        f"{split.collective:.0f}",
        f"{split.fund:.0f}",
    ]
    assert terms["min_household_share"] == f"{MIN_HOUSEHOLD_SHARE:.0f}"
    text = "".join(text_of(pdf_of(entrustment)).split())
    assert f"按{split.households:.0f}%用于脱贫户分红、{split.collective:.0f}%作为村集体" in text
    assert f"不低于{MIN_HOUSEHOLD_SHARE:.0f}%" in text

    driver = Driver(cast, "A1")
    subsidy = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="36000.00")
    driver.run(subsidy, until="subsidy_agreements")
    run(driver, subsidy, "subsidy_agreements")
    paper = subsidy.documents.filter(kind=DocumentKind.DIRECT_SUBSIDY).first()
    assert paper.edition.snapshot["subsidy_cap"]["figures"] == f"¥{HOUSEHOLD_CAP:,.2f}"
    cap = f"不超过人民币{amount_in_capitals(HOUSEHOLD_CAP)}（¥{HOUSEHOLD_CAP:,.2f}）"
    assert cap in "".join(text_of(pdf_of(paper)).split())


@pytest.mark.portable
def test_the_papers_data_holds_every_registered_variable_of_its_branch(cast, equity_project):
    from documents.preview import VARIABLES

    from .test_preview import values_at

    _driver, project = equity_project
    for kind in (DocumentKind.ENTRUSTMENT, DocumentKind.BENEFIT_LINKAGE):
        for paper in project.documents.filter(kind=kind):
            for path in VARIABLES[kind]["equity share"]:
                assert values_at(paper.edition.snapshot, path), (kind, path)
