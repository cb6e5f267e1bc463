"""Revoking a role puts the tasks claimed under it back in the queue, each with its own
``task.release`` entry in the revoke's transaction; tasks held under other grants stay."""

from viewflow.workflow.status import STATUS

from ground.audit import verify_chain
from ground.models import AuditEntry
from permissions import actions as grants
from permissions.roles import TOWNSHIP_WORK_STATION

from ..flowdriver import Driver


def _claimed_review(cast, village_key, name):
    driver = Driver(cast, village_key)
    project = driver.start(name=name)
    driver.act(project, "application")
    task = driver.open_task(project)
    holder = cast.user("township_work_station", village_key[0])
    url = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
    assert cast.client(holder).post(url).status_code == 302
    return project, task, holder


def test_each_task_released_by_a_revoke_has_its_own_audit_entry(cast):
    project, task, station = _claimed_review(cast, "A1", "竹荪种植项目")
    _other_project, other_task, other_station = _claimed_review(cast, "B1", "桂果镇竹荪项目")
    director = cast.user("county_poverty_office")
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()

    grants.revoke_role(director, station, TOWNSHIP_WORK_STATION, cast.regions["A"], reason="调离")

    rows = [
        (e.act, e.actor, e.object_type, e.object_id, e.project_id, e.before, e.after, e.reason)
        for e in AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")
    ]
    assert rows == [
        (
            "task.release",
            director,
            "viewflow.task",
            str(task.pk),
            project.pk,
            {"status": "ASSIGNED", "owner": station.pk},
            {"status": "NEW", "owner": None},
            "调离",
        ),
        (
            "role.revoke",
            director,
            "permissions.user",
            str(station.pk),
            None,
            {
                "role": "township_work_station",
                "region": cast.regions["A"].pk,
                "path": "织金县/珠藏镇",
            },
            {"released_tasks": [task.pk]},
            "调离",
        ),
    ]
    task.refresh_from_db()
    other_task.refresh_from_db()
    assert (task.status, task.owner_id, task.assigned) == (STATUS.NEW, None, None)
    assert (other_task.status, other_task.owner_id) == (STATUS.ASSIGNED, other_station.pk)
    assert verify_chain() is None
