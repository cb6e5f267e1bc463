"""What every stage form shares: workflow's task forms with the dates checked, and the
agreement rules run field by field so each broken rule shows beside its own field."""

from django import forms
from django.utils import timezone

from workflow import forms as task_forms

from .. import dividends
from ..models import ImplementationMode
from ..rules import RuleViolation, benefit_linkage, periods, terms

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


class PlausibleDates:
    """Every date of a stage form lies in its plausible range (rules/periods.py): not before
    2013, and not after today unless ``dates_ahead`` gives the field days of room."""

    dates_ahead = {"starts_on": 366}  # an agreement may take effect up to a year ahead

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if not isinstance(field, forms.DateField) or value is None or name in self.errors:
                continue
            try:
                periods.check_plausible_date(value, today, self.dates_ahead.get(name, 0))
            except RuleViolation as error:
                self.add_error(name, error)
        return cleaned


# The task forms of this module: workflow's, with the dates checked.
class TaskForm(PlausibleDates, task_forms.TaskForm):
    pass


class ModelTaskForm(PlausibleDates, task_forms.ModelTaskForm):
    pass


class ReviewForm(PlausibleDates, task_forms.ReviewForm):
    pass


def run_rule_checks(form, checks) -> None:
    """Run each check whose field is otherwise valid; a broken rule is that field's error."""
    for field, check in checks:
        if field in form.errors:
            continue
        try:
            check()
        except KeyError:
            continue  # a required field is missing; its own error says so
        except RuleViolation as error:
            form.add_error(field, error)


def agreement_rule_checks(project, cleaned) -> list:
    """(field, check) pairs for an agreement's terms in the project's mode (DOMAIN §4):
    term ≥ 3 years; guaranteed dividend ≥ 5 % and rising, collateral ≥ the invested funds;
    or households' share ≥ 70 % and a manager named."""
    checks = [("term_years", lambda: terms.check_term(cleaned["term_years"]))]
    if project.mode == ImplementationMode.GUARANTEED_DIVIDEND:
        return checks + [
            (
                "first_year_rate",
                lambda: benefit_linkage.check_first_year_rate(cleaned["first_year_rate"]),
            ),
            (
                "yearly_increase",
                lambda: benefit_linkage.check_yearly_increase(cleaned["yearly_increase"]),
            ),
            (
                "collateral_value",
                lambda: benefit_linkage.check_collateral(
                    cleaned["collateral_value"], dividends.invested(project)
                ),
            ),
        ]
    return checks + [
        (
            "household_share",
            lambda: benefit_linkage.check_household_share(cleaned["household_share"]),
        ),
        ("manager_name", lambda: benefit_linkage.check_manager_named(cleaned["manager_name"])),
    ]
