"""The papers posted or handed over: the public notice (公示) and the dividend list notice
(分红名单公示) for the village board, and the asset ownership certificate (所有权证). Each is
produced where the process reaches it, signed, and read back from its PDF as a stranger would."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from documents import signing
from documents.formats import cn_date
from documents.html import qr_code, render_html
from documents.models import DocumentKind
from processes.models import ImplementationMode
from processes.papers.parties import region_government
from processes.summaries import mask_id_number

from ..flowdriver import Driver
from ..processes.test_assets_and_exports import ASSET
from ..processes.test_dividends import dividend_project
from .test_papers import pdf_of, run  # noqa: F401  (run: the after-commit fixture)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing (scripts/sysdeps.sh)"
)


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return "".join(out.split())  # lines wrap anywhere in Chinese


def assert_ids_masked(text: str, households) -> None:
    for household in households:
        assert mask_id_number(household.id_number) in text, household.head_name
        assert household.id_number not in text, household.head_name  # never the whole number
        assert household.head_name in text


@pytest.fixture
def noticed_project(cast, run):  # noqa: F811
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.DIRECT_SUBSIDY, funds="36000.00", name="乐丰村种植项目"
    )
    driver.run(project, until="public_notice")
    run(driver, project, "public_notice")
    project.refresh_from_db()
    return driver, project


@needs_poppler
@pytest.mark.portable
def test_the_public_notice_is_posted_with_its_dates_amount_and_masked_ids(
    cast, noticed_project, tmp_path
):
    _driver, project = noticed_project
    paper = project.documents.get(kind=DocumentKind.PUBLIC_NOTICE)
    pdf = pdf_of(paper)
    text = pdftotext(pdf, tmp_path)

    assert f"关于{project.name}的公示" in text
    assert f"{cn_date(project.notice_start)}至{cn_date(project.notice_end)}" in text
    days = (project.notice_end - project.notice_start).days + 1
    assert f"共{days}天" in text
    assert "叁万陆仟元整" in text and "¥36,000.00" in text
    assert "¥12,000.00" in text  # each household's subsidy
    assert_ids_masked(text, cast.households["A1"])
    assert f"/report/project/{project.pk}/" in text and "/verify/" in text

    # The village committee's seal: its name along the arc (after the signature block's date,
    # in reading order; a reader breaks the turned characters into lines), no purpose.
    seal_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "日织金县珠藏镇乐丰村村民委员会—" in seal_text.replace("\n", "").replace(" ", "")
    assert "专用章" not in seal_text

    result = signing.verify_pdf(pdf)
    assert result.ok
    assert result.org_names == ["织金县珠藏镇乐丰村村民委员会"]
    assert result.signer_names == [cast.user("village_secretary", "A1").get_full_name()]
    assert paper.edition.signatures.get().audit_entry.act == "task.complete"


@pytest.mark.portable
def test_the_public_notice_carries_qr_codes_to_verify_and_to_report(noticed_project):
    _driver, project = noticed_project
    edition = project.documents.get(kind=DocumentKind.PUBLIC_NOTICE).edition
    html = render_html(edition, list(edition.signatures.all()))
    report_url = edition.snapshot["report_url"]
    assert report_url.endswith(f"/report/project/{project.pk}/")
    assert qr_code(report_url) in html
    assert "id_number" not in str(edition.snapshot)  # the posted paper's data holds no full ID


def test_the_notice_is_listed_on_the_project_page_and_404_outside_the_township(
    cast, noticed_project
):
    _driver, project = noticed_project
    version = project.documents.get(kind=DocumentKind.PUBLIC_NOTICE).latest
    lead = cast.client(cast.user("township_lead", "A"))
    page = lead.get(f"/projects/{project.pk}/").content.decode()
    assert f"关于{project.name}的公示" in page
    assert lead.get(f"/documents/versions/{version.pk}/").status_code == 200
    neighbour = cast.client(cast.user("township_lead", "B"))
    assert neighbour.get(f"/documents/versions/{version.pk}/").status_code == 404


@needs_poppler
@pytest.mark.portable
def test_the_dividend_list_notice_shows_each_households_dividend(cast, run, tmp_path):  # noqa: F811
    driver, project = dividend_project(cast)
    driver.step(project, "maintenance_report")
    driver.step(project, "maintenance_review")
    run(driver, project, "dividend_notice")
    year = project.dividend_years.get(year=1)
    paper = project.documents.get(kind=DocumentKind.DIVIDEND_NOTICE)
    pdf = pdf_of(paper)
    text = pdftotext(pdf, tmp_path)

    assert f"{project.name}分红名单公示" in text and "第1年度" in text
    assert f"{cn_date(year.notice_start)}至{cn_date(year.notice_end)}" in text
    shares = list(year.shares.select_related("household"))
    total = sum(s.amount_due for s in shares)
    assert f"¥{total:,.2f}" in text
    for share in shares:
        assert f"¥{share.amount_due:,.2f}" in text
    assert_ids_masked(text, [s.household for s in shares])
    result = signing.verify_pdf(pdf)
    assert result.ok and result.org_names == [region_government(project.village).name]
    assert result.org_names[0].endswith("村民委员会")


@needs_poppler
@pytest.mark.portable
def test_registering_an_asset_issues_the_ownership_certificate(
    cast, tmp_path, django_capture_on_commit_callbacks
):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until="reimbursement")
    station = cast.client(cast.user("township_work_station", "A"))
    with django_capture_on_commit_callbacks(execute=True):
        assert station.post(f"/projects/{project.pk}/assets/new/", ASSET).status_code == 302

    paper = project.documents.get(kind=DocumentKind.OWNERSHIP_CERTIFICATE)
    pdf = pdf_of(paper)
    text = pdftotext(pdf, tmp_path)
    assert f"{project.name}资产所有权证" in text
    assert "乐丰村标准化生猪圈舍" in text and "织资〔2027〕001号" in text
    assert "叁拾万元整" in text and "¥300,000.00" in text
    assert "村集体" in text and "乡镇扶贫工作站、乡镇纪委" in text
    result = signing.verify_pdf(pdf)
    assert result.ok and result.org_names == ["织金县珠藏镇人民政府"]
    signature = paper.edition.signatures.get()
    assert signature.audit_entry.act == "asset.register"
    assert signature.signer == cast.user("township_work_station", "A")
