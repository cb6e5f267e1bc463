"""五个一: replacing a project's responsible leader, working team or policy set (DOMAIN.md §2).

Who may is answered by :func:`may_change_five_ones`; views call it and answer 403 otherwise,
and the act checks it again, so no other caller can skip it.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ground import audit
from ground.acts import Act
from permissions.roles import COUNTY_POVERTY_OFFICE, TOWNSHIP_LEAD

from ..models import Project
from ..rules import RuleViolation, reasons
from . import holds_here


def may_change_five_ones(user, project) -> bool:
    """The township lead of the project's township, or the county poverty office."""
    return holds_here(user, TOWNSHIP_LEAD, project.township) or holds_here(
        user, COUNTY_POVERTY_OFFICE, project.county
    )


def _five_ones(project) -> dict:
    return {
        "responsible_leader": project.responsible_leader_id,
        "team": project.team,
        "policy_set": project.policy_set,
    }


@transaction.atomic
def change_five_ones(actor, project, leader, team, policy_set, reason):
    """Replace the project's responsible leader, working team and policy set. The chain is
    one leader to the end (一抓到底), so every change is recorded with its reason."""
    if not may_change_five_ones(actor, project):
        raise PermissionDenied
    reason = reasons.check_five_ones_change_reason(reason)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = _five_ones(project)
    project.responsible_leader = leader
    project.team = team
    project.policy_set = policy_set
    project.save(update_fields=["responsible_leader", "team", "policy_set"])
    after = _five_ones(project)
    if after == before:
        raise RuleViolation(_("Nothing was changed."))
    return audit.record(
        actor,
        Act.PROJECT_FIVE_ONES,
        project,
        project_id=project.pk,
        before=before,
        after=after,
        reason=reason,
    )
