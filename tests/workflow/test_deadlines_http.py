"""Notifications (通知), urging (催办) and the county's stage time limits, through HTTP."""

import pytest
from django.core import mail
from django.utils import timezone

from ground.models import AuditEntry
from processes.models import ImplementationMode
from workflow.models import Notification, StageLimit
from workflow.notifications import notify

from ..flowdriver import Driver

NOTIFICATIONS = "/oversight/notifications/"


@pytest.fixture
def review_a(cast):
    """A project of township A waiting in the township station's queue."""
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY)
    driver.run(project, until="township_review")
    return project, driver.open_task(project)


def urge_url(task):
    return f"/oversight/tasks/{task.pk}/urge/"


# --- Notifications ------------------------------------------------------------------


def test_notifications_list_shows_only_the_recipients_own_with_the_unread_count(cast):
    station = cast.user("township_work_station", "A")
    other = cast.user("township_work_station", "B")
    notify([station], Notification.Kind.URGE, "请尽快审核竹荪项目。")
    notify([other], Notification.Kind.URGE, "桂果镇的通知。")

    page = cast.client(station).get(NOTIFICATIONS).content.decode()
    assert "请尽快审核竹荪项目。" in page and "桂果镇的通知。" not in page
    assert "通知 (1)" in page  # the menu's unread count


def test_marking_read_clears_the_count_and_cannot_touch_anothers(cast):
    station = cast.user("township_work_station", "A")
    other = cast.user("township_work_station", "B")
    mine = notify([station], Notification.Kind.URGE, "甲")[0]
    theirs = notify([other], Notification.Kind.URGE, "乙")[0]
    client = cast.client(station)

    assert client.post(f"/oversight/notifications/{theirs.pk}/read/").status_code == 404
    response = client.post(f"/oversight/notifications/{mine.pk}/read/")
    assert response.status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert "通知 (1)" not in client.get(NOTIFICATIONS).content.decode()
    assert client.get(f"/oversight/notifications/{mine.pk}/read/").status_code == 405


def test_notifications_are_closed_to_anonymous_visitors(client):
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 302  # to sign in first, and nothing of anyone's shown
    assert response["Location"].startswith("/accounts/login/?next=")


# --- Urge (催办) ----------------------------------------------------------------------


