"""The roles officials hold, each at one level of the region tree (DOMAIN.md §1).

A role is held *at a region*: it is stored as a django-guardian object permission
``permissions.<role code>`` on that :class:`~permissions.models.Region` row. Tasks of
the workflow name a role and a region; whoever holds that role at that region may
claim them. Nothing is stored per project.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    level: str
    supervises: bool = False  # read-only oversight of the whole region below

    @property
    def permission(self) -> str:
        """Full permission name, as viewflow's ``.Permission()`` and ``has_perm`` expect."""
        return f"permissions.{self.code}"

    def __str__(self) -> str:
        return str(self.label)


def _role(code, label, level, **kw) -> Role:
    return Role(code=code, label=label, level=level, **kw)


# County
COUNTY_POVERTY_OFFICE = _role(
    "county_poverty_office", _("County poverty alleviation office"), Level.COUNTY
)
COUNTY_FINANCE_BUREAU = _role("county_finance_bureau", _("County finance bureau"), Level.COUNTY)
COUNTY_LEADING_GROUP = _role("county_leading_group", _("County leading group"), Level.COUNTY)
COUNTY_DISCIPLINE = _role(
    "county_discipline", _("County discipline inspection commission"), Level.COUNTY, supervises=True
)
# Township
TOWNSHIP_LEAD = _role("township_lead", _("Township lead"), Level.TOWNSHIP)
TOWNSHIP_WORK_STATION = _role(
    "township_work_station", _("Township poverty work station"), Level.TOWNSHIP
)
TOWNSHIP_FINANCE_OFFICE = _role(
    "township_finance_office", _("Township finance office"), Level.TOWNSHIP
)
TOWNSHIP_DISCIPLINE = _role(
    "township_discipline", _("Township discipline inspection office"), Level.TOWNSHIP
)
# Village
VILLAGE_SECRETARY = _role(
    "village_secretary", _("Village party branch and committee"), Level.VILLAGE
)
FIRST_SECRETARY = _role("first_secretary", _("Village first secretary"), Level.VILLAGE)
LIVELIHOOD_SUPERVISOR = _role(
    "livelihood_supervisor", _("Livelihood supervisor"), Level.VILLAGE, supervises=True
)

REGION_ROLES: tuple[Role, ...] = (
    COUNTY_POVERTY_OFFICE,
    COUNTY_FINANCE_BUREAU,
    COUNTY_LEADING_GROUP,
    COUNTY_DISCIPLINE,
    TOWNSHIP_LEAD,
    TOWNSHIP_WORK_STATION,
    TOWNSHIP_FINANCE_OFFICE,
    VILLAGE_SECRETARY,
    FIRST_SECRETARY,
    LIVELIHOOD_SUPERVISOR,
    TOWNSHIP_DISCIPLINE,
)
ROLES_BY_CODE = {role.code: role for role in REGION_ROLES}

# Operators (cooperatives, enterprises) act for their organisation, not for a region:
# their grant is a guardian object permission on the Operator row (processes app).
OPERATOR_PERMISSION = "processes.act_for_operator"


def get_role(code: str) -> Role:
    try:
        return ROLES_BY_CODE[code]
    except KeyError:
        raise ValueError(f"Unknown role {code!r}") from None
