"""The people and places of a generated province: counties, townships and villages, one
official per role and region, an operator per township with its staff, the villages'
households. Bulk inserts with explicit keys; each grant is a guardian object permission,
stored by ``permissions.actions.grant_in_bulk``."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from permissions.actions import grant_in_bulk
from permissions.models import Region
from permissions.roles import OPERATOR_PERMISSION, REGION_ROLES, Level

from ..demo_county import DEMO_PASSWORD, GIVEN, ROLE_SLUGS, SURNAMES
from ..models import Household, Operator
from ..validators import id_number_check_digit, uscc_check_char
from .rows import Ids

# Two-character place names: first syllable by index, second by the index's tens.
SYLLABLES = "青石龙凤金银平安新兴和顺丰乐永福长宁东西南北中山河田林花云水竹梅松柏桃李"


def place_name(index: int) -> str:
    n = len(SYLLABLES)
    return SYLLABLES[index % n] + SYLLABLES[(index // n + index) % n]


SUFFIX = {Level.COUNTY: "县", Level.TOWNSHIP: "镇", Level.VILLAGE: "村"}


@dataclass
class Province:
    counties: list = field(default_factory=list)
    townships: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    # (role code, region pk) -> user pk; ("operator", operator pk) -> user pk
    holders: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)  # user pk -> full name
    operators: dict = field(default_factory=dict)  # township pk -> Operator
    households: dict = field(default_factory=dict)  # village pk -> [(pk, head name)]
    usernames: dict = field(default_factory=dict)  # (role code, region pk) -> username
    roles_at: dict = field(default_factory=dict)  # region pk -> [(role code, user pk)]


def _regions(ids, counties, townships, villages) -> Province:
    province = Province()
    rows = []

    def region(level, parent, index):
        pk = ids.take(Region)
        path = f"{parent.path if parent else '/'}{pk}/"
        r = Region(
            pk=pk,
            name=place_name(index) + SUFFIX[level],
            level=level,
            parent=parent,
            path=path,
            code=f"52{pk:04d}"[-6:] if level == Level.COUNTY else "",
        )
        if level != Level.VILLAGE:  # the people's government is a party to agreements
            first17 = f"11520524MB{pk:07d}"
            r.credit_code = first17 + uscc_check_char(first17)
        rows.append(r)
        return r

    for c in range(counties):
        county = region(Level.COUNTY, None, 7 + c)
        province.counties.append(county)
        for t in range(townships):
            township = region(Level.TOWNSHIP, county, 11 + t)
            province.townships.append(township)
            for v in range(villages):
                province.villages.append(region(Level.VILLAGE, township, 3 + v))
    Region.objects.bulk_create(rows, batch_size=2000)
    return province


def build_province(counties: int, townships: int, villages: int, households: int) -> Province:
    ids = Ids()
    province = _regions(ids, counties, townships, villages)
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    slugs = {}
    for ci, county in enumerate(province.counties, 1):
        slugs[county.pk] = f"c{ci:02d}"
    by_parent = {}
    for region in province.townships + province.villages:
        by_parent.setdefault(region.parent_id, []).append(region)
    for region in province.townships + province.villages:
        siblings = by_parent[region.parent_id]
        letter = "t" if region.level == Level.TOWNSHIP else "v"
        slugs[region.pk] = f"{slugs[region.parent_id]}_{letter}{siblings.index(region) + 1:02d}"

    users, grants = [], []
    first_user = ids.take(User, 0)

    def person(username, index):
        pk = first_user + len(users)
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7 + index // 37) % len(GIVEN)]
        users.append(User(pk=pk, username=username, password=password, full_name=name))
        province.names[pk] = name
        return pk

    for region in province.counties + province.townships + province.villages:
        for role in REGION_ROLES:
            if role.level != region.level:
                continue
            username = f"{slugs[region.pk]}_{ROLE_SLUGS[role.code]}"
            pk = person(username, len(users))
            province.holders[role.code, region.pk] = pk
            province.usernames[role.code, region.pk] = username
            province.roles_at.setdefault(region.pk, []).append((role.code, pk))
            grants.append((pk, role.permission, region))
    operator_rows = []
    for township in province.townships:
        pk = ids.take(Operator)
        first17 = f"93{pk:015d}"
        operator = Operator(
            pk=pk,
            name=f"{township.parent.name}{township.name}农业发展专业合作社",
            kind=Operator.Kind.COOPERATIVE,
            credit_code=first17 + uscc_check_char(first17),
            legal_representative=SURNAMES[pk % len(SURNAMES)] + "德彬",
            township=township,
        )
        operator_rows.append(operator)
        province.operators[township.pk] = operator
        username = f"{slugs[township.pk]}_operator"
        user_pk = person(username, len(users))
        province.holders["operator", pk] = user_pk
        province.usernames["operator", township.pk] = username
        grants.append((user_pk, OPERATOR_PERMISSION, operator))
    User.objects.bulk_create(users, batch_size=2000)
    Operator.objects.bulk_create(operator_rows, batch_size=2000)
    grant_in_bulk(grants)
    _households(ids, province, households)
    province.slugs = slugs
    return province


def _households(ids, province, per_village: int) -> None:
    rows = []
    first = ids.take(Household, len(province.villages) * per_village)
    for vi, village in enumerate(province.villages):
        listed = []
        for i in range(per_village):
            pk = first + vi * per_village + i
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=pk // 1000 % 18000)
            first17 = f"{520100 + pk // 18_000_000:06d}{birth:%Y%m%d}{pk % 1000:03d}"
            name = SURNAMES[pk % len(SURNAMES)] + GIVEN[(pk * 7) % len(GIVEN)]
            rows.append(
                Household(
                    pk=pk,
                    head_name=name,
                    id_number=first17 + id_number_check_digit(first17),
                    village=village,
                    members=3 + i % 3,
                    bank_account=f"6217{pk:012d}",
                )
            )
            listed.append((pk, name))
        province.households[village.pk] = listed
    Household.objects.bulk_create(rows, batch_size=5000)
