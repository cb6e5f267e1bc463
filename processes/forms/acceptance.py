"""Stage 10: acceptance (验收) by the village, the township and the county panel."""

from django import forms
from django.utils.translation import gettext_lazy as _

from permissions.roles import COUNTY_DISCIPLINE, COUNTY_FINANCE_BUREAU, COUNTY_LEADING_GROUP

from ..acts import acceptance
from ..models import AcceptanceRecord
from .base import DATE, TEXT, ReviewForm, TaskForm

# --- 10 验收 acceptance ----------------------------------------------------------------


class SelfCheckForm(TaskForm):
    withdrawable = False  # it appends a record or moves its status on

    conclusion = forms.CharField(label=_("Self-check conclusion"), **TEXT)

    def apply(self):
        return acceptance.record_acceptance(
            self.user,
            self.process.project,
            AcceptanceRecord.Level.VILLAGE,
            self.cleaned_data["conclusion"],
        )


class TownshipAcceptanceForm(ReviewForm):
    withdrawable = False  # it appends a record or moves its status on

    conclusion = forms.CharField(
        label=_("Preliminary acceptance conclusion"), required=False, **TEXT
    )
    approval_fields = ("conclusion",)
    level = AcceptanceRecord.Level.TOWNSHIP

    def apply_approval(self):
        return acceptance.record_acceptance(
            self.user,
            self.process.project,
            self.level,
            self.cleaned_data["conclusion"],
            self.cleaned_data.get("accepted_on"),
        )


# 会签: the seats of the county acceptance panel the poverty office fills (outside experts
# get the one project opened to them); approval needs every member's "agree".
ACCEPTANCE_PANEL_SEATS = (
    ("bureau", _("Industry bureau")),
    ("finance", _("Finance bureau")),
    ("discipline", _("Discipline inspection")),
    ("audit", _("Audit bureau")),
    ("expert", _("Outside expert")),
)
# Who may take each seat: holders of these county roles. The sector bureaus sit on the
# county's leading group; the audit bureau and outside experts hold no role here, so their
# seats take accounts without one.
ACCEPTANCE_PANEL_MEMBERS = {
    "bureau": (COUNTY_LEADING_GROUP,),
    "finance": (COUNTY_FINANCE_BUREAU,),
    "discipline": (COUNTY_DISCIPLINE,),
}


class CountyAcceptanceForm(TownshipAcceptanceForm):
    conclusion = forms.CharField(label=_("County acceptance conclusion"), required=False, **TEXT)
    accepted_on = forms.DateField(label=_("Accepted on"), required=False, **DATE)
    approval_fields = ("conclusion", "accepted_on")
    level = AcceptanceRecord.Level.COUNTY
