from django.utils.translation import gettext as _

from . import RuleViolation

MIN_TERM_YEARS = 3


def check_term(years: int) -> None:
    """Agreements run at least three years.

    Seed (Zhijin): dividend agreements "协议分红时限不低于3年"; direct-subsidy rolling-development
    agreements "时限不低于3年".
    """
    if years is None or years < MIN_TERM_YEARS:
        raise RuleViolation(
            _(
                "The agreement term must be at least %(min)d years (contract-model rule); %(got)s was entered."
            )
            % {"min": MIN_TERM_YEARS, "got": years}
        )
