"""Stage 12: post-maintenance (后续管护), the yearly report and its review."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import dividends
from ..acts import maintenance
from ..models import ImplementationMode
from ..rules import RuleViolation, income_split, periods
from .base import TEXT, ReviewForm, TaskForm

# --- 12 后续管护 post-maintenance -------------------------------------------------------


class MaintenanceReportForm(TaskForm):
    """The year's report: the asset's condition and, for dividend projects, the income from
    which the year's dividends are computed (shown to the township for review)."""

    withdrawable = False  # it appends a record or moves its status on

    income = forms.DecimalField(
        label=_("Operating income (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    condition = forms.CharField(label=_("Asset condition and maintenance"), **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.process.project
        self.year = maintenance.next_report_year(project)
        if project.mode == ImplementationMode.EQUITY_DIVIDEND:
            self.fields["income"].label = _("Returns on the quantified equity this year (yuan)")
            self.fields["income"].help_text = _(
                "Households receive %(share)s%% of it; the rest goes to the village collective and its development fund."
            ) % {"share": project.agreement.household_share}
        elif project.mode == ImplementationMode.GUARANTEED_DIVIDEND:
            self.fields["income"].help_text = (
                _(
                    "The guaranteed dividend is owed whatever the income; it is split %(households)s%%/%(collective)s%%/%(fund)s%%."
                )
                % income_split.PERCENTS
            )
        self.year_end = dividends.year_end(project, self.year)

    def clean(self):
        cleaned = super().clean()
        if self.year_end is not None:
            try:
                periods.check_report_date(timezone.localdate(), self.year, self.year_end)
            except RuleViolation as error:
                self.add_error("income", error)
        return cleaned

    def apply(self):
        return maintenance.report_year(
            self.user,
            self.process.project,
            self.year,
            self.cleaned_data["income"],
            self.cleaned_data["condition"],
        )


class MaintenanceReviewForm(ReviewForm):
    withdrawable = False  # it appends a record or moves its status on

    def apply(self):
        before, after = super().apply()
        approved = self.cleaned_data["decision"] == "approve"
        report = maintenance.review_report(self.user, self.process.project, approved)
        return before, {**after, **report}
