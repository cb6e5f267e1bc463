"""Journey (b): a dividend project through agreements, implementation, the county's
acceptance with its panel (会签), reimbursement and payment, walked in the browser from the
operator's benefit-linkage agreements on (the approval and the entrustment before them are set
up by the stage acts)."""

from processes import demo
from processes.models import ImplementationMode

PROJECT = "乐丰村生态鸡养殖项目"


def test_dividend_project_through_agreements_acceptance_panel_and_payment(cast, people):
    project = demo.start_project(
        cast.user("village_secretary", "A1"),
        name=PROJECT,
        industry="养殖",
        village=cast.regions["A1"],
        mode=ImplementationMode.GUARANTEED_DIVIDEND,
        funds_amount="200000.00",
        operator=cast.operators["A"],
    )
    demo.advance_to(project, "benefit_linkage_agreements")

    operator = people(cast.user("operator", "A"))
    operator.take(PROJECT)
    operator.fill("利益联结协议签订日期", "2026-11-20")
    operator.tick("受益户名册内的农户均已签订")
    operator.submit()
    operator.take(PROJECT)
    operator.fill("完成比例（%）", "100")
    operator.fill("进度与质量情况", "鸡舍建成，鸡苗入栏。")
    operator.submit()

    station = people(cast.user("township_work_station", "A"))
    station.take(PROJECT, "乡镇监管")  # the township inspects the progress report
    station.see("鸡舍建成，鸡苗入栏。")  # what it inspects, above the decision
    station.tick("通过")
    station.fill("意见或理由", "现场查看，进度属实。")
    station.submit()

    village = people(cast.user("village_secretary", "A1"))
    village.take(PROJECT, "村级自验")
    village.fill("自验结论", "村级自验合格。")
    village.submit()

    station.take(PROJECT, "乡镇初验")
    station.see("村级自验合格。")
    station.tick("通过")
    station.fill("意见或理由", "同意初验。")
    station.fill("初验结论", "乡镇初验合格。")
    station.submit()

    office = people(cast.user("county_poverty_office", "county"))
    office.take(PROJECT)
    finance, discipline = (
        cast.user(role, "county") for role in ("county_finance_bureau", "county_discipline")
    )
    office.click("组建验收小组")  # one form seats the whole panel
    office.choose("财政局", finance.get_full_name())
    office.choose("纪检监察", discipline.get_full_name())
    office.fill("理由", "组成县级验收小组")
    office.press("确认")
    office.see("县级验收结论")
    for member in (finance, discipline):
        signer = people(member)
        signer.user_menu("待我签署")
        row = signer.page.get_by_role("row").filter(has_text=PROJECT).first
        row.get_by_text("签署").click()
        signer.settle()
        signer.tick("同意")
        signer.fill("签署意见:", "同意验收。")
        signer.press("签署", exact=True)
        signer.see("待我签署")

    office.reload()  # the task page, still open: both members have signed
    office.see("同意验收。")
    office.tick("通过")
    office.fill("意见或理由", "验收小组一致同意。")
    office.fill("县级验收结论", "县级验收合格。")
    office.fill("验收日期", "2026-11-28")
    office.submit()

    claimant = people(cast.user("township_finance_office", "A"))
    claimant.take(PROJECT, "报账申请")
    claimant.fill("报账金额（元）", "200000.00")
    claimant.fill("支出明细", "鸡舍建设、鸡苗采购。")
    claimant.submit()

    office.take(PROJECT, "县扶贫办审签")
    office.see("¥200,000.00")  # the amount claimed, above the decision
    office.see("鸡舍建设、鸡苗采购。")
    office.tick("通过")
    office.fill("意见或理由", "同意报账。")
    office.submit()

    paying = people(finance)
    paying.take(PROJECT, "县财政局审签")
    paying.tick("通过")
    paying.fill("意见或理由", "同意拨付。")
    paying.submit()
    paying.take(PROJECT, "资金拨付")
    paying.fill("付款凭证号", "PZ-2026-0077")
    paying.fill("拨付日期", "2026-12-01")
    paying.submit()
    paying.menu("项目")
    paying.click(PROJECT)
    paying.see("拨付日期 2026年12月1日")
    paying.see("验收小组一致同意。")  # the county acceptance, in the history
