"""The desk (工作台) at "/": what waits for each official, after sign-in, in a fixed number of
queries however much there is."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from permissions.roles import TOWNSHIP_WORK_STATION
from processes import dashboard
from workflow import operations
from workflow.deadlines import LIVE, deadline_of
from workflow.models import TaskClock
from workflow.supervision import sweep
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver


def claim(client, task):
    assert (
        client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk])) is not None
    )


def submitted(cast, village_key, name):
    """A project of ``village_key`` whose township review waits in the queue."""
    driver = Driver(cast, village_key)
    project = driver.start(name=name)
    driver.step(project, "application")
    return project, driver.open_task(project)


def text(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def desk(cast):
    """Township A: one review claimed by its work station, one waiting in the queue; the
    station asked the township lead to sign and copied the project to them. Township B
    has a review of its own."""
    station = cast.user("township_work_station", "A")
    lead = cast.user("township_lead", "A")
    mine, claimed = submitted(cast, "A1", "乐丰村竹荪项目")
    claim(cast.client(station), claimed)
    claimed.refresh_from_db()
    waiting, queued = submitted(cast, "A2", "大寨村茶叶项目")
    submitted(cast, "B1", "牛场村辣椒项目")
    operations.add_signer(station, claimed, lead, "请领导签署意见")
    operations.carbon_copy(station, claimed, [lead], "请知悉进度")
    return {"claimed": claimed, "queued": queued, "mine": mine, "waiting": waiting}


def test_signing_in_and_the_site_root_lead_to_the_desk(cast, client):
    station = cast.user("township_work_station", "A")
    station.set_password("pw-for-the-test")
    station.save()
    response = client.post(
        "/accounts/login/", {"username": station.username, "password": "pw-for-the-test"}
    )
    assert response.status_code == 302 and response.url == "/"
    page = client.get("/")
    assert page.status_code == 200 and "工作台" in page.content.decode()


def test_signed_out_visitors_are_asked_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_station_sees_its_inbox_and_queue_with_deadlines(cast, desk):
    page = cast.client(cast.user("township_work_station", "A")).get("/").content.decode()
    words = text(page)
    claimed, queued = desk["claimed"], desk["queued"]
    assert "待办 1" in words and "待签收 1" in words
    assert "乐丰村竹荪项目" in words and "大寨村茶叶项目" in words
    assert "牛场村辣椒项目" not in words  # township B's work is not A's
    for task in (claimed, queued):
        due = deadline_of(task).due.strftime("%Y-%m-%d")
        assert f"办理时限 {due}" in words
        index = task.flow_task.reverse("index", args=[task.process_id, task.pk])
        assert f'href="{index}"' in page
    assert "辖区项目" not in words  # the five-ones counts are for leads and supervisors


def test_the_township_lead_sees_sign_offs_copies_notifications_and_counts(cast, desk):
    lead = cast.user("township_lead", "A")
    page = cast.client(lead).get("/").content.decode()
    words = text(page)
    sign_off = operations.pending_sign_offs(lead).get()
    assert f'href="/approvals/sign-offs/{sign_off.pk}/"' in page
    assert "请领导签署意见" in words and "请知悉进度" in words
    assert f'href="/projects/{desk["mine"].pk}/"' in page  # the copy opens the project
    assert "请您对项目“乐丰村竹荪项目”" in words  # the newest notifications
    counts = {v: int(k) for k, v in re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", page)}
    assert counts == {
        "辖区项目": 2,
        "我任责任领导": 0,
        "未落实责任领导": 2,
        "环节超期": 0,
        "停滞（10 个工作日无进展）": 0,
    }


def test_the_lead_of_another_township_sees_none_of_it(cast, desk):
    page = cast.client(cast.user("township_lead", "B")).get("/").content.decode()
    words = text(page)
    assert "乐丰村竹荪项目" not in words and "大寨村茶叶项目" not in words
    counts = {v: int(k) for k, v in re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", page)}
    assert counts["辖区项目"] == 1 and counts["环节超期"] == 0


def test_supervisors_count_the_steps_overdue_and_stalled_in_the_county(cast, desk):
    old = timezone.now() - datetime.timedelta(days=40)
    live = ScopedTask.objects.filter(flow_task_type="HUMAN", status__in=LIVE)
    live.update(created=old)  # the three reviews arrived 40 days ago
    ScopedTask.objects.filter(pk=desk["claimed"].pk).update(assigned=old)
    sweep(timezone.localdate())  # the day's sweep: their deadlines, counted again, are past
    # one step more, its deadline still ahead but left untouched for 40 days: stalled
    _project, late = submitted(cast, "A1", "乐丰村蜂蜜项目")
    ScopedTask.objects.filter(pk=late.pk).update(created=old)
    discipline = cast.user("county_discipline", "county")
    page = cast.client(discipline).get("/").content.decode()
    counts = {v: int(k) for k, v in re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", page)}
    assert counts["辖区项目"] == 4
    assert counts["环节超期"] == 3  # the three reviews past their deadlines
    assert counts["停滞（10 个工作日无进展）"] == 1
    # The desk counts what the 督办看板 counts.
    board = dashboard.summary(discipline, timezone.localdate())
    assert (board["overdue"], board["stalled"]) == (3, 1)


def test_a_step_past_its_deadline_counts_overdue_on_the_desk_before_any_sweep(cast, desk):
    """Overdue is the deadline passed, not the sweep's mark: between two sweeps the desk
    already says so (it used to wait for the sweep, and counted such a step as stalled)."""
    old = timezone.now() - datetime.timedelta(days=40)
    ScopedTask.objects.filter(pk=desk["queued"].pk).update(created=old)
    TaskClock.objects.filter(task=desk["queued"]).update(
        due=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = cast.client(cast.user("county_discipline", "county")).get("/").content.decode()
    counts = {v: int(k) for k, v in re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", page)}
    assert (counts["环节超期"], counts["停滞（10 个工作日无进展）"]) == (1, 0)


def test_the_desk_runs_a_fixed_number_of_queries_whatever_the_data_size(cast, desk):
    station = cast.client(cast.user("township_work_station", "A"))
    lead = cast.client(cast.user("township_lead", "A"))
    colleague = f.official(TOWNSHIP_WORK_STATION, cast.regions["A"], username="station_A_2")

    def queries(client):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    queries(station)  # warm the per-process caches (content types)
    few = [queries(station), queries(lead)]
    for n in range(4):
        _project, task = submitted(cast, "A1" if n % 2 else "A2", f"多{n}")
        if n % 2:
            claim(cast.client(colleague), task)
            task.refresh_from_db()
            operations.add_signer(colleague, task, cast.user("township_lead", "A"), "请签署")
            operations.carbon_copy(colleague, task, [cast.user("township_lead", "A")], "知悉")
    many = [queries(station), queries(lead)]
    assert many == few, (few, many)
    assert few == PINNED, few


# The desk's queries, pinned. Both: session, user, grants (2), regions of the grants (once a
# request), inbox and queue (rows + count each), sign-offs (rows + count), copies, the newest
# notifications, the menu's unread count and sign-off badge. The station: deadlines of the
# listed tasks (4). The lead: the copies' projects, five-ones counts and overdue / stalled
# counts (one aggregate each), and the day STALL_WORKING_DAYS working days back (the
# working-day index, as the dashboard reads it).
PINNED = [19, 19]
