"""What a person reads after acting: the act's success and a way back, a report's outcome,
a verification verdict in plain words, the flow chart page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from processes.models import PublicReport

from ..flowdriver import Driver


def test_a_concluded_report_says_so_and_shows_its_findings(cast, client):
    project = Driver(cast, "A1").start()
    report = PublicReport.objects.create(
        number="JB20261201-TEST01",
        project=project,
        content="分红不到位",
        status=PublicReport.Status.CONCLUDED,
        findings="经核实，合作社已补发分红。",
        concluded_at=timezone.now(),
    )
    html = client.get(f"/report/filed/{report.number}/").content.decode()
    assert "您的举报已办结" in html and "经核实，合作社已补发分红。" in html
    assert "您的举报已受理" not in html


def test_a_report_still_being_handled_shows_no_findings(cast, client):
    project = Driver(cast, "A1").start()
    report = PublicReport.objects.create(
        number="JB20261201-TEST02", project=project, content="分红不到位"
    )
    html = client.get(f"/report/filed/{report.number}/").content.decode()
    assert "您的举报已受理" in html and "调查结论" not in html


def test_an_unknown_file_is_explained_in_plain_chinese_with_what_to_do(client, db):
    from documents import rendering

    pdf = rendering.render_pdf("<p>这不是本系统的文件。</p>")  # a real PDF, signed by nobody
    upload = SimpleUploadedFile("x.pdf", pdf, content_type="application/pdf")
    html = client.post("/verify/", {"file": upload}).content.decode()
    assert 'data-status="unknown"' in html
    assert "系统中没有内容与之完全相同的文书" in html and "怎么办" in html
    assert "二维码" in html


def test_the_chart_page_shows_the_chart_and_the_way_back_to_the_project(cast):
    project = Driver(cast, "A1").start()
    process = project.process
    flow = process.flow_class.instance
    client = cast.client(cast.user("village_secretary", "A1"))
    html = client.get(flow.reverse("process_chart_page", args=[process.pk])).content.decode()
    assert flow.reverse("process_chart", args=[process.pk]) in html
    assert f'href="/projects/{project.pk}/"' in html and "返回项目" in html
    svg = client.get(flow.reverse("process_chart", args=[process.pk])).content.decode()
    assert ">是</text>" in svg and ">否</text>" in svg and ">yes<" not in svg


def test_another_townships_official_cannot_open_the_chart_page(cast):
    project = Driver(cast, "A1").start()
    flow = project.process.flow_class.instance
    url = flow.reverse("process_chart_page", args=[project.process.pk])
    assert cast.client(cast.user("township_lead", "B")).get(url).status_code == 404
    assert cast.client(cast.user("township_lead", "A")).get(url).status_code == 200


def test_every_page_carries_the_menu_the_stylesheet_and_the_script_once(cast, client):
    html = cast.client(cast.user("township_work_station", "A")).get("/workflow/inbox/")
    html = html.content.decode()
    assert html.count("qiyue/qiyue.css") == 1 and html.count("qiyue/qiyue.js") == 1
    assert html.count("/approvals/copies/") == 1  # in the user's menu
    assert html.count("/i18n/switch/en/") == 1
    login = client.get("/accounts/login/").content.decode()
    assert login.count("qiyue/qiyue.css") <= 1
