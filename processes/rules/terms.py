from django.utils.translation import gettext as _

from . import RuleViolation

MIN_TERM_YEARS = 3
# Rural land contracts, on which the projects' assets stand, run 30 years (农村土地承包法
# art. 21); an agreement longer than that is a typing slip.
MAX_TERM_YEARS = 30


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
    if years > MAX_TERM_YEARS:
        raise RuleViolation(
            _(
                "The agreement term can be at most %(max)d years (the term of a rural land contract); %(got)s was entered."
            )
            % {"max": MAX_TERM_YEARS, "got": years}
        )
