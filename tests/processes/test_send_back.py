"""Every review can send work back (退回): it returns to whoever submitted it, with the reason."""

import pytest
from viewflow.workflow.status import STATUS

from ground.models import AuditEntry
from processes.models import ImplementationMode

from ..flowdriver import Driver, years_back

# review step -> the step it sends back to
REVIEWS = [
    ("township_review", "application"),
    ("public_notice", "application"),
    ("county_review", "township_review"),
    ("leading_group_approval", "county_review"),
    ("township_supervision", "progress_report"),
    ("township_acceptance", "village_self_check"),
    ("county_acceptance", "township_acceptance"),
    ("reimbursement_poverty_review", "reimbursement"),
    ("reimbursement_finance_review", "reimbursement"),
    ("maintenance_review", "maintenance_report"),
]
FOLLOWS = {
    "application": "township_review",
    "township_review": "public_notice",
    "county_review": "leading_group_approval",
    "progress_report": "township_supervision",
    "village_self_check": "township_acceptance",
    "township_acceptance": "county_acceptance",
    "reimbursement": "reimbursement_poverty_review",
    "maintenance_report": "maintenance_review",
}


@pytest.mark.parametrize("review, back_to", REVIEWS)
def test_send_back_returns_the_work_to_its_submitter_with_the_reason(cast, review, back_to):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00", meeting_date=years_back(1)
    )
    driver.run(project, until=review)
    submitter = driver.holder(back_to, project)
    reason = f"{review}：材料不全，请补充后重新提交。"

    reviewed = driver.act(project, review, decision="back", reason=reason)

    task = driver.open_task(project)
    assert task.flow_task.name == back_to
    assert task.status == STATUS.ASSIGNED and task.owner == submitter  # straight to their inbox
    client = cast.client(submitter)
    inbox = client.get("/workflow/inbox/").content.decode()
    assert project.name in inbox and reason in inbox
    page = client.get(
        task.flow_task.reverse("execute", args=[task.process_id, task.pk])
    ).content.decode()
    assert reason in page
    entry = AuditEntry.objects.get(act="task.send_back", object_id=str(reviewed.pk))
    assert entry.reason == reason and entry.after["send_back_to"] == back_to
    assert entry.actor == driver.holder(review, project)

    # Corrected and resubmitted, the work moves on to the step after it again.
    driver.act(project, back_to)
    assert driver.open_task(project).flow_task.name == FOLLOWS[back_to]


def test_sending_back_requires_a_reason(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="township_review")
    task = driver.open_task(project)
    client = cast.client(driver.holder("township_review", project))
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))

    response = client.post(
        task.flow_task.reverse("execute", args=[task.process_id, task.pk]),
        {"decision": "back", "reason": " "},
    )

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED  # nothing saved half-way


def test_a_review_without_a_gate_offers_approve_only(cast):
    """Steps whose gate has no way back (e.g. issuing funds) cannot be sent back."""
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="funds_issue")
    task = driver.open_task(project)
    client = cast.client(driver.holder("funds_issue", project))
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    page = client.get(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))
    assert "decision" not in page.context["form"].fields
