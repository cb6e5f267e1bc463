"""How much money may move at each step: issued, claimed, reclaimed (DOMAIN.md §3)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from . import RuleViolation


def check_funds_issued(amount: Decimal, approved: Decimal) -> None:
    """DOMAIN §3, 下达资金: the county finance bureau issues the funds the leading group
    approved, some or all of them, never more."""
    if amount <= 0 or amount > approved:
        raise RuleViolation(
            _("Funds issued must be above zero and at most the approved ¥%(amount)s.")
            % {"amount": f"{approved:,.2f}"}
        )


def check_claim(amount: Decimal, issued: Decimal) -> None:
    """Seed: "项目竣工后及时申报完成验收报账" — the reimbursement claims the funds issued to the
    project, some or all of them, never more."""
    if amount <= 0 or amount > issued:
        raise RuleViolation(
            _("The amount claimed must be above zero and at most the ¥%(issued)s issued.")
            % {"issued": f"{issued:,.2f}"}
        )


def check_reclaim(amount: Decimal, available: Decimal) -> None:
    """Seed: "对违规违纪实施的，乡镇有权收回项目资金" — the township reclaims at most what the
    ledger shows allocated to the project less what was already reclaimed (``available``)."""
    if amount <= 0:
        raise RuleViolation(_("The amount reclaimed must be more than zero."))
    if amount > available:
        raise RuleViolation(
            _("At most ¥%(available)s can be reclaimed: the funds allocated less those reclaimed.")
            % {"available": f"{available:,.2f}"}
        )
