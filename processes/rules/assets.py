"""When an asset may enter the register (DOMAIN.md §4, the asset "four rights")."""

from django.utils.translation import gettext as _

from . import RuleViolation


def check_asset_registrable(accepted_on) -> None:
    """Seed (four rights): after acceptance each income-earning asset is registered with its
    ownership, "全面完成了所有权证登记发放工作" — the certificate is issued for an asset that
    exists and has passed the county acceptance (``accepted_on``), never before."""
    if accepted_on is None:
        raise RuleViolation(_("Assets are registered after the county acceptance."))
