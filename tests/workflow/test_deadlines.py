"""Deadlines over simulated time: reminder → overdue → escalation, paused by a send-back.

Time is passed in (``sweep(today)``, task ``created`` set in the database), never slept on.
Township review has the default limit of 5 working days, reminder 2 before, escalation 5
after. Arriving Fri 2025-09-26, before National Day: due Fri Oct 10 (Sep 28 make-up, 29,
30, Oct 9, 10); reminder from Sep 30; overdue from Sat Oct 11; escalated from Oct 16
(Oct 11 make-up, 13, 14, 15, 16).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from ground.models import AuditEntry
from processes.models import ImplementationMode
from workflow.deadlines import (
    DUE_SOON,
    ESCALATED,
    OK,
    OVERDUE,
    Limit,
    deadline_of,
    status_of,
    superior_role,
)
from workflow.models import DeadlineAlert, Notification, StageLimit
from workflow.supervision import sweep
from workflow.tasks import ScopedTask

from ..flowdriver import Driver

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(day: datetime.date, hour=9):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def backdate(task, created, finished=None):
    ScopedTask.objects.filter(pk=task.pk).update(created=created, finished=finished)
    task.refresh_from_db()
    return task


@pytest.fixture
def in_review(cast):
    for user in cast.users.values():
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY)
    driver.run(project, until="township_review")
    task = backdate(driver.open_task(project), at(D(2025, 9, 26)))
    return driver, project, task


def notified(kind):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


def test_deadline_counts_working_days_across_the_holiday_week(in_review):
    _, _, task = in_review
    deadline = deadline_of(task)
    assert deadline.limit == Limit(5, 2, 5)
    assert (deadline.remind_on, deadline.due, deadline.escalate_on) == (
        D(2025, 9, 30),
        D(2025, 10, 10),
        D(2025, 10, 16),
    )
    assert status_of(task, D(2025, 9, 29)) == OK
    assert status_of(task, D(2025, 10, 8)) == DUE_SOON
    assert status_of(task, D(2025, 10, 10)) == DUE_SOON  # may still act on the day
    assert status_of(task, D(2025, 10, 11)) == OVERDUE  # a make-up Saturday
    assert status_of(task, D(2025, 10, 16)) == ESCALATED


def test_a_county_sets_its_own_limit(in_review, cast):
    _, _, task = in_review
    StageLimit.objects.create(
        county=cast.county,
        node="township_review",
        working_days=3,
        remind_before_days=1,
        escalate_after_days=2,
    )
    deadline = deadline_of(task)
    assert deadline.due == D(2025, 9, 30)
    assert deadline.remind_on == D(2025, 9, 29)
    assert deadline.escalate_on == D(2025, 10, 10)


def test_reminder_then_overdue_then_escalation_each_sent_once(
    in_review, cast, django_capture_on_commit_callbacks
):
    _, project, task = in_review
    station = cast.user("township_work_station", "A")

    assert sweep(D(2025, 9, 29)).reminders == 0
    assert not Notification.objects.filter(
        kind__in=[Notification.Kind.REMINDER, Notification.Kind.OVERDUE]
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):  # emails go out after commit
        result = sweep(D(2025, 9, 30))
    assert (result.reminders, result.overdue, result.escalations) == (1, 0, 0)
    assert notified("reminder") == [station.username]  # unclaimed: everyone holding the role
    assert mail.outbox[-1].to == [station.email] and project.name in mail.outbox[-1].body
    assert sweep(D(2025, 9, 30)).reminders == 0  # idempotent
    assert sweep(D(2025, 10, 10)).reminders == 0

    result = sweep(D(2025, 10, 11))
    assert (result.reminders, result.overdue, result.escalations) == (0, 1, 0)
    assert DeadlineAlert.objects.filter(task=task, level="overdue").exists()  # persisted mark
    # a township role's superior is the township lead of that township
    assert notified("overdue") == sorted([station.username, "township_lead_A"])

    assert sweep(D(2025, 10, 15)).escalations == 0
    result = sweep(D(2025, 10, 16))
    assert (result.reminders, result.overdue, result.escalations) == (0, 0, 1)
    assert notified("escalation") == ["county_discipline_county", "county_poverty_office_county"]
    assert sweep(D(2025, 10, 20)) == type(result)()  # nothing more, ever

    entries = AuditEntry.objects.filter(act__startswith="deadline.").order_by("seq")
    assert [(e.act, e.actor_id, e.actor_name, e.project_id) for e in entries] == [
        ("deadline.remind", None, "system", project.pk),
        ("deadline.overdue", None, "system", project.pk),
        ("deadline.escalate", None, "system", project.pk),
    ]
    assert entries[1].after["due"] == "2025-10-10"


def test_a_late_first_sweep_acts_on_every_level_reached_in_order(in_review):
    result = sweep(D(2025, 10, 20))
    assert (result.reminders, result.overdue, result.escalations) == (1, 1, 1)


def test_claimed_task_reminds_only_its_owner(in_review, cast):
    driver, project, task = in_review
    owner = cast.user("township_work_station", "A")
    client = cast.client(owner)
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    sweep(D(2025, 9, 30))
    assert notified("reminder") == [owner.username]


def test_the_management_command_sweeps_for_a_given_day(in_review, capsys):
    call_command("sweep_deadlines", "--date", "2025-10-11")
    assert "reminders=1 overdue=1 escalations=0" in capsys.readouterr().out
    call_command("sweep_deadlines", "--date", "2025-10-11")
    assert "reminders=0 overdue=0 escalations=0" in capsys.readouterr().out


def test_send_back_pauses_the_review_clock(in_review, cast):
    """The review used 3 working days (Sep 26 → Sep 30: Sep 28 make-up, 29, 30) before
    sending the work back; the correction does not count; the resubmitted review has
    5 − 3 = 2 working days left."""
    driver, project, task = in_review
    driver.step(project, "township_review", decision="back", reason="户名册不全。")
    backdate(task, at(D(2025, 9, 26)), at(D(2025, 9, 30), 16))
    correction = driver.open_task(project)
    assert correction.flow_task.name == "application" and correction.data.get("returned")
    backdate(correction, at(D(2025, 9, 30), 16))
    # the correction runs on its own step's clock (application: 14 working days)
    assert deadline_of(correction).due == D(2025, 10, 27)

    driver.step(project, "application")
    review = backdate(driver.open_task(project), at(D(2025, 10, 20)))
    deadline = deadline_of(review)
    assert deadline.used_before == 3
    assert deadline.due == D(2025, 10, 22)  # Oct 21, 22

    # once the review passes the work on, the next round starts afresh
    driver.step(project, "township_review")
    assert driver.open_task(project).flow_task.name == "public_notice"


def test_superiors_follow_the_chain_of_command(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00")
    expected = {
        "application": ("township_lead", cast.regions["A"]),
        "township_review": ("township_lead", cast.regions["A"]),
        "public_notice": ("township_lead", cast.regions["A"]),
        "county_review": ("county_leading_group", cast.county),
        "leading_group_approval": ("county_poverty_office", cast.county),
        "funds_issue": ("county_leading_group", cast.county),
        "entrustment_agreement": ("county_poverty_office", cast.county),
        "benefit_linkage_agreements": ("township_lead", cast.regions["A"]),
    }
    for node, (role, region) in expected.items():
        task = driver.open_task(project)
        assert task.flow_task.name == node
        got = superior_role(task)
        assert (got[0].code, got[1]) == (role, region), node
        driver.step(project, node)


def test_deadlines_of_many_tasks_takes_four_queries(cast, django_assert_num_queries):
    from workflow.deadlines import deadlines_of

    driver = Driver(cast, "A1")
    for i in range(3):
        project = driver.start(name=f"项目{i}")
        driver.run(project, until="township_review" if i else "public_notice")
    tasks = list(ScopedTask.objects.filter(flow_task_type="HUMAN", status="NEW"))
    assert len(tasks) == 3
    with django_assert_num_queries(4):  # places, county limits, done steps, send-backs
        deadlines = deadlines_of(tasks)
    assert all(d is not None for d in deadlines.values())
    fresh = Driver(cast, "A2").start(name="新项目")
    task = Driver(cast, "A2").open_task(fresh)
    with django_assert_num_queries(4):  # nothing done yet: still four queries
        deadlines_of([task])
