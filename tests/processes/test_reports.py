"""Public reports (举报): anyone files one, anonymously or not; it reaches the livelihood
supervisor of the village, the township discipline office and the county discipline
commission, nobody else; it is tracked to a conclusion; an anonymous filer is never
revealed to the project's officials, on their pages, in the audit log or in the database."""

import re

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ground.audit import canonical, entry_content, verify_chain
from ground.models import AuditEntry
from processes.models import PublicReport

from ..flowdriver import Driver

CONTENT = "合作社虚报养殖规模，实际存栏不足一半。"


def file(client, project, **data):
    payload = {"project_number": project.pk, "content": CONTENT, **data}
    return client.post(f"/report/project/{project.pk}/", payload)


def project_a1(cast, name="乐丰村生猪项目", noticed=True):
    """A project of 乐丰村, by default past its public notice (the public may report on it)."""
    driver = Driver(cast, "A1")
    project = driver.start(name=name, mode="equity_dividend", funds="100000.00")
    if noticed:
        driver.run(project, until="county_review")
    return project


def test_anyone_logged_out_files_an_anonymous_report_and_gets_a_receipt(cast):
    project = project_a1(cast)
    client = Client()
    page = client.get(f"/report/project/{project.pk}/")
    assert page.status_code == 200 and project.name in page.content.decode()

    response = file(client, project, anonymous="on", name="不该保存", phone="13800000000")

    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert response["Location"] == f"/report/filed/{report.number}/"
    receipt = client.get(response["Location"]).content.decode()
    assert report.number in receipt and "已受理" in receipt and CONTENT not in receipt
    assert report.anonymous and report.project == project and report.content == CONTENT
    assert (report.filed_by, report.reporter_name, report.reporter_phone) == (None, "", "")
    entry = AuditEntry.objects.get(act="report.file")
    assert (entry.actor, entry.actor_name, entry.project_id) == (None, "", None)
    assert entry.after == {"status": "received", "anonymous": True, "project": project.pk}
    assert verify_chain() is None


def test_a_named_report_keeps_the_name_and_phone_given(cast):
    project = project_a1(cast)
    response = file(Client(), project, name="王秀英", phone="13800000000")
    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert not report.anonymous and report.filed_by is None
    assert (report.reporter_name, report.reporter_phone) == ("王秀英", "13800000000")
    page = cast.client(cast.user("township_discipline", "A")).get(
        f"/supervision/reports/{report.pk}/"
    )
    assert "王秀英" in page.content.decode()


def test_a_logged_in_user_filing_by_name_is_recorded(cast):
    project = project_a1(cast)
    filer = cast.user("village_secretary", "B1")
    assert file(cast.client(filer), project).status_code == 302
    report = PublicReport.objects.get()
    assert report.filed_by == filer
    assert AuditEntry.objects.get(act="report.file").actor == filer


def test_an_anonymous_report_never_reveals_its_filer_to_the_projects_officials(cast):
    project = project_a1(cast)
    filer = cast.user("first_secretary", "A1")  # logged in, but reporting anonymously
    filer.full_name = "赵举报"
    filer.save()
    response = file(cast.client(filer), project, anonymous="on", name="赵举报")
    assert response.status_code == 302
    report = PublicReport.objects.get()

    # the database row
    assert (report.filed_by_id, report.reporter_name, report.reporter_phone) == (None, "", "")
    row = PublicReport.objects.filter(pk=report.pk).values().get()
    assert not any(str(v) in (str(filer.pk), filer.username, "赵举报") for v in row.values() if v)
    # the audit log: no entry of the report names or points at the filer
    report_entries = AuditEntry.objects.filter(object_type="processes.publicreport")
    assert report_entries.count() == 1
    for entry in report_entries:
        assert entry.actor_id is None
        text = canonical(entry_content(entry))
        assert filer.username not in text and "赵举报" not in text
        assert f'"actor_id":{filer.pk}' not in text
    assert not AuditEntry.objects.filter(actor=filer).exists()
    # nor the filer's login session (the rate limit lives in a cookie in their browser)
    for session in Session.objects.all():
        assert not any("report" in key for key in session.get_decoded()), session.get_decoded()
    # the pages the project's officials can reach
    for role, region in [
        ("village_secretary", "A1"),
        ("township_lead", "A"),
        ("township_work_station", "A"),
        ("county_poverty_office", "county"),
    ]:
        client = cast.client(cast.user(role, region))
        for url in (f"/projects/{project.pk}/", "/supervision/", "/supervision/reports/"):
            page = client.get(url).content.decode()
            assert "赵举报" not in page and filer.username not in page, (role, url)
            assert CONTENT not in page, (role, url)  # the report itself is not theirs to read
        assert client.get(f"/supervision/reports/{report.pk}/").status_code == 404
    operator = cast.client(cast.user("operator", "A"))
    assert "赵举报" not in operator.get(f"/projects/{project.pk}/").content.decode()
    # the discipline office that handles it sees the report, marked anonymous
    handler = cast.client(cast.user("township_discipline", "A"))
    page = handler.get(f"/supervision/reports/{report.pk}/").content.decode()
    assert CONTENT in page and "匿名" in page and "赵举报" not in page


def routed(cast, role, region) -> list[str]:
    response = cast.client(cast.user(role, region)).get("/supervision/reports/")
    if response.status_code == 403:
        return []
    return re.findall(r"JB\d{8}-[0-9A-F]{6}", response.content.decode())


