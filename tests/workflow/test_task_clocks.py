"""Stored deadlines (task.clock): written when a task is created, rewritten by the sweep and
when a county changes a limit, equal to what workflow/deadlines.py computes, and filterable
in SQL. Township review: 5 working days; arriving Fri 2025-09-26 it is due Fri Oct 10."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from processes.models import ImplementationMode
from workflow.deadlines import (
    deadline_of,
    live_tasks,
    overdue_q,
    refresh_worked,
    stored_deadline,
)
from workflow.models import StageLimit, TaskClock
from workflow.supervision import sweep
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def clock_of(task):
    return stored_deadline(TaskClock.objects.get(task_id=task.pk))


@pytest.fixture
def in_review(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY)
    driver.run(project, until="township_review")
    return driver, project, driver.open_task(project)


def test_a_new_task_gets_its_deadline_stored(in_review):
    _driver, _project, task = in_review
    assert clock_of(task) == deadline_of(task)
    assert clock_of(task).limit.working_days == 5


def test_the_sweep_rewrites_a_clock_and_overdue_is_a_filter(in_review):
    _driver, _project, task = in_review
    created = datetime.datetime(2025, 9, 26, 9, tzinfo=SHANGHAI)
    ScopedTask.objects.filter(pk=task.pk).update(created=created)
    sweep(D(2025, 10, 10))
    task.refresh_from_db()
    assert clock_of(task).due == D(2025, 10, 10) == deadline_of(task).due
    live = ScopedTask.objects.filter(pk=task.pk)
    assert not live.filter(overdue_q(D(2025, 10, 10))).exists()
    assert live.filter(overdue_q(D(2025, 10, 11))).exists()


def test_a_county_limit_re_times_the_countys_open_tasks(cast, in_review):
    _driver, _project, task = in_review
    other = Driver(cast, "B1").start(mode=ImplementationMode.DIRECT_SUBSIDY)
    other_task = Driver(cast, "B1").open_task(other)
    before = clock_of(other_task)
    limit = StageLimit.objects.create(
        county=cast.regions["county"], node="township_review", working_days=9
    )
    assert clock_of(task).limit.working_days == 9 and clock_of(task) == deadline_of(task)
    limit.delete()
    assert clock_of(task).limit.working_days == 5
    assert clock_of(other_task) == before


def test_the_next_task_of_a_project_gets_its_own_clock(in_review, cast):
    driver, project, task = in_review
    driver.step(project, "township_review")
    following = driver.open_task(project)
    assert following.pk != task.pk
    assert clock_of(following) == deadline_of(following)
    # the finished review records the working days it took, its village and its stage
    done = TaskClock.objects.get(task_id=task.pk)
    assert (done.worked, done.region, done.stage) == (0, cast.regions["A1"], "application")


def test_backdated_finished_tasks_are_recounted(in_review):
    driver, project, task = in_review
    driver.step(project, "township_review")
    ScopedTask.objects.filter(pk=task.pk).update(
        created=datetime.datetime(2025, 9, 26, 9, tzinfo=SHANGHAI),
        finished=datetime.datetime(2025, 10, 13, 9, tzinfo=SHANGHAI),
    )
    assert refresh_worked(ScopedTask.objects.filter(pk=task.pk)) == 1
    assert TaskClock.objects.get(task_id=task.pk).worked == 7  # over National Day 2025


def test_live_tasks_of_a_county_are_its_own(cast, in_review):
    _driver, _project, task = in_review
    elsewhere = f.county("纳雍县")
    assert task.pk in set(live_tasks(cast.county.pk).values_list("pk", flat=True))
    assert not live_tasks(elsewhere.pk).exists()


def test_a_resubmitted_review_stores_its_paused_clock(in_review):
    driver, project, _task = in_review
    driver.step(project, "township_review", decision="back", reason="户名册不全。")
    driver.step(project, "application")
    review = driver.open_task(project)
    assert review.flow_task.name == "township_review"
    assert clock_of(review) == deadline_of(review)
