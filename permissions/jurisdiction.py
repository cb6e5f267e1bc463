"""Where may this user act?  The one place that answers it.

A user's jurisdiction is the set of regions at which they hold a role, each with
everything below it. Lists, queues and detail pages filter by the querysets and
``Q`` objects built here and never loop over ``has_perm(obj)``. The answer is read once
per request and cached on the user instance.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from guardian.models import GroupObjectPermission, UserObjectPermission

from .models import Region
from .roles import OPERATOR_PERMISSION, REGION_ROLES, Role, get_role

_CACHE_ATTR = "_qiyue_grants"
_ROLES_ATTR = "_qiyue_roles"
TASK_CODENAMES = tuple(role.code for role in REGION_ROLES) + (OPERATOR_PERMISSION.split(".")[1],)


@dataclass(frozen=True)
class Grant:
    """One object permission a task can name: ``permission`` on object (content_type, pk)."""

    permission: str  # "app_label.codename"
    content_type_id: int
    object_pk: str


@dataclass(frozen=True)
class RoleAtRegion:
    role: Role
    region: Region


def _grant_rows(user):
    """Every object permission the user holds, directly or through a group: a handful of
    rows per official (roles at regions, operators, projects opened one by one)."""
    fields = (
        "permission__content_type__app_label",
        "permission__codename",
        "content_type_id",
        "object_pk",
    )
    direct = UserObjectPermission.objects.filter(user=user)
    via_groups = GroupObjectPermission.objects.filter(group__in=Group.objects.filter(user=user))
    return list(direct.values_list(*fields)) + list(via_groups.values_list(*fields))


def object_grants(user) -> frozenset[Grant]:
    """Every (permission, object) pair this user holds, read once per request (cached on the
    user instance)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            Grant(f"{app}.{codename}", ct_id, str(pk))
            for app, codename, ct_id, pk in _grant_rows(user)
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def task_grants(user) -> frozenset[Grant]:
    """Every (permission, object) pair a task may require that this user holds.

    These are the user's roles at regions plus the operators they act for: a handful of
    rows per official, however many projects exist.
    """
    return frozenset(
        g for g in object_grants(user) if g.permission.split(".", 1)[1] in TASK_CODENAMES
    )


def opened_pks(user, permission: str, model) -> list[int]:
    """Primary keys of ``model`` rows opened to ``user`` one by one by an object grant of
    ``permission`` ("app_label.codename"), directly or through a group; read from the
    request's grants, no query of its own. A list of a few keys, never a subquery."""
    ct = ContentType.objects.get_for_model(model).pk
    return sorted(
        int(g.object_pk)
        for g in object_grants(user)
        if g.permission == permission and g.content_type_id == ct
    )


