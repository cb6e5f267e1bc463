"""What reclaiming funds (收回资金) and reassigning a project (调项) share: who may, and
when (DOMAIN.md §3, exception paths: the township acts on a violation).
"""

from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS

from permissions.roles import TOWNSHIP_LEAD

from . import holds_here


def may_act_on_violation(user, project) -> bool:
    """收回资金 / 调项 are the township's: its township lead only (DOMAIN.md §1)."""
    return holds_here(user, TOWNSHIP_LEAD, project.township)


def violation_blocker(project) -> str | None:
    """Why 收回资金 / 调项 cannot be done on the project now, or None: not once its
    process has finished or been stopped (the project is closed)."""
    process = getattr(project, "process", None)
    if process is not None and process.status == PROCESS.DONE:
        return _("The project has finished; its funds and operator can no longer be changed.")
    if process is not None and process.status == PROCESS.CANCELED:
        return _("The project was stopped; its funds and operator can no longer be changed.")
    return None


def live_process(project):
    """The project's process while it runs (its tasks may still move), else None."""
    process = getattr(project, "process", None)
    if process is None or process.status in (PROCESS.DONE, PROCESS.CANCELED):
        return None
    return process
