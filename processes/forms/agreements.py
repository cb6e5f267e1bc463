"""Stage 8: the direct-subsidy, entrustment and benefit-linkage agreements (签订协议)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..acts import agreements
from ..models import Agreement, ImplementationMode
from ..rules import terms
from .base import DATE, ModelTaskForm, TaskForm, agreement_rule_checks, run_rule_checks

# --- 8a 直补协议 direct-subsidy agreements (township) ---------------------------------


class SubsidyAgreementsForm(TaskForm):
    signed_on = forms.DateField(label=_("Agreements signed on"), **DATE)
    term_years = forms.IntegerField(label=_("Rolling-development term (years)"), min_value=1)
    all_signed = forms.BooleanField(label=_("Every household on the roster has signed"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_years"].initial = self.process.project.term_years

    def clean_term_years(self):
        years = self.cleaned_data["term_years"]
        terms.check_term(years)
        return years

    def apply(self):
        return agreements.sign_subsidy_agreements(
            self.user,
            self.process.project,
            self.cleaned_data["signed_on"],
            self.cleaned_data["term_years"],
        )


# --- 8b 委托协议 entrustment agreement (township lead ↔ operator) ----------------------


class EntrustmentAgreementForm(ModelTaskForm):
    class Meta:
        model = Agreement
        fields = [
            "signed_on",
            "starts_on",
            "term_years",
            "first_year_rate",
            "yearly_increase",
            "collateral_value",
            "collateral_description",
            "household_share",
            "manager_name",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
        }

    def get_instance(self):
        project = self.process.project
        return getattr(project, "agreement", None) or Agreement(
            project=project, term_years=project.term_years
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.process.project.mode == ImplementationMode.GUARANTEED_DIVIDEND:
            drop = ("household_share", "manager_name")
        else:
            drop = (
                "first_year_rate",
                "yearly_increase",
                "collateral_value",
                "collateral_description",
            )
        for name in drop:
            del self.fields[name]
        for field in self.fields.values():
            field.required = True

    def clean(self):
        cleaned = super().clean()
        project = self.process.project
        run_rule_checks(self, agreement_rule_checks(project, cleaned))
        return cleaned

    def apply(self):
        years = agreements.sign_entrustment(self.user, self.process.project, self.instance)
        return self.before, {**self.snapshot(), **years}


# --- 8c 利益联结协议 benefit-linkage agreements (operator ↔ households) -----------------


class BenefitLinkageForm(TaskForm):
    signed_on = forms.DateField(label=_("Benefit-linkage agreements signed on"), **DATE)
    all_signed = forms.BooleanField(label=_("Every household on the roster has signed"))

    def apply(self):
        return agreements.sign_benefit_linkage(
            self.user, self.process.project, self.cleaned_data["signed_on"]
        )
