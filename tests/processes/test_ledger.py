"""Poverty funds: each movement tied to the act that caused it; totals per township and county."""

from decimal import Decimal

from processes.ledger import project_totals, totals_by_township
from processes.models import FundMovement, ImplementationMode

from ..flowdriver import Driver

D = Decimal


def test_direct_subsidy_funds_are_allocated_then_paid_to_each_household_after_acceptance(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="60000.00")
    driver.run(project, until="funds_issue")
    issued = driver.act(project, "funds_issue")
    assert project_totals(project) == {
        "allocated": D("60000.00"),
        "disbursed": D("0.00"),
        "reimbursed": D("0.00"),
        "returned": D("0.00"),
        "reclaimed": D("0.00"),
    }

    driver.run(project, until="payment")
    assert not project.fund_movements.filter(
        kind="disbursed"
    ).exists()  # not before acceptance and sign-off
    paid = driver.act(project, "payment")

    movements = list(project.fund_movements.order_by("pk"))
    assert [(m.kind, m.amount) for m in movements] == [
        ("allocated", D("60000.00")),
        ("disbursed", D("20000.00")),
        ("disbursed", D("20000.00")),
        ("disbursed", D("20000.00")),
        ("reimbursed", D("60000.00")),
    ]
    assert {m.household for m in movements if m.kind == "disbursed"} == set(cast.households["A1"])
    # every movement hangs on the act that caused it
    assert movements[0].audit_entry.object_id == str(issued.pk)
    assert movements[0].audit_entry.actor == cast.user("county_finance_bureau")
    assert {m.audit_entry.object_id for m in movements[1:]} == {str(paid.pk)}


def test_ledger_totals_per_township_stay_within_jurisdiction(cast):
    for village, funds in (("A1", "90000.00"), ("B1", "30000.00")):
        driver = Driver(cast, village)
        project = driver.start(
            mode=ImplementationMode.EQUITY_DIVIDEND, funds=funds, name=f"{village}项目"
        )
        driver.run(project, until="entrustment_agreement")
    county_rows = totals_by_township(cast.user("county_finance_bureau"))
    assert [(r["region"], r["allocated"]) for r in county_rows] == [
        ("桂果镇", D("30000.00")),
        ("珠藏镇", D("90000.00")),
    ]
    response = cast.client(cast.user("county_finance_bureau")).get("/projects/ledger/")
    page = response.content.decode()
    assert "¥120,000.00" in page
    township_page = (
        cast.client(cast.user("township_lead", "A")).get("/projects/ledger/").content.decode()
    )
    assert "珠藏镇" in township_page and "桂果镇" not in township_page
    assert FundMovement.objects.count() == 2


def test_the_village_secretary_sees_the_villages_row_under_the_villages_name(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="90000.00", name="A1项目")
    driver.run(project, until="entrustment_agreement")
    village, township = cast.regions["A1"].name, cast.regions["A"].name
    rows = totals_by_township(cast.user("village_secretary", "A1"))
    assert [(r["region"], r["allocated"]) for r in rows] == [(village, D("90000.00"))]
    page = cast.client(cast.user("village_secretary", "A1")).get("/projects/ledger/")
    ledger_table = page.content.decode().split('class="qy-table qy-ledger"')[1].split("</table>")[0]
    assert f"<td>{village}</td>" in ledger_table and township not in ledger_table
    # the township still reads its townships' rows
    rows = totals_by_township(cast.user("township_lead", "A"))
    assert [r["region"] for r in rows] == [township]
