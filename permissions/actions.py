"""Granting and revoking roles: audited acts.

A role held at a region is a guardian object permission on the region; acting for an
operator is one on the operator. Revoking also puts back in the queue any task the user
had claimed under that grant, since viewflow never re-checks an owner's permission.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from ground import audit
from ground.acts import Act

from .jurisdiction import forget_grants
from .models import Region
from .roles import OPERATOR_PERMISSION, Level, Role


class GrantError(ValueError):
    pass


def _check_level(role: Role, region: Region) -> None:
    if role.level != region.level:
        raise GrantError(
            _("The role “%(role)s” is held at %(level)s level; “%(region)s” is a %(region_level)s.")
            % {
                "role": role.label,
                "level": Level(role.level).label,
                "region": region.full_name,
                "region_level": Level(region.level).label,
            }
        )


@transaction.atomic
def grant_role(actor, user, role: Role, region: Region):
    _check_level(role, region)
    assign_perm(role.permission, user, region)
    forget_grants(user)
    audit.record(
        actor,
        Act.ROLE_GRANT,
        user,
        after={"role": role.code, "region": region.pk, "path": region.full_name},
    )


@transaction.atomic
def revoke_role(actor, user, role: Role, region: Region, reason: str = ""):
    remove_perm(role.permission, user, region)
    forget_grants(user)
    released = _release_tasks_held_under(actor, user, role.permission, region, reason)
    audit.record(
        actor,
        Act.ROLE_REVOKE,
        user,
        before={"role": role.code, "region": region.pk, "path": region.full_name},
        after={"released_tasks": released},
        reason=reason,
    )


@transaction.atomic
def grant_operator_access(actor, user, operator):
    assign_perm(OPERATOR_PERMISSION, user, operator)
    forget_grants(user)
    audit.record(
        actor, Act.OPERATOR_GRANT, user, after={"operator": operator.pk, "name": operator.name}
    )


@transaction.atomic
def open_project_to(actor, user, project, reason: str = ""):
    """Let one official outside the jurisdiction see one project (e.g. an expert on the
    acceptance panel): a guardian object permission on that project, audited."""
    assign_perm("processes.view_project", user, project)
    forget_grants(user)
    audit.record(
        actor,
        Act.PROJECT_OPEN,
        user,
        project_id=project.pk,
        after={"project": project.pk},
        reason=reason,
    )


@transaction.atomic
def close_project_to(actor, user, project, reason: str = ""):
    remove_perm("processes.view_project", user, project)
    forget_grants(user)
    audit.record(
        actor,
        Act.PROJECT_CLOSE,
        user,
        project_id=project.pk,
        before={"project": project.pk},
        reason=reason,
    )


def _release_tasks_held_under(actor, user, permission: str, obj, reason: str) -> list[int]:
    """Put back in the queue the tasks ``user`` claimed under ``permission`` on ``obj``, each
    with its own ``task.release`` entry, as if released by hand (inside the revoke's
    transaction)."""
    from django.contrib.contenttypes.models import ContentType
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    held = list(
        Task.objects.filter(
            owner=user,
            status=STATUS.ASSIGNED,
            owner_permission=permission,
            owner_permission_content_type=ContentType.objects.get_for_model(
                obj, for_concrete_model=False
            ),
            owner_permission_obj_pk=str(obj.pk),
        )
        .select_related("process")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    Task.objects.filter(pk__in=[task.pk for task in held]).update(
        owner=None, status=STATUS.NEW, assigned=None
    )
    for task in held:
        audit.record(
            actor,
            Act.TASK_RELEASE,
            task,
            # The process names its project (the workflow's protocol), when it has one.
            project_id=getattr(task.process.coerced, "project_id", None),
            before={"status": STATUS.ASSIGNED, "owner": user.pk},
            after={"status": STATUS.NEW, "owner": None},
            reason=reason,
        )
    return [task.pk for task in held]


def grant_in_bulk(grants) -> int:
    """Store many grants at once, for a generated province (``manage.py seed_scale``): each
    ``(user_pk, permission, obj)`` is the guardian object permission ``grant_role`` and
    ``grant_operator_access`` store, with no audit entry (the seeding is the one act).
    Returns the number stored."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    grants = list(grants)
    cts = {type(obj): ContentType.objects.get_for_model(obj) for _u, _p, obj in grants}
    perms = {
        (p.content_type_id, p.codename): p.pk
        for p in Permission.objects.filter(content_type__in=cts.values())
    }
    rows = []
    for user_pk, permission, obj in grants:
        ct = cts[type(obj)]
        rows.append(
            UserObjectPermission(
                user_id=user_pk,
                permission_id=perms[ct.pk, permission.split(".", 1)[1]],
                content_type_id=ct.pk,
                object_pk=str(obj.pk),
            )
        )
    UserObjectPermission.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
