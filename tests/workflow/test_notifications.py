"""Work announces itself (通知): whenever work becomes someone's, they are told once, with a
link to it; holders of another township never are. Over HTTP, as the officials act."""

import pytest
from django.utils import timezone
from viewflow.workflow.status import STATUS

from permissions.roles import TOWNSHIP_WORK_STATION
from processes import demo
from processes.models import Project, PublicReport
from workflow import notifications
from workflow.models import Notification, SignOff
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver

Kind = Notification.Kind


def url(task, action):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def told(kind):
    """username → texts of the notifications of ``kind``."""
    rows = Notification.objects.filter(kind=kind).select_related("recipient").order_by("pk")
    result = {}
    for row in rows:
        result.setdefault(row.recipient.username, []).append(row.text)
    return result


@pytest.fixture
def driver(cast):
    return Driver(cast, "A1")


@pytest.fixture
def submitted(cast, driver):
    """Village A1 submitted its application; township A's review waits in the queue."""
    project = driver.start()
    driver.step(project, "application")
    return project, driver.open_task(project)


@pytest.fixture
def review(cast, submitted):
    """The same review, claimed by township A's work station."""
    project, task = submitted
    holder = cast.user("township_work_station", "A")
    client = cast.client(holder)
    assert client.post(url(task, "assign")).status_code == 302
    task.refresh_from_db()
    return project, task, holder, client


@pytest.fixture
def colleague(cast):
    return f.official(TOWNSHIP_WORK_STATION, cast.regions["A"], username="station_A_2")


# --- A new task in the queue of a role and region ----------------------------------------


def test_a_new_task_is_announced_to_every_holder_of_its_role_at_its_region(
    cast, colleague, submitted
):
    project, task = submitted
    new = told(Kind.NEW_TASK)
    assert sorted(new) == ["station_A_2", "township_work_station_A"]
    assert project.name in new["township_work_station_A"][0]
    assert "township_work_station_B" not in new  # another township's holder: nothing
    assert "village_secretary_A1" not in new  # who submitted it needs no news of it
    note = Notification.objects.get(recipient=cast.user("township_work_station", "A"))
    assert note.task_id == task.pk and note.project_id == project.pk
    assert note.url == url(task, "index")


