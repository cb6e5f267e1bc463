"""A hostile-input corpus (issue 16): each input is refused with a clear error, and nothing is
written: the row count of every model is unchanged and the audit chain still verifies.

Forms (planning meeting, application, reclaim, five-ones, asset registration), the filters
and ids of the URLs, the uploads of /verify/ and the Excel export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ground.audit import verify_chain
from processes.flows import ProjectFlow
from processes.models import Asset, ImplementationMode, Project

OUR_APPS = ("processes", "workflow", "documents", "permissions", "viewflow", "guardian", "auth")


def row_counts() -> dict:
    """Rows of every model of ours (and viewflow's, guardian's, auth's), by model label."""
    return {
        model._meta.label: model.objects.count()
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
    }


class NothingWritten:
    def __enter__(self):
        self.before = row_counts()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert row_counts() == self.before
            assert verify_chain() is None


def errors_of(response) -> dict:
    """The form's errors by field, as codes: the page was shown again with them."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    return {field: [e.code for e in errs] for field, errs in form.errors.as_data().items()}


TODAY = timezone.localdate()

# --- 1 项目谋划宣传会议: the planning meeting that starts a project ------------------------

PLANNING = [
    # names and free text: control, bidi and zero-width characters
    ("name", "竹荪\x00种植项目"),
    ("name", "竹荪\x1b[31m种植项目"),
    ("name", "竹荪\u202e目项植种"),
    ("name", "竹荪\u2066种植\u2069项目"),
    ("name", "竹荪\u200b种植项目"),
    ("name", "竹荪\u200d种植项目"),
    ("name", "\ufeff竹荪种植项目x"),
    ("name", "竹荪\u061c种植项目"),
    ("name", "竹荪\u200f种植项目"),
    ("name", "竹荪\x85种植项目"),
    ("name", "竹荪\u2028种植项目"),
    ("name", "竹荪\u2060种植项目"),
    ("industry", "竹荪\x07种植"),
    ("scale", "50亩\u202a"),
    ("scale", "50\t亩"),  # a tab in a one-line field
    ("meeting_minutes", "村民大会\x1b一致同意。"),
    ("meeting_minutes", "村民大会一致同意。\u202e"),
    ("households_wishes", "发展\x08竹荪种植。"),
    # dates out of the plausible range, or not in ASCII digits
    ("meeting_date", "0001-01-01"),
    ("meeting_date", "9999-12-31"),
    ("meeting_date", "2012-12-31"),
    ("meeting_date", (TODAY + datetime.timedelta(days=30)).isoformat()),
    ("meeting_date", "２０２６-10-01"),
    ("meeting_date", "٢٠٢٦-10-01"),
    # attendees
    ("meeting_attendees", "0"),
    ("meeting_attendees", "-5"),
    ("meeting_attendees", "5001"),
    ("meeting_attendees", "99999999999999999999"),
    ("meeting_attendees", "٤٠"),
    ("meeting_attendees", "４０"),
    # amounts
    ("funds_amount", "٦٠٠٠٠"),
    ("funds_amount", "６００００"),
    ("funds_amount", "6e4"),
    ("funds_amount", "60_000"),
    ("funds_amount", "60000.001"),
    ("funds_amount", "100000000.00"),
    ("funds_amount", "NaN"),
    ("funds_amount", "-60000"),
    ("funds_amount", "60 000"),
    # term
    ("term_years", "31"),
    ("term_years", "٣"),
]


def planning_data(cast, **overrides):
    return {
        "name": "竹荪种植项目",
        "industry": "竹荪种植",
        "village": str(cast.regions["A1"].pk),
        "mode": ImplementationMode.DIRECT_SUBSIDY,
        "funds_amount": "60000.00",
        "scale": "50亩",
        "term_years": "3",
        "meeting_date": (TODAY - datetime.timedelta(days=30)).isoformat(),
        "meeting_attendees": "40",
        "meeting_minutes": "村民大会一致同意。",
        "households_wishes": "发展竹荪种植。",
        **overrides,
    }


@pytest.mark.parametrize(("field", "value"), PLANNING)
def test_the_planning_meeting_refuses_a_hostile_input_and_starts_nothing(cast, field, value):
    client = cast.client(cast.user("village_secretary", "A1"))
    url = ProjectFlow.start.reverse("execute")
    with NothingWritten():
        response = client.post(url, planning_data(cast, **{field: value}))
        errors = errors_of(response)
    assert list(errors) == [field], errors


def test_multi_line_text_keeps_its_line_breaks_and_tabs(cast):
    client = cast.client(cast.user("village_secretary", "A1"))
    minutes = "村民大会，到会40人。\r\n\t一致同意发展竹荪种植。"
    data = planning_data(cast, meeting_minutes=minutes, funds_amount="60,000.00")
    response = client.post(ProjectFlow.start.reverse("execute"), data)
    assert response.status_code == 302
    project = Project.objects.get(name="竹荪种植项目")
    assert project.meeting_minutes == minutes and project.funds_amount == Decimal("60000.00")


def test_the_errors_say_what_is_wrong_in_chinese(cast):
    client = cast.client(cast.user("village_secretary", "A1"))
    url = ProjectFlow.start.reverse("execute")
    page = client.post(
        url,
        planning_data(
            cast,
            name="竹荪\u202e种植",
            funds_amount="٦٠٠٠٠",
            meeting_date="0001-01-01",
            meeting_attendees="0",
        ),
    ).content.decode()
    assert "不能包含控制字符或不可见字符" in page and "U+202E" in page
    assert "半角数字" in page
    assert "2013" in page and "精准扶贫" in page
    assert "5000" in page


# --- 2 项目申报: the application's free text, on the task page --------------------------

APPLICATION = [
    ("implementation_plan", "选址\u202e方案"),
    ("implementation_plan", "选址\x00方案"),
    ("performance_targets", "增收\u200b目标"),
]


@pytest.mark.parametrize(("field", "value"), APPLICATION)
def test_the_application_refuses_hidden_characters_and_stays_open(cast, field, value):
    from tests.flowdriver import Driver

    driver = Driver(cast, "A1")
    project = driver.start()
    task = driver.open_task(project)
    secretary = cast.user("village_secretary", "A1")
    client = cast.client(secretary)
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    data = {
        "implementation_plan": "选址、建设内容、进度安排。",
        "performance_targets": "带动脱贫户稳定增收。",
        "commitment_signed": "on",
        "households": [str(h.pk) for h in cast.households["A1"]],
        field: value,
    }
    with NothingWritten():
        response = client.post(
            task.flow_task.reverse("execute", args=[task.process_id, task.pk]), data
        )
        assert field in errors_of(response)


# --- 3 收回资金, 调整五个一, 登记资产: forms of a project ---------------------------------


@pytest.fixture
def project(cast):
    """An accepted project of village A1 (its stages do not matter to these forms)."""
    return Project.objects.create(
        name="乐丰村生猪项目",
        industry="生猪养殖",
        village=cast.regions["A1"],
        mode=ImplementationMode.EQUITY_DIVIDEND,
        funds_amount=Decimal("100000.00"),
        funds_issued=Decimal("100000.00"),
        operator=cast.operators["A"],
        accepted_on=TODAY - datetime.timedelta(days=10),
        created_by=cast.user("village_secretary", "A1"),
    )


RECLAIM = [
    ("amount", "١٠٠"),  # the finding: it took ¥100
    ("amount", "１００"),
    ("amount", "1e2"),
    ("amount", "1_00"),
    ("amount", "100.005"),
    ("amount", "100000000"),
    ("amount", "+100"),
    ("amount", "0x64"),
    ("amount", "-100"),
    ("reason", "虚报\u202e规模"),
    ("reason", "\u200b"),
    ("reason", "虚报\x1b规模"),
]


@pytest.mark.parametrize(("field", "value"), RECLAIM)
def test_a_reclaim_refuses_a_hostile_input_and_moves_no_funds(cast, project, field, value):
    client = cast.client(cast.user("township_lead", "A"))
    data = {"amount": "100.00", "reason": "虚报养殖规模", field: value}
    with NothingWritten():
        response = client.post(f"/supervision/projects/{project.pk}/reclaim/", data)
        assert list(errors_of(response)) == [field]


FIVE_ONES = [
    ("team", "包村干部\u2067王某"),
    ("policy_set", "《办法》\x7f"),
    ("reason", "调整\u202d"),
]


@pytest.mark.parametrize(("field", "value"), FIVE_ONES)
def test_a_five_ones_change_refuses_hidden_characters(cast, project, field, value):
    client = cast.client(cast.user("township_lead", "A"))
    data = {"team": "包村干部", "policy_set": "《办法》", "reason": "人员调整", field: value}
    with NothingWritten():
        response = client.post(f"/supervision/projects/{project.pk}/five-ones/", data)
        assert list(errors_of(response)) == [field]


ASSET_DATA = {
    "name": "乐丰村标准化生猪圈舍",
    "value": "300000.00",
    "owner": "village_collective",
    "ownership_certificate": "织资〔2027〕001号",
    "operation": "entrusted",
    "operated_by": "乐丰生猪养殖专业合作社",
    "income_terms": "按协议分红",
    "supervised_by": "乡镇扶贫工作站",
}
ASSET = [
    ("name", "生猪圈舍\x01\x1b"),
    ("name", "生猪\u202e圈舍"),
    ("value", "３０００００"),
    ("value", "300000.001"),
    ("value", "1e6"),
    ("ownership_certificate", "织资\u200b001号"),
    ("operated_by", "合作社\x7f"),
    ("income_terms", "按协议\x0b分红"),
]


@pytest.mark.parametrize(("field", "value"), ASSET)
def test_asset_registration_refuses_a_hostile_input(cast, project, field, value):
    client = cast.client(cast.user("township_work_station", "A"))
    with NothingWritten():
        response = client.post(f"/projects/{project.pk}/assets/new/", {**ASSET_DATA, field: value})
        assert list(errors_of(response)) == [field]


# --- 4 Filters and ids -------------------------------------------------------------------

HUGE = "99999999999999999999"
FILTERS = [
    ("/projects/?township=abc", 400),
    (f"/projects/?township={HUGE}", 400),
    ("/projects/?township=-1", 400),
    ("/projects/?township=1e5", 400),
    ("/projects/?township=%00", 400),
    ("/projects/?township=%D9%A1", 400),  # ١
    ("/projects/?page=abc", 404),
    (f"/projects/?page={HUGE}", 404),
    ("/oversight/dashboard/?township=abc", 400),
    (f"/oversight/dashboard/?leader={HUGE}", 400),
    ("/oversight/dashboard/?age=-3", 400),
    (f"/projects/{HUGE}/", 404),
    (f"/workflow/flows/project/{HUGE}/", 404),
    (f"/workflow/flows/project/{HUGE}/chart/", 404),
    (f"/workflow/flows/project/{HUGE}/cancel/", 404),
    (f"/supervision/reports/{HUGE}/", 404),
]


@pytest.mark.parametrize(("url", "status"), FILTERS)
def test_a_filter_or_id_that_is_not_a_key_is_a_400_or_404(cast, url, status):
    client = cast.client(cast.user("county_poverty_office"))
    client.raise_request_exception = False
    with NothingWritten():
        assert client.get(url).status_code == status


POSTED_IDS = [
    f"/workflow/flows/project/{HUGE}/application/{HUGE}/execute/",
    f"/workflow/flows/project/{HUGE}/application/{HUGE}/assign/",
    f"/workflow/flows/project/{HUGE}/township_review/{HUGE}/undo/",
    f"/supervision/projects/{HUGE}/reclaim/",
]


@pytest.mark.parametrize("url", POSTED_IDS)
def test_a_post_to_an_id_beyond_any_key_is_a_404(cast, url):
    client = cast.client(cast.user("county_poverty_office"))
    client.raise_request_exception = False
    with NothingWritten():
        assert client.post(url, {"amount": "1.00", "reason": "x"}).status_code == 404


# --- 5 Uploads (/verify/, open to anyone) -----------------------------------------------

UPLOADS = [
    ("empty.pdf", b""),
    ("notes.txt", "不是PDF".encode()),
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),
    ("a" * 3000 + ".pdf", b"%PDF-1.7\n%%EOF\n"),
    ("报告\u202efdp.exe", b"%PDF-1.4 truncated"),
]


@pytest.mark.parametrize(("name", "content"), UPLOADS)
def test_an_upload_that_is_not_our_pdf_is_answered_clearly(db, name, content):
    client = Client()
    with NothingWritten():
        response = client.post("/verify/", {"file": SimpleUploadedFile(name, content)})
        assert response.status_code in (200, 422)  # 422: a file the bounded reader can't open
        form, verdict = response.context["form"], response.context.get("verdict")
        assert form.errors or verdict  # a field error, or the verdict on what was sent


def test_a_verification_post_without_a_file_asks_for_one(db):
    with NothingWritten():
        response = Client().post("/verify/", {})
    assert errors_of(response) == {"file": ["required"]}
    assert "这个字段是必填项" in response.content.decode()


@pytest.mark.parametrize(
    "content", ["有人冒领补贴\u202e，请核查项目资金去向", "村干部\u200b优亲厚友，请核查"]
)
def test_a_public_report_refuses_hidden_characters(cast, content):
    from tests.flowdriver import Driver

    project = Driver(cast, "A1").start(name="乐丰村茶叶种植项目")
    Project.objects.filter(pk=project.pk).update(notice_start=timezone.localdate())
    with NothingWritten():
        response = Client().post(
            "/report/", {"project_number": project.pk, "content": content, "anonymous": "on"}
        )
    assert errors_of(response) == {"content": ["hidden_character"]}


def test_a_21_mb_upload_is_refused_with_413_in_chinese(db):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024))
    with NothingWritten():
        response = Client().post("/verify/", {"file": big})
    assert response.status_code == 413
    assert "MB" in response.content.decode() and "文件" in response.content.decode()


# --- 6 The Excel export -------------------------------------------------------------------

CELLS = [
    "生猪圈舍\x01\x1b",
    '=HYPERLINK("http://evil.example/","点击查看")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("name", CELLS)
def test_the_ledger_export_writes_any_asset_name_as_plain_text(cast, project, name):
    # An asset named so by an import or an older version (the form refuses such names now).
    Asset.objects.create(
        project=project,
        name=name,
        value=Decimal("300000.00"),
        owner="village_collective",
        ownership_certificate="织资〔2027〕001号",
        operation="entrusted",
        operated_by="=cmd|' /C calc'!A0",
        income_terms="按协议分红",
        supervised_by="乡镇扶贫工作站",
        registered_by=cast.user("township_work_station", "A"),
    )
    client = cast.client(cast.user("county_poverty_office"))
    with NothingWritten():
        response = client.get("/projects/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue()))["资产台账"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == project.name)
    asset, operated_by = row[2], row[7]
    assert asset.value == name.replace("\x01", "").replace("\x1b", "")
    assert asset.data_type == "s" and operated_by.data_type == "s"
    assert operated_by.value == "=cmd|' /C calc'!A0"
    if name.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert asset.quotePrefix and operated_by.quotePrefix
