"""Journeys (d) and (e): the county discipline commission opens the supervisor dashboard;
a signed-out visitor files a public report and checks a document."""

from playwright.sync_api import expect

from processes import demo
from processes.models import ImplementationMode

PROJECT = "乐丰村林下养鸡项目"


def project_past_public_notice(cast):
    project = demo.start_project(
        cast.user("village_secretary", "A1"),
        name=PROJECT,
        industry="养殖",
        village=cast.regions["A1"],
        mode=ImplementationMode.DIRECT_SUBSIDY,
        funds_amount="30000.00",
    )
    demo.advance_to(project, "funds_issue")
    return project


def test_county_discipline_commission_opens_the_supervisor_dashboard(cast, people):
    project_past_public_notice(cast)
    discipline = people(cast.user("county_discipline", "county"))
    discipline.menu("时限督办")
    discipline.menu("督办看板")
    discipline.see("督办看板")
    discipline.see("珠藏镇")
    if discipline.viewport == "phone":
        # The heat map's nine stages are wider than the phone: the card says to swipe, and
        # after a swipe the last stage is on screen beside the township, which stays put.
        heat = discipline.page.locator(".qy-heat")
        expect(discipline.page.get_by_text("左右滑动表格查看其余各列。").nth(1)).to_be_visible()
        last = heat.get_by_role("columnheader", name="后续管护")
        expect(last).not_to_be_in_viewport()
        heat.hover()
        discipline.page.mouse.wheel(1000, 0)
        expect(last).to_be_in_viewport()
        expect(heat.get_by_role("rowheader", name="珠藏镇")).to_be_in_viewport()
        discipline.look()


def test_a_signed_out_visitor_files_a_report_on_a_project(cast, people):
    project_past_public_notice(cast)
    visitor = people()
    visitor.open("/report/")
    row = visitor.page.get_by_role("row").filter(has_text=PROJECT)
    row.get_by_role("link", name="我要举报").click()
    visitor.settle()
    visitor.fill("举报内容:", "公示名单中有非本村农户。")
    visitor.press("提交举报")
    visitor.see("举报")
    visitor.shot("filed")


def test_a_signed_out_visitor_checks_a_document(cast, people, tmp_path):
    project = project_past_public_notice(cast)
    version = project_documents(project)[0]
    pdf = tmp_path / "批复.pdf"
    pdf.write_bytes(version.pdf.read())
    from documents import rendering

    stranger = tmp_path / "别的文件.pdf"
    stranger.write_bytes(rendering.render_pdf("<p>别处的文件。</p>"))
    broken = tmp_path / "坏文件.pdf"
    broken.write_bytes(b"%PDF-1.4\n% not ours\n")

    visitor = people()
    visitor.open("/verify/")
    visitor.upload("PDF 文件", pdf)
    visitor.press("核验")
    visitor.see("真实有效：本系统出具的文书，未经改动。")
    visitor.upload("PDF 文件", stranger)
    visitor.press("核验")
    visitor.see("无法识别：该文件不是本系统出具的文书。")
    visitor.upload("PDF 文件", broken)
    visitor.press("核验")
    visitor.see("无法读取此文件")


def project_documents(project):
    from documents.models import DocumentVersion

    versions = [v for v in DocumentVersion.objects.order_by("pk") if v.pdf]
    assert versions, "the leading group's approval should have produced a signed document"
    return versions