def test_opening_a_new_task_notification_marks_it_read_and_leads_to_the_claim(cast, submitted):
    _project, task = submitted
    station = cast.user("township_work_station", "A")
    client = cast.client(station)
    note = Notification.objects.get(recipient=station)
    assert "(1)" in client.get("/").content.decode()  # the unread count in the menu

    response = client.get(f"/oversight/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response.url == url(task, "index")
    assert client.get(response.url).url == url(task, "assign")  # the queue's claim page
    note.refresh_from_db()
    assert note.read_at is not None
    assert notifications.unread_count(station) == 0


def test_nobody_opens_another_officials_notification(cast, submitted):
    note = Notification.objects.get(recipient=cast.user("township_work_station", "A"))
    other = cast.client(cast.user("township_work_station", "B"))
    assert other.get(f"/oversight/notifications/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_new_task_is_announced_once_however_often_the_act_is_retried(cast, submitted):
    project, task = submitted
    before = Notification.objects.count()
    done = ScopedTask.objects.filter(
        process=project.process, flow_task="processes/flows.ProjectFlow.application"
    ).first()
    notifications.announce_new_tasks(done.owner, project.process, task.created)  # again
    assert Notification.objects.count() == before
    # a second submit of the completed step is refused and tells nobody again
    secretary = cast.client(cast.user("village_secretary", "A1"))
    data = demo.step_data("application", project)
    assert secretary.post(url(done, "execute"), data).status_code in (403, 409)
    assert Notification.objects.count() == before


def test_a_task_that_goes_straight_to_its_holder_reaches_their_inbox(cast, review):
    """Approved, the application moves on to public notice, held by the village."""
    project, task, _holder, client = review
    payload = demo.step_data("township_review", project, "approve", "同意")
    assert client.post(url(task, "execute"), payload).status_code == 302
    notice = Driver(cast, "A1").open_task(project)
    assert notice.flow_task.name == "public_notice"
    note = Notification.objects.get(task_id=notice.pk)
    assert note.recipient == cast.user("village_secretary", "A1")
    assert note.kind == Kind.NEW_TASK


# --- A send-back returns to its last holder, with the reason ------------------------------


def test_a_send_back_is_announced_to_its_last_holder_with_the_reason(cast, review):
    project, task, _holder, client = review
    payload = demo.step_data("township_review", project, "back", "户数与名单不符，请核实。")
    assert client.post(url(task, "execute"), payload).status_code == 302
    back = told(Kind.SEND_BACK)
    assert list(back) == ["village_secretary_A1"]
    assert "户数与名单不符，请核实。" in back["village_secretary_A1"][0]
    returned = Driver(cast, "A1").open_task(project)
    assert returned.flow_task.name == "application" and returned.status == STATUS.ASSIGNED
    note = Notification.objects.get(kind=Kind.SEND_BACK)
    assert note.url == url(returned, "index")
    secretary = cast.client(cast.user("village_secretary", "A1"))
    assert secretary.get(note.url).url == url(returned, "execute")  # straight to the form


# --- Approval operations -----------------------------------------------------------------


def test_a_transfer_is_announced_to_the_colleague_only(cast, review, colleague):
    _project, task, _holder, client = review
    data = {"to_user": str(colleague.pk), "reason": "本人下乡"}
    assert client.post(f"/approvals/tasks/{task.pk}/transfer/", data).status_code == 302
    assert list(told(Kind.TRANSFER)) == ["station_A_2"]
    note = Notification.objects.get(kind=Kind.TRANSFER)
    assert "本人下乡" in note.text and note.url == url(task, "index")
    assert cast.client(colleague).get(note.url).url == url(task, "execute")


def test_a_delegation_is_announced_to_the_delegate(cast, review, colleague):
    _project, task, _holder, client = review
    data = {"to_user": str(colleague.pk), "reason": "请代为填写审核意见"}
    assert client.post(f"/approvals/tasks/{task.pk}/delegate/", data).status_code == 302
    assert list(told(Kind.DELEGATION)) == ["station_A_2"]
    assert Notification.objects.get(kind=Kind.DELEGATION).url == url(task, "index")


def test_an_added_signer_is_asked_with_a_link_to_the_sign_off(cast, review):
    _project, task, _holder, client = review
    signer = cast.user("township_lead", "A")
    data = {"signer": str(signer.pk), "reason": "请领导签署意见"}
    assert client.post(f"/approvals/tasks/{task.pk}/add-signer/", data).status_code == 302
    sign_off = SignOff.objects.get(task_id=task.pk)
    assert list(told(Kind.ADDED_SIGNER)) == ["township_lead_A"]
    note = Notification.objects.get(kind=Kind.ADDED_SIGNER)
    assert note.url == f"/approvals/sign-offs/{sign_off.pk}/"
    assert cast.client(signer).get(note.url).status_code == 200


def test_a_panel_seat_is_announced_to_the_member(cast):
    project = demo.start_project(
        cast.user("village_secretary", "A1"),
        name="乐丰竹荪基地",
        industry="竹荪",
        village=cast.regions["A1"],
        mode="equity_dividend",
        operator=cast.operators["A"],
        funds_amount="100000.00",
        scale="30亩",
    )
    demo.advance_to(project, "county_acceptance")
    task = Driver(cast, "A1").open_task(project)
    office = cast.user("county_poverty_office", "county")
    client = cast.client(office)
    assert client.post(url(task, "assign")).status_code == 302
    member = cast.user("county_discipline", "county")
    data = {"seat_discipline": str(member.pk), "reason": "组成县级验收小组"}
    assert client.post(f"/approvals/tasks/{task.pk}/panel/", data).status_code == 302
    assert list(told(Kind.PANEL_SEAT)) == ["county_discipline_county"]
    sign_off = SignOff.objects.get(task_id=task.pk, signer=member)
    note = Notification.objects.get(kind=Kind.PANEL_SEAT)
    assert note.url == f"/approvals/sign-offs/{sign_off.pk}/"


def test_a_carbon_copy_is_announced_to_each_recipient(cast, review):
    project, task, _holder, client = review
    lead, office = cast.user("township_lead", "A"), cast.user("county_poverty_office", "county")
    data = {"recipients": [str(lead.pk), str(office.pk)], "note": "请知悉"}
    assert client.post(f"/approvals/tasks/{task.pk}/carbon-copy/", data).status_code == 302
    assert sorted(told(Kind.CARBON_COPY)) == ["county_poverty_office_county", "township_lead_A"]
    note = Notification.objects.get(kind=Kind.CARBON_COPY, recipient=lead)
    assert note.url == f"/projects/{project.pk}/" and "请知悉" in note.text
    assert cast.client(lead).get(note.url).status_code == 200


# --- A public report routed to its recipients ---------------------------------------------


def test_a_public_report_reaches_its_routed_recipients_and_nobody_else(cast, submitted, client):
    project, _task = submitted
    Project.objects.filter(pk=project.pk).update(notice_start=timezone.localdate())  # 公示
    data = {
        "project_number": str(project.pk),
        "content": "有人冒领补贴，名单里有外村人。",
        "anonymous": "on",
    }
    assert client.post("/report/", data).status_code == 302
    report = PublicReport.objects.get()
    assert sorted(told(Kind.REPORT)) == [
        "county_discipline_county",
        "livelihood_supervisor_A1",
        "township_discipline_A",
    ]
    note = Notification.objects.get(kind=Kind.REPORT, recipient__username="township_discipline_A")
    assert note.url == f"/supervision/reports/{report.pk}/" and report.number in note.text
    discipline = cast.client(cast.user("township_discipline", "A"))
    assert discipline.get(note.url).status_code == 200


def test_a_new_task_is_also_emailed_after_the_act_commits(
    cast, driver, django_capture_on_commit_callbacks, mailoutbox
):
    station, other = (
        cast.user("township_work_station", "A"),
        cast.user("township_work_station", "B"),
    )
    for user, address in (
        (station, "station_a@example.gov.cn"),
        (other, "station_b@example.gov.cn"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    project = driver.start()
    with django_capture_on_commit_callbacks(execute=True):
        driver.act(project, "application")
    (mail,) = [m for m in mailoutbox if m.to == [station.email]]
    assert "新任务" in mail.subject and project.name in mail.subject
    assert "待签收" in mail.body
    assert not [m for m in mailoutbox if m.to == [other.email]]


def test_a_queue_notice_is_settled_for_every_holder_once_a_colleague_claims_the_task(cast):
    colleague = f.official(TOWNSHIP_WORK_STATION, cast.regions["A"], username="station_A_2")
    project = demo.start_project(
        cast.user("village_secretary", "A1"),
        name="乐丰村刺梨种植项目",
        industry="刺梨种植",
        village=cast.regions["A1"],
        mode="direct_subsidy",
        funds_amount="45000.00",
        scale="80亩",
    )
    demo.advance_to(project, "township_review")
    task = Driver(cast, "A1").open_task(project)
    notices = Notification.objects.filter(key=f"task:{task.pk}")
    assert {n.recipient.username for n in notices.filter(read_at__isnull=True)} == {
        "township_work_station_A",
        "station_A_2",
    }
    station = cast.client(cast.user("township_work_station", "A"))
    assert station.post(url(task, "assign")).status_code == 302
    assert not notices.filter(read_at__isnull=True).exists()
    assert notifications.unread_count(colleague) == 0


def test_the_notification_page_runs_in_a_fixed_number_of_queries(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = cast.user("township_lead", "A")
    client = cast.client(lead)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/oversight/notifications/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # warm the per-process caches (content types)
    notifications.notify([lead], Notification.Kind.NEW_TASK, "第一条", key="t:1")
    few = queries()
    for n in range(2, 40):
        notifications.notify([lead], Notification.Kind.NEW_TASK, f"第{n}条", key=f"t:{n}")
    assert queries() == few == NOTIFICATION_PAGE_QUERIES, few


# Session, user, the page's count and rows, the menu's unread count, the user's grants (2) and
# their regions (once a request, for which apps the menu shows), the sign-off badge.
NOTIFICATION_PAGE_QUERIES = 9


def test_a_task_link_is_made_outside_a_request_before_anything_imported_the_urls(tmp_path):
    """A command run by call_command (``make bench`` seeds its province that way) or a worker
    announces tasks in a process where no request has imported the URLconf yet: the link to
    the task is still made (it failed with "'application' is not a registered namespace")."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django, sys, types; django.setup(); "
        "assert 'qiyue.urls' not in sys.modules; "
        "from processes.flows import ProjectFlow; "
        "from workflow.notifications import _task_url; "
        "task = types.SimpleNamespace(flow_task=ProjectFlow.application, process_id=7, pk=42); "
        "print(_task_url(task))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qiyue.settings",
        "QIYUE_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "/workflow/flows/project/7/application/42/"