def forget_grants(user) -> None:
    """Drop the per-request cache after a grant or revoke on this user instance."""
    for attr in (_CACHE_ATTR, _ROLES_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def roles_of(user) -> list[RoleAtRegion]:
    """The roles a user holds, each with its region, ordered by region path (cached on the
    user instance with its grants)."""
    cached = getattr(user, _ROLES_ATTR, None)
    if cached is not None:
        return list(cached)
    region_ct = ContentType.objects.get_for_model(Region).pk
    grants = [g for g in task_grants(user) if g.content_type_id == region_ct]
    regions = Region.objects.in_bulk([int(g.object_pk) for g in grants])
    held = [
        RoleAtRegion(get_role(g.permission.split(".", 1)[1]), regions[int(g.object_pk)])
        for g in grants
        if int(g.object_pk) in regions
    ]
    held = sorted(held, key=lambda r: (r.region.path, r.role.code))
    if user is not None and user.is_authenticated:
        setattr(user, _ROLES_ATTR, tuple(held))
    return held


def granted_region_paths(user) -> list[str]:
    return sorted({r.region.path for r in roles_of(user)})


def operator_ids(user) -> list[int]:
    """Operators (cooperatives, enterprises) this user acts for."""
    return sorted(
        int(g.object_pk) for g in task_grants(user) if g.permission == OPERATOR_PERMISSION
    )


def region_filter(user, field: str = "region") -> Q:
    """A ``Q`` selecting rows whose ``field`` region lies in the user's jurisdiction.

    One ``path LIKE 'prefix%'`` per region the user holds a role at; superusers see all.
    """
    if user.is_superuser:
        return Q()
    paths = granted_region_paths(user)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__path__startswith": path})
    return q


def regions_for_user(user):
    """The regions in the user's jurisdiction: every granted region and all below it."""
    if user.is_superuser:
        return Region.objects.all()
    q = Q(pk__in=[])
    for path in granted_region_paths(user):
        q |= Q(path__startswith=path)
    return Region.objects.filter(q)


def task_filter(user) -> Q:
    """A ``Q`` on viewflow ``Task`` rows the user may claim: the task names a permission and
    object the user holds. The same grants answer ``has_perm`` (guardian) at claim time,
    so the queue and the claim check agree.
    """
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for grant in task_grants(user):
        q |= Q(
            owner_permission=grant.permission,
            owner_permission_content_type_id=grant.content_type_id,
            owner_permission_obj_pk=grant.object_pk,
        )
    return q


def opened_object_pks(user, permission: str, model):
    """Subqueries of the primary keys of ``model`` rows opened to ``user`` one by one by an
    object grant of ``permission`` ("app_label.codename"), directly and through their groups:
    one indexed condition each, never a list of rows (integer primary keys)."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    codename = permission.split(".", 1)[-1]
    ct = ContentType.objects.get_for_model(model)
    where = {"content_type": ct, "permission__codename": codename}
    direct = UserObjectPermission.objects.filter(user=user, **where)
    grouped = GroupObjectPermission.objects.filter(group__user=user, **where)
    return tuple(
        rows.annotate(pid=Cast("object_pk", BigIntegerField())).values("pid")
        for rows in (direct, grouped)
    )


# --- Who holds this role here: the one answer --------------------------------------------
#
# Deadlines, notifications, pickers, transfers and the papers all ask it here: active users
# only, holding it directly or through a group, exactly at that region (not above, not
# below); a superuser only with the grant; ordered by name, as officials read a list.

HOLDER_ORDER = ("full_name", "username")


def _grantee_rows(codenames, content_type_id, object_pks):
    """User ids holding one of ``codenames`` on one of the objects, directly or by group."""
    where = {
        "permission__codename__in": list(codenames),
        "permission__content_type_id": content_type_id,
        "content_type_id": content_type_id,
        "object_pk__in": [str(pk) for pk in object_pks],
    }
    direct = UserObjectPermission.objects.filter(**where).values("user_id")
    via_groups = GroupObjectPermission.objects.filter(**where).values("group__user")
    return Q(pk__in=direct) | Q(pk__in=via_groups)


def _active_users():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True)


def holders(roles, regions):
    """Who holds this role here: active users holding ``roles`` (one role, or several) at
    ``regions`` (one region, or several), exactly there. One query."""
    roles = [roles] if isinstance(roles, Role) else list(roles)
    regions = [regions] if isinstance(regions, Region) else list(regions)
    region_ct = ContentType.objects.get_for_model(Region).pk
    return (
        _active_users()
        .filter(_grantee_rows([role.code for role in roles], region_ct, [r.pk for r in regions]))
        .order_by(*HOLDER_ORDER)
    )


def holds(user, role: Role, region: Region) -> bool:
    """Does ``user`` hold ``role`` at exactly ``region``? The same answer as :func:`holders`,
    read from the user's grants (cached per request, as the task queue reads them)."""
    if user is None or not user.is_active:
        return False
    region_ct = ContentType.objects.get_for_model(Region).pk
    return Grant(role.permission, region_ct, str(region.pk)) in task_grants(user)


def permission_holders(permission: str, obj):
    """Who holds a task's part, as the task names it: active users holding ``permission``
    ("permissions.<role code>", or the operator permission) on ``obj`` (a region, or an
    operator), as :func:`holders` answers for a role. One query."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False).pk
    return permission_holders_at(permission, ct, obj.pk)


def permission_holders_at(permission: str, content_type_id: int, object_pk):
    """:func:`permission_holders` of the object named by its content type and key, as a task
    stores it (``owner_permission_content_type_id``, ``owner_permission_obj_pk``), without
    loading the object. One query."""
    codename = permission.split(".", 1)[-1]
    rows = _grantee_rows([codename], content_type_id, [object_pk])
    return _active_users().filter(rows).order_by(*HOLDER_ORDER)


def acts_for(obj):
    """Active users acting for the operator ``obj`` (its staff)."""
    return permission_holders(OPERATOR_PERMISSION, obj)


def outsiders():
    """Active accounts that hold no role and act for no operator (outside experts, staff
    of bodies without a role here), superusers excepted."""
    from django.contrib.auth import get_user_model

    codenames = TASK_CODENAMES
    direct = UserObjectPermission.objects.filter(permission__codename__in=codenames)
    via_groups = GroupObjectPermission.objects.filter(permission__codename__in=codenames)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(pk__in=direct.values("user_id"))
        .exclude(pk__in=via_groups.values("group__user"))
        .order_by("full_name", "username")
    )


@dataclass(frozen=True)
class Holding:
    """What one person holds, for a label: a role and its region, or an operator."""

    role: object  # a Role, or the word for an operator's staff
    place: str
    order: str = "~"  # the region path: county first, then each township with its villages


def holdings(user_ids) -> dict[int, list[Holding]]:
    """For each user id, the roles (with region) and operators it holds: three queries
    however many users, so a picker can label every choice."""
    from django.utils.translation import gettext_lazy as _

    user_ids = list(user_ids)
    fields = ("permission__codename", "content_type_id", "object_pk")
    direct = UserObjectPermission.objects.filter(
        user_id__in=user_ids, permission__codename__in=TASK_CODENAMES
    ).values_list("user_id", *fields)
    via_groups = GroupObjectPermission.objects.filter(
        group__user__in=user_ids, permission__codename__in=TASK_CODENAMES
    ).values_list("group__user", *fields)
    rows = sorted(set(direct) | set(via_groups))
    region_ct = ContentType.objects.get_for_model(Region).pk
    regions = Region.objects.in_bulk([int(pk) for _u, _c, ct, pk in rows if ct == region_ct])
    others = {}
    for ct in {ct for _u, _c, ct, _pk in rows if ct != region_ct}:
        model = ContentType.objects.get_for_id(ct).model_class()
        pks = [int(pk) for _u, _c, c, pk in rows if c == ct]
        others[ct] = model._default_manager.in_bulk(pks)
    result = {pk: [] for pk in user_ids}
    for user_id, codename, ct, pk in rows:
        if ct == region_ct and int(pk) in regions:
            region = regions[int(pk)]
            result[user_id].append(Holding(get_role(codename), region.name, region.path))
        elif ct in others and int(pk) in others[ct]:
            result[user_id].append(Holding(_("Operator"), str(others[ct][int(pk)])))
    return {pk: sorted(held, key=lambda h: h.order) for pk, held in result.items()}
