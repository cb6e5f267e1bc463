"""Task acts beyond complete: release, cancel and revive by an administrator, role grants.

Each is an audited act, and none of them loosens a task's jurisdiction (stock viewflow's
revive drops the task's permission, making it claimable by anyone)."""

import pytest
from viewflow.workflow.status import STATUS

from ground.models import AuditEntry
from permissions import actions as grants
from permissions.roles import TOWNSHIP_WORK_STATION
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver


@pytest.fixture
def review_task(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    return project, driver.open_task(project)


def url(task, action):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def test_a_revived_task_keeps_its_role_and_region(cast, review_task):
    project, task = review_task
    admin = f.UserFactory(username="admin", is_superuser=True)
    client = cast.client(admin)

    assert client.post(url(task, "cancel"), {"reason": "误操作"}).status_code == 302
    assert client.post(url(task, "revive"), {"reason": "恢复"}).status_code == 302

    task.refresh_from_db()
    assert task.status == STATUS.REVIVED
    revived = ScopedTask.objects.get(
        process=task.process, flow_task=task.flow_task, status=STATUS.NEW
    )
    assert (
        revived.owner_permission,
        revived.owner_permission_content_type_id,
        revived.owner_permission_obj_pk,
    ) == (
        task.owner_permission,
        task.owner_permission_content_type_id,
        task.owner_permission_obj_pk,
    )
    station_b = cast.client(cast.user("township_work_station", "B"))
    assert project.name not in station_b.get("/workflow/queue/").content.decode()
    assert station_b.post(url(revived, "assign")).status_code == 404
    station_a = cast.client(cast.user("township_work_station", "A"))
    assert project.name in station_a.get("/workflow/queue/").content.decode()
    acts = list(
        AuditEntry.objects.filter(project_id=project.pk, actor=admin).values_list("act", "reason")
    )
    assert acts == [("task.cancel", "误操作"), ("task.revive", "恢复")]


def test_only_administrators_cancel_undo_or_revive(cast, review_task):
    _project, task = review_task
    lead = cast.client(cast.user("township_lead", "A"))  # inside the region, but no admin
    for action in ("cancel", "revive", "undo"):
        assert lead.post(url(task, action)).status_code == 403


def test_release_puts_a_claimed_task_back_in_the_queue_and_is_audited(cast, review_task):
    project, task = review_task
    station = cast.user("township_work_station", "A")
    client = cast.client(station)
    client.post(url(task, "assign"))

    assert client.post(url(task, "unassign"), {"reason": "出差"}).status_code == 302

    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    entries = list(
        AuditEntry.objects.filter(object_type="viewflow.task", object_id=str(task.pk)).order_by(
            "seq"
        )
    )
    assert [(e.act, e.actor, e.before, e.after) for e in entries] == [
        (
            "task.claim",
            station,
            {"status": "NEW", "owner": None},
            {"status": "ASSIGNED", "owner": station.pk},
        ),
        (
            "task.release",
            station,
            {"status": "ASSIGNED", "owner": station.pk},
            {"status": "NEW", "owner": None},
        ),
    ]
    assert entries[1].reason == "出差"


def test_revoking_a_role_returns_the_officials_claimed_tasks_to_the_queue(cast, review_task):
    project, task = review_task
    station = cast.user("township_work_station", "A")
    cast.client(station).post(url(task, "assign"))
    director = cast.user("county_poverty_office")

    grants.revoke_role(director, station, TOWNSHIP_WORK_STATION, cast.regions["A"], reason="调离")

    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    assert cast.client(station).get(f"/projects/{project.pk}/").status_code in (403, 404)
    entry = AuditEntry.objects.filter(act="role.revoke").get()
    assert entry.actor == director and entry.reason == "调离"
    assert entry.before == {
        "role": "township_work_station",
        "region": cast.regions["A"].pk,
        "path": "织金县/珠藏镇",
    }
    assert entry.after == {"released_tasks": [task.pk]}


def test_granting_a_role_is_audited_and_checks_the_level(cast):
    director = cast.user("county_poverty_office")
    newcomer = f.UserFactory(username="newcomer")
    with pytest.raises(grants.GrantError):
        grants.grant_role(
            director, newcomer, TOWNSHIP_WORK_STATION, cast.regions["A1"]
        )  # a village
    grants.grant_role(director, newcomer, TOWNSHIP_WORK_STATION, cast.regions["B"])
    entry = AuditEntry.objects.filter(act="role.grant", object_id=str(newcomer.pk)).get()
    assert entry.actor == director and entry.after["path"] == "织金县/桂果镇"


def test_five_ones_changes_are_recorded_before_and_after(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="township_review")
    lead = cast.user("township_lead", "A")

    task = driver.act(project, "township_review")

    entry = AuditEntry.objects.get(
        act="task.complete", object_type="viewflow.task", object_id=str(task.pk)
    )
    assert entry.before["responsible_leader_id"] is None and entry.before["team"] == ""
    assert entry.after["responsible_leader_id"] == lead.pk
    assert entry.after["team"] == "乡扶贫工作站、农业服务中心、包村干部"
