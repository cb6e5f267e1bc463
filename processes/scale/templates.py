"""Template projects: real flow runs, one per stage of the mix, that the cloner copies.

Each is started and walked by the officials holding the steps' roles, through the steps'
own forms and acts (processes.demo), so every row a stage writes (tasks, audit entries,
fund movements, agreements, reports, dividend lists) is the flow's own.
"""

from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction

from permissions.roles import VILLAGE_SECRETARY

from .. import demo
from ..demo_county import story_start
from ..models import ImplementationMode, Project

DS, GD, ED = (
    ImplementationMode.DIRECT_SUBSIDY,
    ImplementationMode.GUARANTEED_DIVIDEND,
    ImplementationMode.EQUITY_DIVIDEND,
)
# Where a province's projects stand (the open step; None: finished), with the share of each
# in a hundred: most projects of a few years' running are past acceptance.
MIX = [
    (None, ED, "300000.00", 12),
    ("maintenance_report", DS, "60000.00", 14),
    ("dividend_payout", GD, "240000.00", 10),
    ("term_end", ED, "200000.00", 4),
    ("maintenance_report", GD, "320000.00", 6),
    ("county_acceptance", GD, "500000.00", 5),
    ("reimbursement_finance_review", DS, "48000.00", 5),
    ("progress_report", ED, "400000.00", 9),
    ("entrustment_agreement", GD, "350000.00", 4),
    ("subsidy_agreements", DS, "40000.00", 4),
    ("leading_group_approval", ED, "250000.00", 4),
    ("county_review", DS, "32000.00", 4),
    ("public_notice", GD, "200000.00", 4),
    ("township_review", DS, "36000.00", 5),
    ("sent_back", ED, "180000.00", 3),
    ("application", GD, "150000.00", 7),
]
INDUSTRIES = ["生猪养殖", "竹荪种植", "食用菌", "蔬菜大棚", "肉牛养殖", "茶叶种植", "精品水果"]


def build_templates(province) -> list[tuple[Project, int]]:
    """Walk one project per entry of ``MIX`` (the direct subsidies each in a village of their
    own, so a household's subsidies stay under the cap); returns (project, weight) pairs. Papers are left out:
    their PDFs would cost seconds each and are never cloned."""
    from documents import production

    User = get_user_model()
    made, subsidies = [], 0
    with mock.patch.object(production, "in_background", lambda *args: None):
        for i, (stands_at, mode, funds, weight) in enumerate(MIX):
            village = province.villages[subsidies % len(province.villages) if mode == DS else 0]
            subsidies += mode == DS
            secretary = User.objects.get(pk=province.holders[VILLAGE_SECRETARY.code, village.pk])
            operator = province.operators[village.parent_id]
            industry = INDUSTRIES[i % len(INDUSTRIES)]
            with transaction.atomic():
                project = demo.start_project(
                    secretary,
                    name=f"{village.name}{industry}项目",
                    industry=industry,
                    village=village,
                    mode=mode,
                    funds_amount=Decimal(funds),
                    scale=f"覆盖{village.name}脱贫户",
                    **({} if mode == DS else {"operator": operator}),
                    **story_start(stands_at),
                )
                demo.walk_to(project, stands_at)
            made.append((project, weight))
    return made
