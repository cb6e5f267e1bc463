"""The parties that sign: which organisation an official signs for, and its key's code.

A role held at a region signs for an organisation of that region: township officials for
the township people's government, the county poverty office for the county's rural
revitalisation bureau, and so on. Operators sign for themselves.
"""

from documents.kinds import Party
from permissions.jurisdiction import holders
from permissions.models import Region
from permissions.roles import ROLES_BY_CODE, Level


def _region_code(region: Region, unit: str) -> str:
    return region.credit_code if unit == "gov" and region.credit_code else f"R{region.pk}-{unit}"


# role code -> (organisation unit, name suffix)
COUNTY_UNITS = {
    "county_poverty_office": ("rural", "乡村振兴局"),
    "county_finance_bureau": ("finance", "财政局"),
    "county_leading_group": ("leading", "扶贫开发领导小组"),
    "county_discipline": ("discipline", "纪律检查委员会"),
}


def region_government(region: Region) -> Party:
    """The people's government of a county or township; the villagers' committee of a village."""
    names = [r.name for r in region.ancestors_and_self]
    if region.level == Level.VILLAGE:
        name = "".join(names[:-1]) + names[-1] + "村民委员会"
    else:
        name = "".join(names) + "人民政府"
    return Party(name, _region_code(region, "gov"), region.credit_code, head_of(region))


def organisation_for(role_code: str, region: Region) -> Party:
    if role_code in COUNTY_UNITS:
        unit, suffix = COUNTY_UNITS[role_code]
        return Party(
            region.name + suffix, _region_code(region, unit), "", head_of(region, role_code)
        )
    return region_government(region)


def operator_party(operator) -> Party:
    return Party(
        operator.name, operator.credit_code, operator.credit_code, operator.legal_representative
    )


def head_of(region: Region, role_code: str | None = None) -> str:
    """The person in charge: the first active holder (direct or by group) of the region's
    leading role."""
    lead = role_code or {Level.TOWNSHIP: "township_lead", Level.VILLAGE: "village_secretary"}.get(
        region.level, "county_leading_group"
    )
    holder = holders([ROLES_BY_CODE[lead]], [region]).order_by("pk").first()
    return holder.get_full_name() if holder else ""
