"""收回资金: the township reclaims a project's funds on a violation (DOMAIN.md §3), and may
stop the project with it (its running process is cancelled, an audited act of its own).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.status import PROCESS

from ground import audit
from ground.acts import Act

from .. import ledger
from ..models import FundMovement, Project
from ..rules import RuleViolation, funds, reasons
from .violations import live_process, may_act_on_violation, violation_blocker


@transaction.atomic
def reclaim_funds(actor, project, amount: Decimal, reason: str, stop: bool = False):
    """收回资金: the township reclaims funds from a project on a violation.

    Rule: the amount is at most what the ledger shows allocated to the project less what
    was already reclaimed (processes.ledger.reclaimable). With ``stop`` the project ends
    here: its running process is cancelled with the same reason; without it the project
    goes on (e.g. a partial reclaim after an overpayment)."""
    if not may_act_on_violation(actor, project):
        raise PermissionDenied
    reason = reasons.check_reclaim_reason(reason)
    project = Project.objects.select_for_update().get(pk=project.pk)
    blocker = violation_blocker(project)
    if blocker:
        raise RuleViolation(blocker)
    available = ledger.reclaimable(project)
    funds.check_reclaim(amount, available)
    process = live_process(project) if stop else None
    entry = audit.record(
        actor,
        Act.PROJECT_RECLAIM_FUNDS,
        project,
        project_id=project.pk,
        before={"reclaimable": available},
        after={"reclaimed": amount, "reclaimable": available - amount, "stopped": bool(process)},
        reason=reason,
    )
    FundMovement.objects.create(
        project=project,
        kind=FundMovement.Kind.RECLAIMED,
        amount=amount,
        payee=project.township.name,
        audit_entry=entry,
    )
    if process is not None:
        _stop(actor, process, reason)
    return entry


def _stop(actor, process, reason):
    """Cancel every open task and the process itself (viewflow's Flow.cancel)."""
    from ..flows import ProjectFlow

    try:
        ProjectFlow.instance.cancel(process)
    except FlowRuntimeError as error:  # a step that cannot be cancelled now: nothing is saved
        raise RuleViolation(
            _("The project's running process could not be stopped: %(error)s") % {"error": error}
        ) from error
    audit.record(
        actor,
        Act.PROCESS_STOP,
        process,
        project_id=process.project_id,
        before={"status": PROCESS.NEW},
        after={"status": PROCESS.CANCELED},
        reason=reason,
    )
