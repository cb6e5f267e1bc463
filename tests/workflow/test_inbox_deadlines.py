"""The inbox and the queue show each task's deadline (办理时限) and, when late, its status."""

import datetime

from django.utils import formats
from viewflow.workflow.status import STATUS

from workflow.deadlines import deadline_of
from workflow.tasks import ScopedTask

from ..flowdriver import Driver


def test_queue_and_inbox_show_the_deadline_and_flag_a_late_task(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    task = driver.open_task(project)
    station = cast.client(cast.user("township_work_station", "A"))

    due = formats.date_format(deadline_of(task).due, "SHORT_DATE_FORMAT")
    queue = station.get("/workflow/queue/").content.decode()
    assert "办理时限" in queue and due in queue and "已超期" not in queue

    # Waiting for 30 days: past its five working days, and the inbox says so once claimed.
    ScopedTask.objects.filter(pk=task.pk).update(created=task.created - datetime.timedelta(days=30))
    station.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED
    inbox = station.get("/workflow/inbox/").content.decode()
    late = formats.date_format(deadline_of(task).due, "SHORT_DATE_FORMAT")
    assert (
        late in inbox and "已升级督办" in inbox
    )  # 30 days is past the limit and the escalation period


def test_the_task_page_shows_its_deadline(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    task = driver.open_task(project)
    secretary = cast.client(cast.user("village_secretary", "A1"))
    if task.status == STATUS.NEW:
        secretary.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    page = secretary.get(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))
    due = formats.date_format(deadline_of(task).due)
    assert "办理时限" in page.content.decode() and due in page.content.decode()
