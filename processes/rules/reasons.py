"""The acts that override a project's course are answered for with a reason (DOMAIN.md §2–3).

Seed (Zhijin): "对违规违纪实施的，乡镇有权收回项目资金或调项" — the township reclaims funds or
reassigns a project only on a violation, so the violation is written down; and the five-ones
chain is "一名领导……一抓到底", one leader to the end, so replacing the leader, team or policy
set says why. No source sets a minimum length: any reason that is not blank is taken.
"""

from django.utils.translation import gettext as _

from . import RuleViolation


def _required(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(message)
    return reason


def check_five_ones_change_reason(reason: str | None) -> str:
    """The reason for changing the five-ones chain, stripped; blank is refused."""
    return _required(reason, _("Give the reason for the change."))


def check_reclaim_reason(reason: str | None) -> str:
    """The violation for which funds are reclaimed (收回资金), stripped; blank is refused."""
    return _required(reason, _("Give the reason for reclaiming the funds."))


def check_reassign_reason(reason: str | None) -> str:
    """The violation for which the project is reassigned (调项), stripped; blank is refused."""
    return _required(reason, _("Give the reason for reassigning the project."))
