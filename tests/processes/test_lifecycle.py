"""A project from planning meeting to the end of post-maintenance, over HTTP, each step
done by the official whose role and region it belongs to."""

from decimal import Decimal

import pytest
from viewflow.workflow.status import PROCESS

from ground.models import AuditEntry
from processes.models import AcceptanceRecord, ImplementationMode, MaintenanceReport

from ..flowdriver import Driver, years_back

DIRECT_SUBSIDY_STEPS = [
    "application",
    "township_review",
    "public_notice",
    "county_review",
    "leading_group_approval",
    "funds_issue",
    "subsidy_agreements",
    "progress_report",
    "township_supervision",
    "village_self_check",
    "township_acceptance",
    "county_acceptance",
    "reimbursement",
    "reimbursement_poverty_review",
    "reimbursement_finance_review",
    "payment",
    "maintenance_report",
    "maintenance_review",
    "maintenance_report",
    "maintenance_review",
    "maintenance_report",
    "maintenance_review",
]
DIVIDEND_YEAR = ["maintenance_report", "maintenance_review", "dividend_notice", "dividend_payout"]
DIVIDEND_STEPS = (
    DIRECT_SUBSIDY_STEPS[:6]
    + ["entrustment_agreement", "benefit_linkage_agreements"]
    + DIRECT_SUBSIDY_STEPS[7:16]
    + DIVIDEND_YEAR * 3
    + ["term_end", "principal_return"]
)


def test_direct_subsidy_project_runs_from_planning_meeting_to_end_of_maintenance(cast):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.DIRECT_SUBSIDY,
        funds="60000.00",
        meeting_date=years_back(3),
        http=True,
    )

    for step in DIRECT_SUBSIDY_STEPS:
        driver.act(project, step)

    project.process.refresh_from_db()
    assert project.process.status == PROCESS.DONE
    assert driver.open_task(project) is None
    # Each of the three households got a third of the funds, paid only at the payment step.
    subsidies = sorted(b.subsidy for b in project.beneficiaries.all())
    assert subsidies == [Decimal("20000.00")] * 3
    assert all(
        b.paid_on is not None and b.agreement_signed_on is not None
        for b in project.beneficiaries.all()
    )
    assert project.responsible_leader == cast.user("township_lead", "A")
    assert project.approval_doc_no and project.funds_issued == Decimal("60000.00")
    assert list(project.acceptance_records.values_list("level", flat=True)) == [
        AcceptanceRecord.Level.VILLAGE,
        AcceptanceRecord.Level.TOWNSHIP,
        AcceptanceRecord.Level.COUNTY,
    ]
    assert [
        r.year for r in project.maintenance_reports.filter(status=MaintenanceReport.Status.ACCEPTED)
    ] == [1, 2, 3]
    # Reports in direct-subsidy mode come from the village, not an operator.
    assert {r.reported_by for r in project.maintenance_reports.all()} == {
        cast.user("village_secretary", "A1")
    }
    acts = list(AuditEntry.objects.filter(project_id=project.pk).values_list("act", flat=True))
    assert acts.count("process.start") == 1
    assert acts.count("task.complete") == len(DIRECT_SUBSIDY_STEPS)
    assert "task.send_back" not in acts


@pytest.mark.parametrize(
    "mode", [ImplementationMode.EQUITY_DIVIDEND, ImplementationMode.GUARANTEED_DIVIDEND]
)
def test_dividend_project_runs_through_entrustment_and_benefit_linkage_to_the_end(cast, mode):
    driver = Driver(cast, "A2")
    project = driver.start(mode=mode, funds="300000.00", meeting_date=years_back(3), http=True)

    for step in DIVIDEND_STEPS:
        driver.act(project, step)

    project.process.refresh_from_db()
    assert project.process.status == PROCESS.DONE
    agreement = project.agreement
    assert agreement.term_years == 3 and agreement.benefit_linkage_signed_on is not None
    if mode == ImplementationMode.EQUITY_DIVIDEND:
        assert agreement.household_share >= Decimal("70") and agreement.manager_name
    else:
        assert (
            agreement.first_year_rate >= Decimal("5")
            and agreement.collateral_value >= project.funds_amount
        )
    operator_user = cast.user("operator", "A")
    assert {r.reported_by for r in project.progress_reports.all()} == {operator_user}
    assert {r.reported_by for r in project.maintenance_reports.all()} == {operator_user}
    # Dividend projects pay no direct subsidies to households.
    assert all(
        b.subsidy == Decimal("0.00") and b.paid_on is None for b in project.beneficiaries.all()
    )


def test_implementation_loops_on_progress_reports_until_construction_is_complete(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="progress_report")

    driver.act(
        project, "progress_report", data={"percent_complete": "40", "description": "基础完成"}
    )
    driver.act(project, "township_supervision")
    # Not complete yet: the next report goes straight back to the same reporter's inbox.
    task = driver.open_task(project)
    assert task.flow_task.name == "progress_report"
    assert task.owner == cast.user("village_secretary", "A1")
    driver.act(project, "progress_report", data={"percent_complete": "100", "description": "完工"})
    driver.act(project, "township_supervision")
    assert driver.open_task(project).flow_task.name == "village_self_check"


def test_next_official_sees_the_project_in_their_queue_and_claims_it_into_the_inbox(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.act(project, "application")

    station = cast.client(cast.user("township_work_station", "A"))
    assert project.name in station.get("/workflow/queue/").content.decode()
    task = driver.open_task(project)
    station.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    assert project.name in station.get("/workflow/inbox/").content.decode()
    assert project.name not in station.get("/workflow/queue/").content.decode()


def test_every_human_step_belongs_to_a_stage():
    from processes.flows import ProjectFlow
    from processes.stages import stage_of

    human = [n.name for n in ProjectFlow.instance.nodes() if n.task_type == "HUMAN"]
    assert len(human) > 20
    assert [name for name in human if stage_of(name) is None] == []
