"""Stages 3–6: township review, public notice, county review and leading-group approval."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.jurisdiction import holders
from permissions.roles import TOWNSHIP_LEAD
from workflow.operation_forms import PersonChoiceField

from .. import subsidies
from ..acts import review
from ..rules import RuleViolation, periods
from .base import DATE, TEXT, ReviewForm

# --- 3 乡审核 township review (sets the five-ones chain) ------------------------------


class TownshipReviewForm(ReviewForm):
    responsible_leader = PersonChoiceField(
        label=_("Responsible leader"), queryset=get_user_model().objects.none(), required=False
    )
    team = forms.CharField(label=_("Working team"), required=False, **TEXT)
    policy_set = forms.CharField(label=_("Policy set"), required=False, **TEXT)
    approval_fields = ("responsible_leader", "team", "policy_set")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.process.project
        self.fields["responsible_leader"].queryset = leaders_for(project)
        self.fields["responsible_leader"].initial = project.responsible_leader_id
        self.fields["team"].initial = project.team
        self.fields["policy_set"].initial = project.policy_set

    def apply_approval(self):
        data = self.cleaned_data
        return review.set_five_ones(
            self.user,
            self.process.project,
            data["responsible_leader"],
            data["team"],
            data["policy_set"],
        )


# Who may be a project's responsible leader: the township's leads. (There is no separate
# cadre role; the work station, finance office and county officials are not leaders here.)
LEADER_ROLES = (TOWNSHIP_LEAD,)


def leaders_for(project):
    """Active officials who may lead the project: the leads of its own township, granted
    directly or through a group. The one call to ask permissions who holds the role."""
    return holders(LEADER_ROLES, [project.township])


# --- 4 公示 public notice (village) ---------------------------------------------------


class PublicNoticeForm(ReviewForm):
    notice_start = forms.DateField(label=_("Notice posted on"), required=False, **DATE)
    notice_end = forms.DateField(label=_("Notice ended on"), required=False, **DATE)
    notice_objections = forms.CharField(label=_("Objections raised"), required=False, **TEXT)
    approval_fields = ("notice_start", "notice_end")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("approve", _("Notice period passed")),
            ("back", _("Objections upheld: send back to the application")),
        ]

    def clean_approval(self, cleaned):
        for error in periods.check_notice_period(
            cleaned["notice_start"],
            cleaned["notice_end"],
            settings.QIYUE_NOTICE_MIN_DAYS,
            timezone.localdate(),
        ):
            self.add_error("notice_end", error)

    def apply_approval(self):
        data = self.cleaned_data
        return review.record_public_notice(
            self.user,
            self.process.project,
            data["notice_start"],
            data["notice_end"],
            data["notice_objections"],
        )


# --- 5–6 县审核 / 审定 county review and leading-group approval -------------------------


class CountyReviewForm(ReviewForm):
    pass


class LeadingGroupApprovalForm(ReviewForm):
    approval_doc_no = forms.CharField(
        label=_("Approval reply number"), required=False, max_length=60
    )
    approved_on = forms.DateField(label=_("Approved on"), required=False, **DATE)
    approval_fields = ("approval_doc_no", "approved_on")

    def clean_approval(self, cleaned):
        # Runs inside the task's lock and transaction: the household locks last until commit.
        try:
            subsidies.lock_and_check_caps(self.process.project)
        except RuleViolation as error:
            self.add_error(None, error)

    def apply_approval(self):
        data = self.cleaned_data
        return review.record_approval(
            self.user, self.process.project, data["approval_doc_no"], data["approved_on"]
        )