def test_township_lead_urges_a_task_of_their_township(
    cast, review_a, django_capture_on_commit_callbacks
):
    project, task = review_a
    station = cast.user("township_work_station", "A")
    station.email = "station_a@example.gov.cn"
    station.save(update_fields=["email"])
    lead = cast.client(cast.user("township_lead", "A"))

    page = lead.get(urge_url(task))
    assert page.status_code == 200 and project.name in page.content.decode()
    response = lead.post(urge_url(task), {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not Notification.objects.filter(kind=Notification.Kind.URGE).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(urge_url(task), {"reason": "群众反映强烈，请本周内审核。"})
    assert response.status_code == 302

    note = Notification.objects.get(kind=Notification.Kind.URGE)
    assert (note.recipient, note.kind, note.project, note.task_id) == (
        station,
        "urge",
        project,
        task.pk,
    )
    assert "群众反映强烈" in note.text
    assert mail.outbox[-1].to == [station.email]
    entry = AuditEntry.objects.get(act="task.urge")
    assert entry.actor == cast.user("township_lead", "A")
    assert entry.reason == "群众反映强烈，请本周内审核。"
    assert entry.object_id == str(task.pk) and entry.project_id == project.pk
    assert entry.after == {"notified": [station.pk]}
    assert "群众反映强烈" in cast.client(station).get(NOTIFICATIONS).content.decode()


@pytest.mark.parametrize(
    "role, key", [("county_poverty_office", "county"), ("county_discipline", "county")]
)
def test_county_supervisors_may_urge(cast, review_a, role, key):
    _, task = review_a
    client = cast.client(cast.user(role, key))
    assert client.post(urge_url(task), {"reason": "请加快办理。"}).status_code == 302


def test_another_townships_lead_cannot_urge(cast, review_a):
    _, task = review_a
    lead_b = cast.client(cast.user("township_lead", "B"))
    assert lead_b.get(urge_url(task)).status_code == 404
    assert lead_b.post(urge_url(task), {"reason": "越权催办"}).status_code == 404
    assert not Notification.objects.filter(kind=Notification.Kind.URGE).exists()
    assert not AuditEntry.objects.filter(act="task.urge").exists()


@pytest.mark.parametrize("role, key", [("village_secretary", "A1"), ("township_work_station", "A")])
def test_officials_who_are_not_superiors_cannot_urge(cast, review_a, role, key):
    _, task = review_a
    client = cast.client(cast.user(role, key))
    assert client.post(urge_url(task), {"reason": "催一下"}).status_code == 403
    assert not Notification.objects.filter(kind=Notification.Kind.URGE).exists()


def test_a_finished_task_cannot_be_urged(cast, review_a):
    project, task = review_a
    Driver(cast, "A1").step(project, "township_review")
    lead = cast.client(cast.user("township_lead", "A"))
    assert lead.post(urge_url(task), {"reason": "催"}).status_code == 404


# --- Stage time limits ----------------------------------------------------------------


def test_superuser_sets_a_countys_limits_and_it_is_audited(cast):
    from permissions.models import User

    admin = User.objects.create_superuser("admin", "admin@example.gov.cn", "x")
    client = cast.client(admin)
    url = f"/oversight/limits/{cast.county.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    data = {name: field.initial for name, field in page.context["form"].fields.items()}
    data["township_review-working_days"] = 3
    assert client.post(url, data).status_code == 302
    row = StageLimit.objects.get()
    assert (row.county, row.node, row.working_days) == (cast.county, "township_review", 3)
    entry = AuditEntry.objects.get(act="stage_limits.change")
    assert entry.actor == admin and entry.after == {"township_review": [3, 2, 5]}

    data["township_review-working_days"] = 0
    response = client.post(url, data)
    assert response.status_code == 200 and StageLimit.objects.get().working_days == 3


def test_officials_cannot_change_limits(cast):
    client = cast.client(cast.user("county_poverty_office"))
    assert client.get(f"/oversight/limits/{cast.county.pk}/").status_code == 403


def test_limits_entry_goes_straight_to_the_only_county(cast):
    from permissions.models import User

    admin = User.objects.create_superuser("admin", "admin@example.gov.cn", "x")
    response = cast.client(admin).get("/oversight/limits/")
    assert response.status_code == 302
    assert response["Location"] == f"/oversight/limits/{cast.county.pk}/"
    assert cast.client(cast.user("township_lead", "A")).get("/oversight/limits/").status_code == 403


def test_project_page_offers_urge_to_superiors_only(cast, review_a):
    project, task = review_a
    link = urge_url(task)
    lead_page = cast.client(cast.user("township_lead", "A")).get(f"/projects/{project.pk}/")
    assert link in lead_page.content.decode()
    station_page = cast.client(cast.user("township_work_station", "A")).get(
        f"/projects/{project.pk}/"
    )
    assert station_page.status_code == 200 and link not in station_page.content.decode()


def test_supervision_menu_shows_the_dashboard_to_supervisors_only(cast):
    lead = cast.client(cast.user("township_lead", "A")).get(NOTIFICATIONS).content.decode()
    assert "/oversight/dashboard/" in lead
    village = cast.client(cast.user("village_secretary", "A1")).get(NOTIFICATIONS)
    assert "/oversight/dashboard/" not in village.content.decode()


def test_celery_beat_task_runs_the_sweep(cast, review_a):
    from qiyue.celery import sweep_deadlines_task

    assert sweep_deadlines_task() == {
        "reminders": 0,
        "overdue": 0,
        "escalations": 0,
        "stale_batches": 0,
        "stale_papers": 0,
    }


def test_administrator_edits_limits_in_the_django_admin_audited(cast):
    from permissions.models import User

    admin = User.objects.create_superuser("admin", "admin@example.gov.cn", "x")
    client = cast.client(admin)
    page = client.get("/admin/workflow/stagelimit/add/")
    assert page.status_code == 200 and "办理时限（工作日）" in page.content.decode()
    response = client.post(
        "/admin/workflow/stagelimit/add/",
        {
            "county": cast.county.pk,
            "node": "payment",
            "working_days": 8,
            "remind_before_days": 2,
            "escalate_after_days": 5,
        },
    )
    assert response.status_code == 302
    assert StageLimit.objects.get().working_days == 8
    entry = AuditEntry.objects.get(act="stage_limits.change")
    assert entry.actor == admin and entry.after == {"payment": [8, 2, 5]}
    official = cast.client(cast.user("county_poverty_office"))
    assert official.get("/admin/workflow/stagelimit/").status_code == 302  # to the admin login


def test_a_reminder_after_the_limit_is_refused(cast):
    from permissions.models import User

    admin = User.objects.create_superuser("admin", "admin@example.gov.cn", "x")
    client = cast.client(admin)
    url = f"/oversight/limits/{cast.county.pk}/"
    data = {name: field.initial for name, field in client.get(url).context["form"].fields.items()}
    data["payment-remind_before_days"] = 5
    response = client.post(url, data)
    assert response.status_code == 200
    assert "提醒时间应早于办理时限" in response.content.decode()
    assert (
        not StageLimit.objects.exists()
        and not AuditEntry.objects.filter(act="stage_limits.change").exists()
    )


def test_the_admin_tells_the_administrator_to_update_the_holiday_calendar(cast, monkeypatch):
    """Only an administrator can update the chinesecalendar package: the admin index and the
    stage-limits list say so once deadlines reach past the holiday data."""
    from permissions.models import User
    from workflow import admin as workflow_admin

    monkeypatch.setattr(workflow_admin, "LAST_YEAR", timezone.localdate().year)
    admin = User.objects.create_superuser("admin", "admin@example.gov.cn", "x")
    client = cast.client(admin)
    for url in ("/admin/", "/admin/workflow/stagelimit/"):
        page = client.get(url).content.decode()
        assert "chinesecalendar" in page and "暂定" in page, url

    monkeypatch.setattr(workflow_admin, "LAST_YEAR", timezone.localdate().year + 1)
    assert "chinesecalendar" not in client.get("/admin/").content.decode()
