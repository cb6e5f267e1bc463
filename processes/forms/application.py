"""Stages 1–2: the planning meeting (项目谋划宣传会议) and the application (申报)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from permissions.jurisdiction import roles_of
from permissions.models import Region
from permissions.roles import VILLAGE_SECRETARY, Level
from workflow.inputs import InputDiscipline
from workflow.widgets import ChoiceTable

from .. import subsidies
from ..acts import application
from ..models import Household, ImplementationMode, Operator, Project
from ..rules import RuleViolation, direct_subsidy, operators, periods, terms
from ..rules.id_numbers import mask_id_number
from .base import ModelTaskForm, PlausibleDates

# --- 1 项目谋划宣传会议 planning meeting (village; starts the process) -------------------


class PlanningMeetingForm(InputDiscipline, PlausibleDates, forms.ModelForm):
    """The village records the planning meeting and the candidate project it chose."""

    class Meta:
        model = Project
        fields = [
            "name",
            "industry",
            "village",
            "mode",
            "funds_amount",
            "operator",
            "scale",
            "term_years",
            "meeting_date",
            "meeting_attendees",
            "meeting_minutes",
            "households_wishes",
        ]
        widgets = {
            "meeting_date": forms.DateInput(attrs={"type": "date"}),
            "meeting_minutes": forms.Textarea(attrs={"rows": 4}),
            "households_wishes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, process, task, user, **kwargs):
        self.process, self.task, self.user = process, task, user
        super().__init__(*args, **kwargs)
        own = [r.region.pk for r in roles_of(user) if r.role == VILLAGE_SECRETARY]
        self.fields["village"].queryset = Region.objects.filter(pk__in=own, level=Level.VILLAGE)
        if len(own) == 1:
            self.fields["village"].initial = own[0]
        # Only the operators of the secretary's own township(s) may run the project.
        townships = Region.objects.filter(pk__in=own).values("parent_id")
        operator = self.fields["operator"]
        operator.queryset = Operator.objects.filter(township__in=townships).order_by("name")
        operator.error_messages["invalid_choice"] = _(
            "Choose an operator of the village's own township."
        )
        for name in ("meeting_date", "meeting_attendees", "meeting_minutes"):
            self.fields[name].required = True

    def clean_meeting_attendees(self):
        count = self.cleaned_data["meeting_attendees"]
        if count is not None:
            periods.check_attendees(count)
        return count

    def clean(self):
        cleaned = super().clean()
        mode, operator = cleaned.get("mode"), cleaned.get("operator")
        village = cleaned.get("village")
        if operator is not None and village is not None:
            try:
                operators.check_operator_township(operator.township_id, village.parent_id)
            except RuleViolation as error:
                self.add_error("operator", error)
        # A missing operator already refused (an invalid choice) needs no second error.
        if mode and not (operator is None and "operator" in self.errors):
            try:
                operators.check_operator_for_mode(
                    mode == ImplementationMode.DIRECT_SUBSIDY, operator is not None
                )
            except RuleViolation as error:
                self.add_error("operator", error)
        if cleaned.get("term_years") is not None:
            try:
                terms.check_term(cleaned["term_years"])
            except RuleViolation as error:
                self.add_error("term_years", error)
        return cleaned

    def apply(self):
        return application.start_project(self.user, self.process, self.save(commit=False))


# --- 2 申报 application (village) -----------------------------------------------------


class ApplicationForm(ModelTaskForm):
    """The village submits the application with its plan and beneficiary roster."""

    households = forms.ModelMultipleChoiceField(
        label=_("Beneficiary households"),
        queryset=Household.objects.none(),
        widget=ChoiceTable(
            search_placeholder=_("Search by name or last digits of the ID number"), search_in=(0, 1)
        ),
    )

    class Meta:
        model = Project
        fields = ["implementation_plan", "performance_targets", "commitment_signed"]
        widgets = {
            "implementation_plan": forms.Textarea(attrs={"rows": 4}),
            "performance_targets": forms.Textarea(attrs={"rows": 3}),
        }

    def get_instance(self):
        return self.process.project

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.instance
        self.fields["implementation_plan"].required = True
        self.fields["commitment_signed"].required = True
        households = Household.objects.filter(village=project.village)
        self.fields["households"].queryset = households
        self.fields["households"].initial = list(
            project.beneficiaries.values_list("household_id", flat=True)
        )
        self.fields["households"].widget.columns = household_columns(households, project)

    def clean(self):
        cleaned = super().clean()
        households = cleaned.get("households")
        if households and self.instance.is_direct_subsidy:
            shares = application.subsidy_shares(self.instance, len(households))
            for household, share in zip(households, shares, strict=True):
                try:
                    direct_subsidy.check_household_cap(
                        household.head_name,
                        subsidies.approved_elsewhere(household, self.instance),
                        share,
                    )
                except RuleViolation as error:
                    self.add_error("households", error)
        return cleaned

    def apply(self):
        before = {**self.before, "households": sorted(self.initial.get("households", []))}
        chosen = application.submit_application(
            self.user, self.instance, self.cleaned_data["households"]
        )
        return before, {**self.snapshot(), **chosen}


def household_columns(households, project):
    """The household picker's columns; what each household already has in direct subsidies
    from other approved projects is fetched once for all rows."""
    so_far = subsidies.approved_elsewhere_by_household(households, project)
    cap = f"{direct_subsidy.HOUSEHOLD_CAP:,.2f}"

    def subsidy(household):
        return f"¥{so_far.get(household.pk, Decimal('0.00')):,.2f} / ¥{cap}"

    return [
        (_("Head of household"), lambda household: household.head_name),
        (_("ID number"), lambda household: mask_id_number(household.id_number)),
        (_("Members"), lambda household: household.members),
        (_("Direct subsidy so far / cap"), subsidy),
    ]