def test_a_report_is_routed_to_the_villages_supervisor_the_township_and_county_discipline(cast):
    project = project_a1(cast)
    file(Client(), project, anonymous="on")
    number = PublicReport.objects.get().number

    for role, region in [
        ("livelihood_supervisor", "A1"),
        ("township_discipline", "A"),
        ("county_discipline", "county"),
    ]:
        assert routed(cast, role, region) == [number], role
    for role, region in [
        ("village_secretary", "A1"),
        ("first_secretary", "A1"),
        ("livelihood_supervisor", "A2"),
        ("township_lead", "A"),
        ("township_work_station", "A"),
        ("township_discipline", "B"),
        ("livelihood_supervisor", "B1"),
        ("county_poverty_office", "county"),
    ]:
        assert routed(cast, role, region) == [], role
    assert cast.client(cast.user("operator", "A")).get("/supervision/reports/").status_code == 403
    assert Client().get("/supervision/reports/").status_code in (302, 403)


def test_the_township_discipline_office_investigates_and_concludes_with_findings(cast):
    project = project_a1(cast)
    file(Client(), project, anonymous="on")
    report = PublicReport.objects.get()
    url = f"/supervision/reports/{report.pk}/"
    office = cast.user("township_discipline", "A")
    client = cast.client(office)

    assert client.post(url, {}).status_code == 302
    assert PublicReport.objects.get().status == "investigating"
    missing = client.post(url, {"findings": ""})
    assert missing.status_code == 200 and "办结前请填写调查结论" in missing.content.decode()
    assert client.post(url, {"findings": "经核查属实，已收回资金。"}).status_code == 302

    report.refresh_from_db()
    assert report.status == "concluded" and report.findings == "经核查属实，已收回资金。"
    assert report.concluded_at is not None
    acts = list(
        AuditEntry.objects.filter(act="report.status").values_list("actor", "before", "after")
    )
    assert acts == [
        (office.pk, {"status": "received"}, {"status": "investigating"}),
        (office.pk, {"status": "investigating"}, {"status": "concluded"}),
    ]
    page = client.get(url).content.decode()
    assert "已办结" in page and "调查中" in page and "经核查属实" in page
    # the county commission sees the conclusion
    county = cast.client(cast.user("county_discipline")).get(url).content.decode()
    assert "经核查属实" in county
    assert client.post(url, {"findings": "再次"}).status_code == 200  # already concluded
    assert verify_chain() is None


def test_only_the_discipline_offices_move_a_report_on(cast):
    project = project_a1(cast)
    file(Client(), project, anonymous="on")
    report = PublicReport.objects.get()
    url = f"/supervision/reports/{report.pk}/"
    supervisor = cast.client(cast.user("livelihood_supervisor", "A1"))
    assert supervisor.get(url).status_code == 200
    assert supervisor.post(url, {}).status_code == 403
    assert cast.client(cast.user("township_discipline", "B")).post(url, {}).status_code == 404
    assert cast.client(cast.user("township_lead", "A")).post(url, {}).status_code == 404
    assert PublicReport.objects.get().status == "received"
    assert cast.client(cast.user("county_discipline")).post(url, {}).status_code == 302
    assert PublicReport.objects.get().status == "investigating"


def test_the_public_form_is_validated_and_csrf_protected(cast):
    project = project_a1(cast)
    client = Client()
    short = file(client, project, content="太短")
    assert short.status_code == 200 and not PublicReport.objects.exists()
    unknown = client.post("/report/", {"project_number": 999999, "content": CONTENT})
    assert "没有该编号的项目" in unknown.content.decode()
    bot = file(client, project, website="http://spam")
    assert bot.status_code == 200 and not PublicReport.objects.exists()
    guarded = Client(enforce_csrf_checks=True)
    assert file(guarded, project).status_code == 403
    assert not PublicReport.objects.exists()
    form = Client().get("/report/").content.decode()
    assert "csrfmiddlewaretoken" in form and "项目编号" in form


def test_the_public_list_shows_projects_after_their_public_notice_by_number(cast):
    noticed = project_a1(cast, name="乐丰村过了公示的项目")
    project_a1(cast, name="乐丰村尚在申报的项目", noticed=False)
    page = Client().get("/report/").content.decode()
    assert "乐丰村过了公示的项目" in page and f"/report/project/{noticed.pk}/" in page
    assert "乐丰村尚在申报的项目" not in page


def test_the_project_page_links_to_the_report_form(cast):
    project = project_a1(cast)
    page = cast.client(cast.user("village_secretary", "A1")).get(f"/projects/{project.pk}/")
    assert f"/report/project/{project.pk}/" in page.content.decode()


def test_the_report_list_does_not_grow_with_the_number_of_reports(cast):
    project = project_a1(cast)
    other = project_a1(cast, name="乐丰村另一项目")
    client = cast.client(cast.user("county_discipline"))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/supervision/reports/").status_code == 200
        return len(ctx.captured_queries)

    file(Client(), project, anonymous="on")
    queries()  # warm the per-process caches
    few = queries()
    for target in (project, other, other):
        file(Client(), target, anonymous="on")
    assert queries() == few


def test_the_public_status_page_follows_the_report_to_its_findings(cast):
    project = project_a1(cast)
    public = Client()
    receipt_url = file(public, project, anonymous="on")["Location"]
    report = PublicReport.objects.get()
    office = cast.client(cast.user("township_discipline", "A"))

    office.post(f"/supervision/reports/{report.pk}/", {})
    page = public.get(receipt_url).content.decode()
    assert "正在调查" in page and "您的举报已受理" not in page

    office.post(f"/supervision/reports/{report.pk}/", {"findings": "经核查属实，已收回资金。"})
    page = public.get(receipt_url).content.decode()
    assert "已办结" in page and "经核查属实，已收回资金。" in page
    assert "您的举报已受理" not in page and CONTENT not in page
