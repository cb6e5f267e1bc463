"""The forms of the project lifecycle, one per task, one module per stage in stage order.

Each validates its stage's input and calls the stage's act (``processes.acts``) to write it;
the flow names them as ``forms.ApplicationForm`` and so on."""

from .acceptance import (
    ACCEPTANCE_PANEL_MEMBERS,
    ACCEPTANCE_PANEL_SEATS,
    CountyAcceptanceForm,
    SelfCheckForm,
    TownshipAcceptanceForm,
)
from .agreements import BenefitLinkageForm, EntrustmentAgreementForm, SubsidyAgreementsForm
from .application import ApplicationForm, PlanningMeetingForm, household_columns
from .base import ModelTaskForm, PlausibleDates, ReviewForm, TaskForm
from .dividends import DividendNoticeForm, DividendPayoutForm, PrincipalReturnForm, TermEndForm
from .implementation import ProgressReportForm, SupervisionForm
from .maintenance import MaintenanceReportForm, MaintenanceReviewForm
from .money import FundsIssueForm, PaymentForm, ReimbursementForm, ReimbursementReviewForm
from .review import (
    LEADER_ROLES,
    CountyReviewForm,
    LeadingGroupApprovalForm,
    PublicNoticeForm,
    TownshipReviewForm,
    leaders_for,
)

__all__ = [
    "PlausibleDates",
    "TaskForm",
    "ModelTaskForm",
    "ReviewForm",
    "PlanningMeetingForm",
    "ApplicationForm",
    "household_columns",
    "TownshipReviewForm",
    "LEADER_ROLES",
    "leaders_for",
    "PublicNoticeForm",
    "CountyReviewForm",
    "LeadingGroupApprovalForm",
    "FundsIssueForm",
    "ReimbursementForm",
    "ReimbursementReviewForm",
    "PaymentForm",
    "SubsidyAgreementsForm",
    "EntrustmentAgreementForm",
    "BenefitLinkageForm",
    "ProgressReportForm",
    "SupervisionForm",
    "SelfCheckForm",
    "TownshipAcceptanceForm",
    "ACCEPTANCE_PANEL_SEATS",
    "ACCEPTANCE_PANEL_MEMBERS",
    "CountyAcceptanceForm",
    "MaintenanceReportForm",
    "MaintenanceReviewForm",
    "DividendNoticeForm",
    "DividendPayoutForm",
    "TermEndForm",
    "PrincipalReturnForm",
]
