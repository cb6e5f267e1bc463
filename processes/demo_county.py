"""The demo county: 织金县 with the three townships the source names (seed 1).

``build_demo_county()`` is idempotent: regions, users, operators and households are
looked up before they are created, and a project is created only if none has its name.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from permissions import actions as grants
from permissions.jurisdiction import roles_of
from permissions.models import Region
from permissions.roles import REGION_ROLES, Level

from . import demo
from .models import Household, ImplementationMode, Operator, Project
from .rules.dividends import add_years
from .validators import id_number_check_digit, uscc_check_char

DEMO_PASSWORD = "qiyue-demo-2026"

COUNTY = ("织金县", "zj", "520524")
TOWNSHIPS = {
    ("珠藏镇", "zhuzang"): [("乐丰村", "lefeng"), ("大寨村", "dazhai")],
    ("桂果镇", "guiguo"): [("牛场村", "niuchang"), ("新华村", "xinhua")],
    ("茶店乡", "chadian"): [("红花村", "honghua"), ("三塘村", "santang")],
}
ROLE_SLUGS = {
    "county_poverty_office": "poverty_office",
    "county_finance_bureau": "finance",
    "county_leading_group": "leading_group",
    "county_discipline": "discipline",
    "township_lead": "lead",
    "township_work_station": "station",
    "township_finance_office": "finance",
    "village_secretary": "secretary",
    "first_secretary": "first_secretary",
    "livelihood_supervisor": "supervisor",
    "township_discipline": "discipline",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "建国",
    "明",
    "德彬",
    "秀英",
    "志强",
    "桂兰",
    "海",
    "春梅",
    "永福",
    "丽",
    "国庆",
    "红",
    "喆",
    "堃",
    "珺",
]
OPERATORS = [
    (
        "织金县珠藏镇乐丰生猪养殖专业合作社",
        Operator.Kind.COOPERATIVE,
        "陈德彬",
        "zhuzang",
        "coop_lefeng",
    ),
    ("贵州桂果现代农业发展有限公司", Operator.Kind.ENTERPRISE, "李刚", "guiguo", "agri_guiguo"),
    (
        "织金县茶店乡竹荪种植专业合作社",
        Operator.Kind.COOPERATIVE,
        "陈忠勇",
        "chadian",
        "coop_chadian",
    ),
]
# Projects whose current step has been waiting this many calendar days, so that the
# supervisor dashboard and the five-ones pages show late and stalled work.
WAITING_SINCE_DAYS = {
    "新华村蛋鸡养殖项目": 45,  # public notice: escalated to the county
    "牛场村中药材种植补助项目": 17,  # county review: overdue
    "红花村刺梨种植补助项目": 5,  # township review: due soon, reminded
    "大寨村竹荪种植补助项目": 21,  # yearly report: not due, but nothing moves (stalled)
}
# Projects into post-maintenance (None: run to the end): the agreement years they have
# reported must be over, so their story starts that many years (and a few weeks) back.
YEARS_REPORTED = {"maintenance_report": 1, "dividend_payout": 1, "term_end": 3, None: 3}
# name, village slug, mode, funds, operator index, where the project stands
PROJECTS = [
    ("乐丰村生猪养殖项目", "lefeng", ImplementationMode.EQUITY_DIVIDEND, "300000.00", 0, None),
    (
        "大寨村竹荪种植补助项目",
        "dazhai",
        ImplementationMode.DIRECT_SUBSIDY,
        "60000.00",
        None,
        "maintenance_report",
    ),
    (
        "牛场村食用菌基地项目",
        "niuchang",
        ImplementationMode.GUARANTEED_DIVIDEND,
        "500000.00",
        1,
        "county_acceptance",
    ),
    (
        "新华村蔬菜大棚补助项目",
        "xinhua",
        ImplementationMode.DIRECT_SUBSIDY,
        "48000.00",
        None,
        "reimbursement_finance_review",
    ),
    (
        "红花村竹荪种植项目",
        "honghua",
        ImplementationMode.EQUITY_DIVIDEND,
        "400000.00",
        2,
        "progress_report",
    ),
    (
        "三塘村肉牛养殖项目",
        "santang",
        ImplementationMode.GUARANTEED_DIVIDEND,
        "350000.00",
        2,
        "entrustment_agreement",
    ),
    (
        "乐丰村茶叶种植补助项目",
        "lefeng",
        ImplementationMode.DIRECT_SUBSIDY,
        "40000.00",
        None,
        "subsidy_agreements",
    ),
    (
        "大寨村精品水果项目",
        "dazhai",
        ImplementationMode.EQUITY_DIVIDEND,
        "250000.00",
        0,
        "leading_group_approval",
    ),
    (
        "牛场村中药材种植补助项目",
        "niuchang",
        ImplementationMode.DIRECT_SUBSIDY,
        "32000.00",
        None,
        "county_review",
    ),
    (
        "新华村蛋鸡养殖项目",
        "xinhua",
        ImplementationMode.GUARANTEED_DIVIDEND,
        "200000.00",
        1,
        "public_notice",
    ),
    (
        "红花村刺梨种植补助项目",
        "honghua",
        ImplementationMode.DIRECT_SUBSIDY,
        "36000.00",
        None,
        "township_review",
    ),
    (
        "三塘村肉羊养殖项目",
        "santang",
        ImplementationMode.EQUITY_DIVIDEND,
        "180000.00",
        2,
        "sent_back",
    ),
    (
        "乐丰村林下养鸡项目",
        "lefeng",
        ImplementationMode.GUARANTEED_DIVIDEND,
        "150000.00",
        0,
        "application",
    ),
    (
        "牛场村香菇种植项目",
        "niuchang",
        ImplementationMode.GUARANTEED_DIVIDEND,
        "240000.00",
        1,
        "dividend_payout",
    ),
    (
        "红花村生态茶园项目",
        "honghua",
        ImplementationMode.EQUITY_DIVIDEND,
        "200000.00",
        2,
        "term_end",
    ),
]


def _person_name(index: int) -> tuple[str, str]:
    return SURNAMES[index % len(SURNAMES)], GIVEN[(index * 7) % len(GIVEN)]


def _id_number(village_code: str, index: int) -> str:
    birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=(index * 37) % 15000)
    first17 = f"{village_code}{birth:%Y%m%d}{index % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def _credit_code(index: int) -> str:
    first17 = f"93520524MA6D{index:04d}X"
    return first17 + uscc_check_char(first17)


class DemoCounty:
    def __init__(self):
        self.user_index = 0
        self.admin = None

    def region(self, name, level, parent=None, code=""):
        region = Region.objects.filter(name=name, parent=parent).first()
        if region is None:
            region = Region.objects.create(name=name, level=level, parent=parent, code=code)
            if level != Level.VILLAGE:  # the people's government is a party to agreements
                first17 = f"11520524MB{region.pk:07d}"
                region.credit_code = first17 + uscc_check_char(first17)
                region.save(update_fields=["credit_code"])
        return region

    def user(self, username, full_name=""):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            self.user_index += 1
            surname, given = _person_name(User.objects.count() + self.user_index)
            user = User.objects.create_user(
                username,
                password=DEMO_PASSWORD,
                full_name=full_name or surname + given,
            )
        return user

    def holder(self, username, role, region):
        user = self.user(username)
        if not any(r.role == role and r.region.pk == region.pk for r in roles_of(user)):
            grants.grant_role(self.admin, user, role, region)
        return user

    def build(self, projects=PROJECTS):
        User = get_user_model()
        self.admin = User.objects.filter(username="admin").first() or User.objects.create_superuser(
            "admin", password=DEMO_PASSWORD, full_name="系统管理员"
        )
        name, slug, code = COUNTY
        county = self.region(name, Level.COUNTY, code=code)
        for role in REGION_ROLES:
            if role.level == Level.COUNTY:
                self.holder(f"{slug}_{ROLE_SLUGS[role.code]}", role, county)
        villages = {}
        for (t_name, t_slug), village_list in TOWNSHIPS.items():
            township = self.region(t_name, Level.TOWNSHIP, county)
            for role in REGION_ROLES:
                if role.level == Level.TOWNSHIP:
                    self.holder(f"{t_slug}_{ROLE_SLUGS[role.code]}", role, township)
            for v_name, v_slug in village_list:
                village = self.region(v_name, Level.VILLAGE, township)
                villages[v_slug] = village
                for role in REGION_ROLES:
                    if role.level == Level.VILLAGE:
                        self.holder(f"{t_slug}_{v_slug}_{ROLE_SLUGS[role.code]}", role, village)
                self.households(village, code, v_slug)
        operators = [self.operator(i, *spec) for i, spec in enumerate(OPERATORS)]
        self.signing_keys(county, operators)
        for spec in projects:
            self.project(villages, operators, *spec)
        from workflow.supervision import sweep

        sweep()  # remind, mark overdue and escalate the demo's late steps (once each)
        return county

    def signing_keys(self, county, operators):
        """Demo keys from a demo county CA, for every organisation that signs papers."""
        from documents import pki
        from processes.papers.parties import (
            COUNTY_UNITS,
            operator_party,
            organisation_for,
            region_government,
        )

        pki.create_county_ca(county.name)
        parties = [region_government(county)]
        parties += [organisation_for(role_code, county) for role_code in COUNTY_UNITS]
        parties += [region_government(township) for township in county.children.all()]
        parties += [operator_party(operator) for operator in operators]
        for party in parties:
            pki.issue_org_key(party.name, party.code)

    def households(self, village, code, v_slug):
        base = village.pk * 50
        for i in range(6):
            surname, given = _person_name(base + i)
            Household.objects.get_or_create(
                id_number=_id_number(code, base + i),
                defaults={
                    "head_name": surname + given,
                    "village": village,
                    "members": 3 + i % 3,
                    "bank_account": f"6217{base + i:012d}",
                },
            )

    def operator(self, index, name, kind, legal_rep, township_slug, username):
        township = Region.objects.get(
            level=Level.TOWNSHIP, name=next(t for t, s in TOWNSHIPS if s == township_slug)
        )
        operator, _ = Operator.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "credit_code": _credit_code(index + 1),
                "legal_representative": legal_rep,
                "township": township,
                "phone": f"0857-76{index:05d}",
            },
        )
        user = self.user(username)
        if operator.pk not in [int(pk) for pk in _operator_pks(user)]:
            grants.grant_operator_access(self.admin, user, operator)
        return operator

    def project(self, villages, operators, name, v_slug, mode, funds, operator_index, stands_at):
        if Project.objects.filter(name=name).exists():
            return
        village = villages[v_slug]
        secretary = self.user(
            f"{next(s for (t, s), vs in TOWNSHIPS.items() if any(v == v_slug for _, v in vs))}"
            f"_{v_slug}_secretary"
        )
        industry = name.removeprefix(village.name).removesuffix("项目").removesuffix("补助")
        with transaction.atomic():
            project = demo.start_project(
                secretary,
                name=name,
                industry=industry,
                village=village,
                mode=mode,
                funds_amount=Decimal(funds),
                scale=f"覆盖{village.name}脱贫户",
                **({"operator": operators[operator_index]} if operator_index is not None else {}),
                **story_start(stands_at),
            )
            demo.walk_to(project, stands_at)
            if name in WAITING_SINCE_DAYS:
                demo.backdate_open_task(project, WAITING_SINCE_DAYS[name])


def story_start(stands_at) -> dict:
    years = YEARS_REPORTED.get(stands_at)
    if years is None:
        return {}
    today = timezone.localdate()
    return {"meeting_date": add_years(today, -years) - datetime.timedelta(days=45)}


def _operator_pks(user):
    from permissions.jurisdiction import operator_ids

    return operator_ids(user)


def build_demo_county(projects=PROJECTS):
    """The demo county; ``projects=()`` builds its regions, people, operators, households and
    keys without a project (the household-batch benchmark starts its own)."""
    return DemoCounty().build(projects)


def demo_accounts() -> list[dict]:
    """Every demo official with role, level and full region path; operators too."""
    rows = []
    for user in get_user_model().objects.filter(is_superuser=False).order_by("pk"):
        for held in roles_of(user):
            rows.append(
                {
                    "username": user.username,
                    "password": DEMO_PASSWORD,
                    "name": user.get_full_name(),
                    "role": str(held.role.label),
                    "role_code": held.role.code,
                    "level": held.region.level,
                    "region": held.region.full_name,
                }
            )
        for operator in Operator.objects.filter(pk__in=_operator_pks(user)):
            rows.append(
                {
                    "username": user.username,
                    "password": DEMO_PASSWORD,
                    "name": user.get_full_name(),
                    "role": str(_operator_label()),
                    "role_code": "operator",
                    "level": Level.TOWNSHIP.value,
                    "region": operator.township.full_name,
                    "operator": operator.name,
                }
            )
    return rows


def _operator_label():
    from django.utils.translation import gettext_lazy as _

    return _("Operator")
