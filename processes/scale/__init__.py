"""A generated province for measuring the service at scale (``manage.py seed_scale``).

``build()`` makes the regions, one official per role and region, an operator per township
and the villages' households with bulk inserts (province.py); walks one real project per
stage of the mix through the flow (templates.py); then clones those
projects into every village until the province holds the projects asked for (cloning.py).
"""

import time

from django.contrib.auth import get_user_model

from permissions.models import Region
from permissions.roles import REGION_ROLES, Level

from ..demo_county import DEMO_PASSWORD
from ..models import Household, Operator
from .cloning import Cloner
from .province import build_province
from .rows import reset_sequences
from .templates import MIX, build_templates


def build(projects, counties=10, townships=30, villages=10, seed=1, progress=None) -> dict:
    """Build the province; returns the figures of the build and the accounts made, with the
    ``cloner`` that can grow it further (``cloner.run(n)``)."""
    started = time.perf_counter()
    village_count = counties * townships * villages
    per_village = -(-max(projects, 1) // village_count)
    households = max(8, min(200, 4 * per_village + 4))
    province = build_province(counties, townships, villages, households)
    reset_sequences([Region, get_user_model(), Operator, Household])
    people = time.perf_counter()
    templates = build_templates(province)
    walked = time.perf_counter()
    cloner = Cloner(province, templates, seed)
    cloned = cloner.run(max(0, projects - len(templates)), progress)
    done = time.perf_counter()
    return {
        "cloner": cloner,
        "projects": len(templates) + cloned,
        "regions": len(province.counties) + len(province.townships) + len(province.villages),
        "officials": len(province.names),
        "households": households * len(province.villages),
        "seconds": {
            "people": round(people - started, 2),
            "templates": round(walked - people, 2),
            "clones": round(done - walked, 2),
            "total": round(done - started, 2),
        },
        "accounts": accounts(province),
    }


def accounts(province) -> list[dict]:
    """One account per role and level: the holder at the first region of that level, and the
    first township's operator staff, in the shape ``demo_accounts --json`` prints."""
    first = {
        Level.COUNTY: province.counties[0],
        Level.TOWNSHIP: province.townships[0],
        Level.VILLAGE: province.villages[0],
    }
    User = get_user_model()
    rows = []
    for role in REGION_ROLES:
        region = first[role.level]
        pk = province.holders[role.code, region.pk]
        rows.append(_account(User, pk, str(role.label), role.code, role.level, region))
    township = province.townships[0]
    operator = province.operators[township.pk]
    row = _account(
        User, province.holders["operator", operator.pk], "", "operator", Level.TOWNSHIP, township
    )
    from django.utils.translation import gettext

    row["role"] = gettext("Operator")
    row["operator"] = operator.name
    rows.append(row)
    return rows


def _account(User, pk, label, code, level, region) -> dict:
    user = User.objects.get(pk=pk)
    return {
        "username": user.username,
        "password": DEMO_PASSWORD,
        "name": user.get_full_name(),
        "role": label,
        "role_code": code,
        "level": str(level),
        "region": region.full_name,
    }


__all__ = ["MIX", "accounts", "build"]
