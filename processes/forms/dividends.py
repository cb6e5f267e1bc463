"""Stage 12b–e: the dividend notice and payout, term end and the principal's return."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import dividends
from ..acts import dividends as dividends_acts
from ..acts import maintenance
from ..models import DividendYear, ImplementationMode
from ..rules import dividends as rules_dividends
from ..rules import periods
from .base import DATE, TEXT, TaskForm, agreement_rule_checks, run_rule_checks
from .review import PublicNoticeForm

# --- 12b 分红公示 the village publishes the year's dividend list -------------------------


class DividendNoticeForm(PublicNoticeForm):
    """The village posts the year's dividend list (公示) for the notice period; upheld
    objections send the income report back to the operator."""

    withdrawable = False  # it appends a record or moves its status on

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dividend_year = self.process.project.dividend_years.get(
            status=DividendYear.Status.COMPUTED
        )
        self.fields["decision"].choices = [
            ("approve", _("Notice period passed")),
            ("back", _("Objections upheld: send the income report back")),
        ]
        self.reported_on = dividends.reported_on(self.dividend_year)
        self.fields["notice_start"].help_text = _(
            "From %(end)s, once agreement year %(year)s is over."
        ) % {"end": self.dividend_year.period_end.isoformat(), "year": self.dividend_year.year}

    def clean_approval(self, cleaned):
        super().clean_approval(cleaned)
        for field, error in periods.check_notice_dates(
            cleaned["notice_start"],
            cleaned["notice_end"],
            self.dividend_year.period_end,
            self.reported_on or cleaned["notice_end"],
        ):
            if field not in self.errors:
                self.add_error(field, error)

    def apply_approval(self):
        return dividends_acts.publish_dividend_list(
            self.user,
            self.process.project,
            self.dividend_year.year,
            self.cleaned_data["notice_start"],
            self.cleaned_data["notice_end"],
            self.cleaned_data["notice_objections"],
        )

    def apply(self):
        before, after = super().apply()
        if self.cleaned_data["decision"] == "back":
            report = maintenance.withdraw_report(self.user, self.process.project)
            after = {**after, "year": report.year, "maintenance_report": report.pk}
        return before, after


# --- 12c 分红发放 the operator pays and the payout is recorded --------------------------


class DividendPayoutForm(TaskForm):
    """What was actually paid: each household, the village collective and the development
    fund. Less than due, or after the due date, is recorded and flagged, not refused."""

    withdrawable = False  # it appends a record or moves its status on

    paid_on = forms.DateField(label=_("Paid on"), **DATE)
    collective_paid = forms.DecimalField(
        label=_("Paid to the village collective (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    fund_paid = forms.DecimalField(
        label=_("Paid to the village management and development fund (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dividend_year = self.process.project.dividend_years.get(
            status=DividendYear.Status.PUBLISHED
        )
        self.fields["collective_paid"].initial = self.dividend_year.collective_part
        self.fields["fund_paid"].initial = self.dividend_year.fund_part
        self.shares = list(self.dividend_year.shares.select_related("household"))
        for share in self.shares:
            self.fields[f"paid_{share.pk}"] = forms.DecimalField(
                label=_("%(name)s (due ¥%(due)s)")
                % {"name": share.household.head_name, "due": f"{share.amount_due:,.2f}"},
                max_digits=14,
                decimal_places=2,
                min_value=0,
                initial=share.amount_due,
            )

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        periods.check_plausible_date(paid_on, timezone.localdate())  # paid, so not ahead
        if self.dividend_year.notice_end is not None:
            periods.check_payout_date(paid_on, self.dividend_year.notice_end)
        return paid_on

    def apply(self):
        return dividends_acts.pay_dividends(
            self.user,
            self.process.project,
            self.dividend_year.year,
            {share.pk: self.cleaned_data[f"paid_{share.pk}"] for share in self.shares},
            self.cleaned_data["paid_on"],
            self.cleaned_data["collective_paid"],
            self.cleaned_data["fund_paid"],
        )


# --- 12d 期满续签或终止 at term end: renew by a new agreement, or terminate --------------


class TermEndForm(TaskForm):
    """The township lead decides at term end: a new agreement on terms that again satisfy the
    rules (and keep the guaranteed dividend rising), or termination of the cooperation."""

    RENEW, TERMINATE = "renew", "terminate"
    outcome = forms.ChoiceField(
        label=_("At term end"),
        choices=[(RENEW, _("Renew with a new agreement")), (TERMINATE, _("Terminate"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Opinion / reason"), **TEXT)
    signed_on = forms.DateField(label=_("New agreement signed on"), required=False, **DATE)
    term_years = forms.IntegerField(label=_("Term (years)"), required=False, min_value=1)
    first_year_rate = forms.DecimalField(
        label=_("First-year dividend rate (%)"), required=False, max_digits=5, decimal_places=2
    )
    yearly_increase = forms.DecimalField(
        label=_("Yearly increase (percentage points)"),
        required=False,
        max_digits=5,
        decimal_places=2,
    )
    collateral_value = forms.DecimalField(
        label=_("Collateral value (yuan)"), required=False, max_digits=14, decimal_places=2
    )
    collateral_description = forms.CharField(label=_("Collateral"), required=False)
    household_share = forms.DecimalField(
        label=_("Households' share of returns (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
    )
    manager_name = forms.CharField(label=_("Manager sent by the implementing unit"), required=False)

    GUARANTEED = (
        "first_year_rate",
        "yearly_increase",
        "collateral_value",
        "collateral_description",
    )
    EQUITY = ("household_share", "manager_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = self.process.project.agreement
        guaranteed = self.process.project.mode == ImplementationMode.GUARANTEED_DIVIDEND
        for name in self.EQUITY if guaranteed else self.GUARANTEED:
            del self.fields[name]
        self.terms = ("term_years",) + (self.GUARANTEED if guaranteed else self.EQUITY)
        for name in self.terms:
            self.fields[name].initial = getattr(self.previous, name)
        self.fields["term_years"].initial = self.previous.term_years
        rates = self.previous.rates()
        if "first_year_rate" in self.terms and rates:
            # the schedule goes on rising: offer the next step of it, never the last rate again
            last = rates[-1]
            self.fields["first_year_rate"].initial = last + (
                self.previous.yearly_increase or Decimal("0.50")
            )
            self.fields["first_year_rate"].help_text = _(
                "Last agreed rate: %(rate)s%% (agreement year %(year)s, agreement #%(number)s). "
                "The new first-year rate must be above it."
            ) % {
                "rate": f"{last:.2f}",
                "year": self.previous.last_year,
                "number": self.previous.number,
            }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") != self.RENEW:
            return cleaned
        for name in ("signed_on", *self.terms):
            if cleaned.get(name) in (None, ""):
                self.add_error(name, _("This field is required to renew."))
        if self.errors:
            return cleaned
        checks = agreement_rule_checks(self.process.project, cleaned)
        if "first_year_rate" in self.terms:
            rates = self.previous.rates()
            checks.append(
                (
                    "first_year_rate",
                    lambda: rules_dividends.check_renewal_rate(
                        cleaned["first_year_rate"], rates[-1] if rates else None
                    ),
                )
            )
        run_rule_checks(self, checks)
        return cleaned

    def apply(self):
        return dividends_acts.end_term(
            self.user,
            self.process.project,
            self.previous,
            self.cleaned_data["outcome"] == self.RENEW,
            self.cleaned_data["reason"],
            self.cleaned_data["signed_on"],
            {name: self.cleaned_data[name] for name in self.terms},
        )


# --- 12e 本金退还 on termination the principal returns to the village collective ---------


class PrincipalReturnForm(TaskForm):
    amount = forms.DecimalField(
        label=_("Principal received (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    returned_on = forms.DateField(label=_("Received on"), **DATE)
    voucher_no = forms.CharField(label=_("Receipt voucher number"), max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = dividends.invested(self.process.project)
        self.fields["amount"].initial = self.principal
        self.fields["amount"].help_text = _("The poverty funds invested: ¥%(amount)s.") % {
            "amount": f"{self.principal:,.2f}"
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        rules_dividends.check_principal_returned(amount, self.principal)
        return amount

    def clean_returned_on(self):
        returned_on = self.cleaned_data["returned_on"]
        periods.check_plausible_date(returned_on, timezone.localdate())  # returned, so not ahead
        return returned_on

    def apply(self):
        return dividends_acts.return_principal(
            self.user,
            self.process.project,
            self.cleaned_data["amount"],
            self.cleaned_data["returned_on"],
            self.cleaned_data["voucher_no"],
        )
