"""Post-maintenance dividends: the yearly schedule from the agreement, the amounts computed
from the operator's report, the village's notice, the payout and its flags; and at term end
renewal by a new agreement or termination with the principal returned (DOMAIN.md §3–§4)."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from viewflow.workflow.status import PROCESS

from ground.models import AuditEntry
from processes import demo
from processes.models import (
    Agreement,
    DividendYear,
    FundMovement,
    ImplementationMode,
    MaintenanceReport,
)
from processes.rules import RuleViolation
from processes.rules.dividends import (
    add_years,
    check_principal_returned,
    check_renewal_rate,
    guaranteed_dividend,
    share_equally,
)
from processes.rules.income_split import split_income
from processes.rules.income_split import split_income as split_dividend  # one split since #17

from ..flowdriver import Driver, years_back

D = Decimal
YEAR = ["maintenance_report", "maintenance_review", "dividend_notice"]


# --- rules -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0.00", "0.01", "100.01", "1234567.89", "18000.00", "7.77"])
def test_the_70_percent_split_is_the_721_split(amount):
    ours, seed = split_dividend(D(amount)), split_income(D(amount))
    assert (ours.households, ours.collective, ours.fund) == (
        seed.households,
        seed.collective,
        seed.fund,
    )
    assert ours.total == D(amount)


def test_a_larger_household_share_leaves_the_village_two_parts_to_one():
    split = split_dividend(D("100000.00"), D("75"))
    assert (split.collective, split.fund) == (D("16666.66"), D("8333.33"))
    assert split.households == D("75000.01")  # the fen lost to rounding is the households'
    assert split.total == D("100000.00")


@pytest.mark.parametrize("share", ["69.99", "100.01"])
def test_a_household_share_outside_70_to_100_percent_is_refused(share):
    with pytest.raises(RuleViolation):
        split_dividend(D("100.00"), D(share))


@pytest.mark.parametrize(("amount", "count"), [("0.02", 3), ("100.00", 3), ("12600.01", 7)])
def test_equal_shares_sum_to_the_amount_and_differ_by_at_most_a_fen(amount, count):
    parts = share_equally(D(amount), count)
    assert sum(parts) == D(amount) and len(parts) == count
    assert max(parts) - min(parts) <= D("0.01")
    assert parts == sorted(parts, reverse=True)  # the leftover fen go to the first in order


def test_the_guaranteed_dividend_is_rounded_up_to_the_fen():
    assert guaranteed_dividend(D("300000.00"), D("6.00")) == D("18000.00")
    assert guaranteed_dividend(D("333.33"), D("5.00")) == D("16.67")  # 16.6665 → 16.67


def test_years_are_counted_from_29_february_to_28_february():
    assert add_years(datetime.date(2028, 2, 29), 1) == datetime.date(2029, 2, 28)


def test_a_renewal_must_keep_the_guaranteed_dividend_rising():
    check_renewal_rate(D("7.01"), D("7.00"))
    with pytest.raises(RuleViolation, match="7.00"):
        check_renewal_rate(D("7.00"), D("7.00"))


def test_the_whole_principal_is_returned():
    check_principal_returned(D("300000.00"), D("300000.00"))
    with pytest.raises(RuleViolation):
        check_principal_returned(D("299999.99"), D("300000.00"))


# --- over HTTP -----------------------------------------------------------------------


def dividend_project(cast, mode=ImplementationMode.GUARANTEED_DIVIDEND, starts_on=None):
    """A project through acceptance and payment, its agreement starting on ``starts_on``
    (by default its story starts four years back: four agreement years may be reported)."""
    driver = Driver(cast, "A2")
    project = driver.start(
        mode=mode, funds="300000.00", name="乐丰村生猪养殖项目", meeting_date=years_back(4)
    )
    driver.run(project, until="entrustment_agreement")
    data = demo.step_data("entrustment_agreement", project)
    if starts_on:
        data["starts_on"] = data["signed_on"] = starts_on.isoformat()
    driver.step(project, "entrustment_agreement", data=data)
    driver.run(project, until="maintenance_report")
    return driver, project


def claimed_form(cast, driver, project, role, key):
    """The open step claimed by ``role`` at ``key``: (its client, its form's address)."""
    task = driver.open_task(project)
    client = cast.client(cast.user(role, key))
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    return client, task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def run_years(driver, project, years=3):
    for _ in range(years):
        for step in YEAR:
            driver.step(project, step)
        driver.step(project, "dividend_payout", data=demo.payout_in_full(project))


def pay(driver, project, short=None):
    """The operator pays the published list; ``short`` is paid 100 yuan less."""
    data = demo.payout_in_full(project)
    if short is not None:
        key = f"paid_{short.pk}"
        data[key] = str(D(data[key]) - 100)
    driver.act(project, "dividend_payout", data=data)


def test_a_three_year_guaranteed_dividend_schedule_runs_end_to_end(cast):
    today = datetime.date.today()
    starts_on = add_years(today, -3) - datetime.timedelta(days=10)  # three years are over
    driver, project = dividend_project(cast, starts_on=starts_on)

    years = list(project.dividend_years.order_by("year"))
    assert [(y.year, y.rate, y.guaranteed) for y in years] == [
        (1, D("6.00"), D("18000.00")),
        (2, D("6.50"), D("19500.00")),
        (3, D("7.00"), D("21000.00")),
    ]
    assert years[0].period_start == starts_on
    assert years[0].due_on == add_years(starts_on, 1) - datetime.timedelta(days=1) + (
        datetime.timedelta(days=30)
    )

    # Year 1: the operator reports; the township accepts; the amounts are fixed.
    for step in YEAR:
        driver.act(project, step)
    year = project.dividend_years.get(year=1)
    assert year.status == DividendYear.Status.PUBLISHED
    assert (year.households_part, year.collective_part, year.fund_part) == (
        D("12600.00"),
        D("3600.00"),
        D("1800.00"),
    )
    shares = list(year.shares.order_by("household_id"))
    assert [s.amount_due for s in shares] == [D("4200.00")] * 3

    # The village's list shows each household's dividend; the operator pays one short, late.
    secretary = cast.client(cast.user("village_secretary", "A2"))
    page = secretary.get(f"/projects/{project.pk}/dividends/1/").content.decode()
    assert shares[0].household.head_name in page and "¥4,200.00" in page
    pay(driver, project, short=shares[0])
    year.refresh_from_db()
    shares[0].refresh_from_db()
    assert year.status == DividendYear.Status.PAID and year.is_late()
    assert shares[0].amount_paid == D("4100.00") and shares[0].is_short()
    payout = AuditEntry.objects.filter(project_id=project.pk, act="task.complete").last()
    assert payout.after["late"] is True
    assert payout.after["short_households"] == [shares[0].household.head_name]

    # Years 2 and 3 reported the day after each year ended, paid in full and on time.
    for _ in (2, 3):
        driver.act(project, "maintenance_report")
        demo.backdate_report(project)
        for step in YEAR[1:]:
            driver.act(project, step)
        pay(driver, project)
    assert driver.open_task(project).flow_task.name == "term_end"
    assert [
        (y.year, y.status, y.distributable) for y in project.dividend_years.order_by("year")
    ] == [
        (1, "paid", D("18000.00")),
        (2, "paid", D("19500.00")),
        (3, "paid", D("21000.00")),
    ]
    assert not project.dividend_years.get(year=2).is_late()

    # The township's ledger flags year 1 only; other townships see nothing of it.
    lead = cast.client(cast.user("township_lead", "A"))
    flagged = lead.get("/projects/ledger/").context["flagged"]
    assert [(y.project_id, y.year, y.late, y.short) for y in flagged] == [
        (project.pk, 1, True, True)
    ]
    assert (
        cast.client(cast.user("township_lead", "B")).get("/projects/ledger/").context["flagged"]
        == []
    )

    # The payouts are in the Excel export, one row per household per year plus the village's.
    book = load_workbook(io.BytesIO(lead.get("/projects/ledger.xlsx").getvalue()))
    sheet = book["分红发放"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 * (3 + 2)
    short_row = next(r for r in rows if r[3] == 1 and r[4] == shares[0].household.head_name)
    assert (short_row[5], short_row[6], short_row[9]) == (4200, 4100, "逾期、少付")


def test_termination_returns_the_principal_to_the_village_collective(cast):
    driver, project = dividend_project(cast)
    run_years(driver, project)

    # Only the township lead of the project's township decides.
    other_lead = cast.client(cast.user("township_lead", "B"))
    assert project.name not in other_lead.get("/workflow/queue/").content.decode()
    driver.act(project, "term_end", data={"outcome": "terminate", "reason": "经营主体不再续签。"})
    assert project.agreement.outcome == Agreement.Outcome.TERMINATED

    # A short return is refused with the rule, and nothing is recorded.
    assert driver.open_task(project).flow_task.name == "principal_return"
    secretary, url = claimed_form(cast, driver, project, "village_secretary", "A2")
    bad = {
        "amount": "299999.99",
        "returned_on": datetime.date.today().isoformat(),
        "voucher_no": "SK-1",
    }
    response = secretary.post(url, bad)
    assert response.status_code == 200
    assert "退还全部本金" in response.content.decode()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = secretary.post(
        url, {"amount": "300000.00", "returned_on": tomorrow, "voucher_no": "SK-1"}
    )
    assert response.status_code == 200 and "returned_on" in response.context["form"].errors
    assert "尚未到来" in response.content.decode()
    assert not project.fund_movements.filter(kind=FundMovement.Kind.RETURNED).exists()

    driver.act(project, "principal_return")
    returned = project.fund_movements.get(kind=FundMovement.Kind.RETURNED)
    assert returned.amount == D("300000.00") and "集体经济组织" in returned.payee
    assert returned.audit_entry.actor == cast.user("village_secretary", "A2")
    project.process.refresh_from_db()
    assert project.process.status == PROCESS.DONE
    agreement = Agreement.objects.get(project=project)
    assert agreement.principal_returned == D("300000.00") and agreement.principal_voucher
    page = cast.client(cast.user("township_lead", "A")).get(f"/projects/{project.pk}/")
    assert "¥300,000.00" in page.content.decode() and "已终止" in page.content.decode()


def test_renewal_is_a_new_agreement_whose_dividend_keeps_rising(cast):
    driver, project = dividend_project(cast)
    run_years(driver, project)

    renew = {
        "outcome": "renew",
        "reason": "合作良好，续签三年。",
        "signed_on": datetime.date.today().isoformat(),
        "term_years": "3",
        "first_year_rate": "7.00",  # not above year 3's 7.00 %
        "yearly_increase": "0.50",
        "collateral_value": "320000.00",
        "collateral_description": "养殖场房屋及设备抵押",
    }
    lead, url = claimed_form(cast, driver, project, "township_lead", "A")
    response = lead.post(url, renew)
    assert response.status_code == 200
    assert "逐年递增" in response.content.decode()
    assert project.agreements.count() == 1

    driver.act(project, "term_end", data={**renew, "first_year_rate": "7.50"})
    first, second = project.agreements.order_by("number")
    assert first.outcome == Agreement.Outcome.RENEWED and second.outcome == ""
    assert (second.number, second.first_year, second.last_year) == (2, 4, 6)
    assert second.starts_on == add_years(first.starts_on, 3)
    assert [(y.year, y.rate) for y in second.years.order_by("year")] == [
        (4, D("7.50")),
        (5, D("8.00")),
        (6, D("8.50")),
    ]
    # The township signed the renewed entrustment; the operator countersigns it.
    entrustment = project.documents.get(kind="entrustment").edition
    assert entrustment.number == 2 and entrustment.snapshot["terms"]["renews"] is True
    driver.act(project, "renewal_countersign")
    assert entrustment.signatures.count() == 2
    # Post-maintenance goes on with year 4.
    driver.act(project, "maintenance_report")
    assert project.maintenance_reports.get(status="submitted").year == 4


def test_equity_dividends_follow_the_reported_returns_and_the_agreed_share(cast):
    driver, project = dividend_project(cast, mode=ImplementationMode.EQUITY_DIVIDEND)
    driver.act(
        project,
        "maintenance_report",
        data={"income": "100000.00", "condition": "运行正常。"},
    )
    year = project.dividend_years.get(year=1)
    assert year.rate is None and year.income == D("100000.00")
    # The agreement gives households 75 %; the village keeps the rest, two parts to one.
    assert (year.households_part, year.collective_part, year.fund_part) == (
        D("75000.01"),
        D("16666.66"),
        D("8333.33"),
    )
    assert sorted(s.amount_due for s in year.shares.all()) == [
        D("25000.00"),
        D("25000.00"),
        D("25000.01"),
    ]


def test_objections_to_the_dividend_list_send_the_report_back_to_the_operator(cast):
    driver, project = dividend_project(cast)
    driver.act(project, "maintenance_report")
    driver.act(project, "maintenance_review")
    # The village sees the list it is to post on the task page itself.
    secretary, url = claimed_form(cast, driver, project, "village_secretary", "A2")
    page = secretary.get(url)
    household = cast.households["A2"][0]
    assert household.head_name in page.content.decode() and "¥4,200.00" in page.content.decode()
    driver.act(project, "dividend_notice", decision="back", reason="收入数据与账目不符。")

    report = project.maintenance_reports.get()
    assert report.status == MaintenanceReport.Status.RETURNED
    year = project.dividend_years.get(year=1)
    assert year.status == DividendYear.Status.SCHEDULED and not year.shares.exists()
    task = driver.open_task(project)
    assert task.flow_task.name == "maintenance_report"
    assert task.owner == cast.user("operator", "A")
    assert task.data["returned"]["reason"] == "收入数据与账目不符。"
    driver.act(project, "maintenance_report")
    assert project.dividend_years.get(year=1).status == DividendYear.Status.COMPUTED


def test_a_dividend_list_is_not_visible_outside_the_jurisdiction(cast):
    driver, project = dividend_project(cast)
    url = f"/projects/{project.pk}/dividends/1/"
    assert cast.client(cast.user("township_work_station", "A")).get(url).status_code == 200
    for role, key in [
        ("township_work_station", "B"),
        ("township_lead", "B"),
        ("village_secretary", "A1"),
        ("village_secretary", "B1"),
    ]:
        assert cast.client(cast.user(role, key)).get(url).status_code == 404, (role, key)
