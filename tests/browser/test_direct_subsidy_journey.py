"""Journey (c): a direct-subsidy project to payment. The application refuses, on screen, a
household that would pass the ¥20,000 cap; the earlier and middle stages are set up by the
stage acts, the payment is recorded in the browser."""

import datetime
from decimal import Decimal

from django.utils import timezone

from processes import demo
from processes.models import Beneficiary, ImplementationMode, Project

PROJECT = "乐丰村食用菌种植补助项目"


def household_near_the_cap(cast, household):
    """¥18,000 already granted to ``household`` by another approved direct-subsidy project."""
    earlier = demo.start_project(
        cast.user("village_secretary", "A1"),
        name="乐丰村往年产业补助项目",
        industry="种植",
        village=cast.regions["A1"],
        mode=ImplementationMode.DIRECT_SUBSIDY,
        funds_amount="18000.00",
    )
    Project.objects.filter(pk=earlier.pk).update(approved_on="2026-03-01")
    Beneficiary.objects.create(project=earlier, household=household, subsidy=Decimal("18000.00"))


def day(days_ago):
    """A date ``days_ago`` days before today (Asia/Shanghai), as the date field takes it."""
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def test_direct_subsidy_refuses_a_household_over_the_cap_and_reaches_payment(cast, people):
    near, other, third = cast.households["A1"]
    household_near_the_cap(cast, near)
    project = demo.start_project(
        cast.user("village_secretary", "A1"),
        name=PROJECT,
        industry="食用菌",
        village=cast.regions["A1"],
        mode=ImplementationMode.DIRECT_SUBSIDY,
        funds_amount="30000.00",
    )

    secretary = people(cast.user("village_secretary", "A1"))
    secretary.take(PROJECT, "项目申报")
    row = secretary.page.get_by_role("row").filter(has_text=near.head_name)
    secretary.see("¥18,000.00 / ¥20,000.00")
    assert "¥18,000.00 / ¥20,000.00" in row.inner_text()
    secretary.fill("实施方案", "统一采购菌棒，分户种植。")
    secretary.tick("已签订承诺书")
    secretary.tick(near.head_name)
    secretary.tick(other.head_name)
    secretary.press("办理", exact=True)
    # ¥30,000 in two shares of ¥15,000: the first household would reach ¥33,000.
    secretary.see(f"{near.head_name}累计直补金额将达¥33,000.00，超过每户¥20,000.00的上限")
    secretary.page.get_by_label(near.head_name, exact=True).uncheck()
    secretary.tick(third.head_name)
    secretary.submit()
    project.refresh_from_db()
    assert sorted(project.beneficiaries.values_list("household__head_name", flat=True)) == sorted(
        [other.head_name, third.head_name]
    )

    demo.advance_to(project, "public_notice")  # the township's review: journey (a)
    secretary.take(PROJECT, "公示")
    secretary.tick("公示期满，予以通过")
    secretary.fill("公示开始日期", day(20))
    secretary.fill("公示结束日期", day(10))
    secretary.submit()

    office = people(cast.user("county_poverty_office", "county"))
    office.take(PROJECT, "县级审核")
    office.see(third.head_name)  # the roster it approves, with the amounts
    office.see("¥15,000.00")
    office.tick("通过")
    office.fill("意见或理由", "符合申报条件。")
    office.submit()

    group = people(cast.user("county_leading_group", "county"))
    group.take(PROJECT, "领导小组审定")
    group.tick("通过")
    group.fill("意见或理由", "同意立项。")
    group.fill("批复文号", "织扶领〔2026〕42号")
    group.fill("批复日期", day(9))
    group.submit()

    finance = people(cast.user("county_finance_bureau", "county"))
    finance.take(PROJECT, "下达资金")
    finance.fill("资金下达文号", "织财农〔2026〕42号")
    finance.fill("已下达资金（元）", "30000.00")
    finance.fill("资金下达日期", day(8))
    finance.submit()

    station = people(cast.user("township_work_station", "A"))
    station.take(PROJECT, "分散直补协议")
    station.fill("协议签订日期", day(7))
    station.tick("受益户名册内的农户均已签订")
    station.submit()

    secretary.take(PROJECT, "进度报告")
    secretary.fill("完成比例（%）", "100")
    secretary.fill("进度与质量情况", "菌棒全部入户，长势良好。")
    secretary.submit()

    demo.advance_to(project, "payment")  # inspection, acceptance, reimbursement: journey (b)
    finance.take(PROJECT, "资金拨付")
    finance.fill("付款凭证号", "PZ-2026-0042")
    finance.fill("拨付日期", "2026-12-01")
    finance.submit()
    finance.menu("项目")
    finance.click(PROJECT)
    finance.see("拨付日期 2026年12月1日")
    finance.see("已拨付 ¥30,000.00")  # the ledger: paid out to both households, ¥15,000 each


def test_the_leading_group_sees_why_an_approval_over_the_cap_is_refused(cast, people):
    """The cap checked again at approval: a form-wide error, shown above the decision."""
    households = cast.households["A1"]
    projects = []
    for name in ("乐丰村竹荪种植补助项目", "乐丰村茶叶种植补助项目"):
        project = demo.start_project(
            cast.user("village_secretary", "A1"),
            name=name,
            industry="种植",
            village=cast.regions["A1"],
            mode=ImplementationMode.DIRECT_SUBSIDY,
            funds_amount="36000.00",
        )
        demo.advance_to(project, "leading_group_approval")
        projects.append(project)
    first, second = projects
    demo.do_step(first)  # approved: each of the three households now has ¥12,000

    group = people(cast.user("county_leading_group", "county"))
    group.take(second.name, "领导小组审定")
    group.tick("通过")
    group.fill("意见或理由", "同意。")
    group.fill("批复文号", "织扶领〔2026〕9号")
    group.fill("批复日期", "2026-11-20")
    group.press("办理", exact=True)
    group.see(f"{households[0].head_name}累计直补金额将达¥24,000.00")
    second.refresh_from_db()
    assert second.approved_on is None
