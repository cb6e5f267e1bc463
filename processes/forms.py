"""The forms of the project lifecycle, one per task, in stage order."""

from decimal import ROUND_DOWN, Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ground.audit import jsonable
from permissions.jurisdiction import roles_of
from permissions.models import Region
from permissions.roles import (
    COUNTY_DISCIPLINE,
    COUNTY_FINANCE_BUREAU,
    COUNTY_LEADING_GROUP,
    TOWNSHIP_LEAD,
    VILLAGE_SECRETARY,
    Level,
)
from workflow import forms as task_forms
from workflow.inputs import InputDiscipline
from workflow.operation_forms import PersonChoiceField
from workflow.widgets import ChoiceTable

from . import dividends, subsidies
from .models import (
    AcceptanceRecord,
    Agreement,
    Beneficiary,
    DividendYear,
    Household,
    ImplementationMode,
    MaintenanceReport,
    Operator,
    ProgressReport,
    Project,
    Reimbursement,
)
from .rules import RuleViolation, benefit_linkage, direct_subsidy, periods, terms
from .rules import dividends as rules_dividends

FEN = Decimal("0.01")
DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


def _snapshot(obj, fields) -> dict:
    return jsonable({name: getattr(obj, name) for name in fields})


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
        if (
            operator is not None
            and village is not None
            and operator.township_id != village.parent_id
        ):
            self.add_error("operator", _("Choose an operator of the village's own township."))
        if (
            mode
            and mode != ImplementationMode.DIRECT_SUBSIDY
            and operator is None
            and "operator" not in self.errors
        ):
            self.add_error("operator", _("A dividend project needs the operator that will run it."))
        if mode == ImplementationMode.DIRECT_SUBSIDY and operator is not None:
            self.add_error(
                "operator", _("A direct-subsidy project has no operator: funds go to households.")
            )
        if cleaned.get("term_years") is not None:
            try:
                terms.check_term(cleaned["term_years"])
            except RuleViolation as error:
                self.add_error("term_years", error)
        return cleaned

    def apply(self):
        project = self.save(commit=False)
        project.created_by = self.user
        project.save()
        self.process.project = project
        return {}, jsonable({"project": project.pk, "name": project.name, "mode": project.mode})


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
            shares = equal_shares(self.instance.funds_amount, len(households))
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
        self.save()
        project = self.instance
        chosen = list(self.cleaned_data["households"])
        project.beneficiaries.exclude(household__in=chosen).delete()
        shares = (
            equal_shares(project.funds_amount, len(chosen)) if project.is_direct_subsidy else None
        )
        for index, household in enumerate(chosen):
            Beneficiary.objects.update_or_create(
                project=project,
                household=household,
                defaults={"subsidy": shares[index] if shares else Decimal("0.00")},
            )
        return before, {**self.snapshot(), "households": sorted(h.pk for h in chosen)}


def mask_id_number(id_number: str) -> str:
    """5201**********1234: the region prefix and the last four, enough to tell people apart."""
    if len(id_number) <= 8:
        return id_number
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


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


def equal_shares(total: Decimal, count: int) -> list[Decimal]:
    """Split ``total`` yuan among ``count`` households to the fen; the leftover fen go one
    each to the first households on the roster, so the shares sum to the total."""
    if count <= 0:
        return []
    base = (total / count).quantize(FEN, rounding=ROUND_DOWN)
    leftover = int((total - base * count) / FEN)
    return [base + FEN if i < leftover else base for i in range(count)]


# --- 3 乡审核 township review (sets the five-ones chain) ------------------------------


class TownshipReviewForm(ReviewForm):
    responsible_leader = PersonChoiceField(
        label=_("Responsible leader"), queryset=get_user_model().objects.none(), required=False
    )
    team = forms.CharField(label=_("Working team"), required=False, **TEXT)
    policy_set = forms.CharField(label=_("Policy set"), required=False, **TEXT)
    approval_fields = ("responsible_leader", "team", "policy_set")
    five_ones = ("responsible_leader_id", "team", "policy_set")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.process.project
        self.fields["responsible_leader"].queryset = leaders_for(project)
        self.fields["responsible_leader"].initial = project.responsible_leader_id
        self.fields["team"].initial = project.team
        self.fields["policy_set"].initial = project.policy_set

    def apply_approval(self):
        project = self.process.project
        before = _snapshot(project, self.five_ones)
        project.responsible_leader = self.cleaned_data["responsible_leader"]
        project.team = self.cleaned_data["team"]
        project.policy_set = self.cleaned_data["policy_set"]
        project.save(update_fields=["responsible_leader", "team", "policy_set"])
        return before, _snapshot(project, self.five_ones)


# Who may be a project's responsible leader: the township's leads. (There is no separate
# cadre role; the work station, finance office and county officials are not leaders here.)
LEADER_ROLES = (TOWNSHIP_LEAD,)


def leaders_for(project):
    """Active officials who may lead the project: the leads of its own township."""
    from permissions.jurisdiction import holders

    return holders(LEADER_ROLES, [project.township])


# --- 4 公示 public notice (village) ---------------------------------------------------


class PublicNoticeForm(ReviewForm):
    notice_start = forms.DateField(label=_("Notice posted on"), required=False, **DATE)
    notice_end = forms.DateField(label=_("Notice ended on"), required=False, **DATE)
    notice_objections = forms.CharField(label=_("Objections raised"), required=False, **TEXT)
    approval_fields = ("notice_start", "notice_end")
    notice = ("notice_start", "notice_end", "notice_objections")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("approve", _("Notice period passed")),
            ("back", _("Objections upheld: send back to the application")),
        ]

    def clean_approval(self, cleaned):
        start, end = cleaned["notice_start"], cleaned["notice_end"]
        minimum = settings.QIYUE_NOTICE_MIN_DAYS
        if (end - start).days + 1 < minimum:
            self.add_error(
                "notice_end",
                _(
                    "The public notice must run at least %(days)d days (%(start)s to %(end)s is too short)."
                )
                % {"days": minimum, "start": start, "end": end},
            )
        if end > timezone.localdate():
            self.add_error("notice_end", _("The notice period has not ended yet."))

    def apply_approval(self):
        project = self.process.project
        before = _snapshot(project, self.notice)
        for name in self.notice:
            setattr(project, name, self.cleaned_data[name])
        project.save(update_fields=list(self.notice))
        return before, _snapshot(project, self.notice)


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
        project = self.process.project
        before = _snapshot(project, self.approval_fields)
        project.approval_doc_no = self.cleaned_data["approval_doc_no"]
        project.approved_on = self.cleaned_data["approved_on"]
        project.save(update_fields=list(self.approval_fields))
        return before, _snapshot(project, self.approval_fields)


# --- 7 下达资金 funds issued (county finance) -----------------------------------------


class FundsIssueForm(ModelTaskForm):
    class Meta:
        model = Project
        fields = ["funds_doc_no", "funds_issued", "funds_issued_on"]
        widgets = {"funds_issued_on": forms.DateInput(attrs={"type": "date"})}

    def get_instance(self):
        return self.process.project

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True
        self.fields["funds_issued"].initial = self.instance.funds_amount

    def clean_funds_issued(self):
        amount = self.cleaned_data["funds_issued"]
        if amount <= 0 or amount > self.instance.funds_amount:
            raise forms.ValidationError(
                _("Funds issued must be above zero and at most the approved ¥%(amount)s.")
                % {"amount": f"{self.instance.funds_amount:,.2f}"}
            )
        return amount


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
        project = self.process.project
        before = {"term_years": project.term_years}
        project.term_years = self.cleaned_data["term_years"]
        project.save(update_fields=["term_years"])
        count = project.beneficiaries.update(agreement_signed_on=self.cleaned_data["signed_on"])
        return before, {
            "term_years": project.term_years,
            "signed_on": self.cleaned_data["signed_on"].isoformat(),
            "households": count,
        }


# --- 8b 委托协议 entrustment agreement (township lead ↔ operator) ----------------------


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
        before, after = super().apply()
        project = self.process.project
        if project.term_years != self.instance.term_years:
            project.term_years = self.instance.term_years
            project.save(update_fields=["term_years"])
        years = dividends.schedule(self.instance)
        return before, {**after, "dividend_years": [y.year for y in years]}


# --- 8c 利益联结协议 benefit-linkage agreements (operator ↔ households) -----------------


class BenefitLinkageForm(TaskForm):
    signed_on = forms.DateField(label=_("Benefit-linkage agreements signed on"), **DATE)
    all_signed = forms.BooleanField(label=_("Every household on the roster has signed"))

    def apply(self):
        project = self.process.project
        signed_on = self.cleaned_data["signed_on"]
        Agreement.objects.filter(pk=project.agreement.pk).update(
            benefit_linkage_signed_on=signed_on
        )
        count = project.beneficiaries.update(agreement_signed_on=signed_on)
        return {}, {"benefit_linkage_signed_on": signed_on.isoformat(), "households": count}


# --- 9 实施 implementation ------------------------------------------------------------


class ProgressReportForm(TaskForm):
    withdrawable = False  # it appends a record or moves its status on

    percent_complete = forms.IntegerField(label=_("Percent complete"), min_value=0, max_value=100)
    description = forms.CharField(label=_("Progress and quality"), **TEXT)

    def apply(self):
        report = ProgressReport.objects.create(
            project=self.process.project,
            percent_complete=self.cleaned_data["percent_complete"],
            description=self.cleaned_data["description"],
            reported_by=self.user,
        )
        return {}, {"progress_report": report.pk, "percent_complete": report.percent_complete}


class SupervisionForm(ReviewForm):
    """The township inspects each report: accept it, or send it back to be redone."""


# --- 10 验收 acceptance ----------------------------------------------------------------


class SelfCheckForm(TaskForm):
    withdrawable = False  # it appends a record or moves its status on

    conclusion = forms.CharField(label=_("Self-check conclusion"), **TEXT)

    def apply(self):
        record = AcceptanceRecord.objects.create(
            project=self.process.project,
            level=AcceptanceRecord.Level.VILLAGE,
            conclusion=self.cleaned_data["conclusion"],
            recorded_by=self.user,
        )
        return {}, {"acceptance_record": record.pk, "level": record.level}


class TownshipAcceptanceForm(ReviewForm):
    withdrawable = False  # it appends a record or moves its status on

    conclusion = forms.CharField(
        label=_("Preliminary acceptance conclusion"), required=False, **TEXT
    )
    approval_fields = ("conclusion",)
    level = AcceptanceRecord.Level.TOWNSHIP

    def apply_approval(self):
        record = AcceptanceRecord.objects.create(
            project=self.process.project,
            level=self.level,
            conclusion=self.cleaned_data["conclusion"],
            recorded_by=self.user,
        )
        return {}, {"acceptance_record": record.pk, "level": record.level}


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

    def apply_approval(self):
        before, after = super().apply_approval()
        project = self.process.project
        project.accepted_on = self.cleaned_data["accepted_on"]
        project.save(update_fields=["accepted_on"])
        return before, {**after, "accepted_on": project.accepted_on.isoformat()}


# --- 11 报账 reimbursement --------------------------------------------------------------


class ReimbursementForm(ModelTaskForm):
    class Meta:
        model = Reimbursement
        fields = ["amount", "expense_details"]
        widgets = {"expense_details": forms.Textarea(attrs={"rows": 4})}

    def get_instance(self):
        project = self.process.project
        return getattr(project, "reimbursement", None) or Reimbursement(project=project)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        issued = self.process.project.funds_issued or Decimal("0.00")
        if amount <= 0 or amount > issued:
            raise forms.ValidationError(
                _("The amount claimed must be above zero and at most the ¥%(issued)s issued.")
                % {"issued": f"{issued:,.2f}"}
            )
        return amount


class ReimbursementReviewForm(ReviewForm):
    pass


class PaymentForm(ModelTaskForm):
    class Meta:
        model = Reimbursement
        fields = ["voucher_no", "paid_on"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}

    def get_instance(self):
        return self.process.project.reimbursement

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def apply(self):
        before, after = super().apply()
        project = self.process.project
        if project.is_direct_subsidy:
            # Direct subsidies reach the households only now, after acceptance (seed 1).
            paid = project.beneficiaries.filter(paid_on__isnull=True).update(
                paid_on=self.instance.paid_on
            )
            after = {**after, "households_paid": paid}
        return before, after


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
        self.year = next_report_year(project)
        if project.mode == ImplementationMode.EQUITY_DIVIDEND:
            self.fields["income"].label = _("Returns on the quantified equity this year (yuan)")
            self.fields["income"].help_text = _(
                "Households receive %(share)s%% of it; the rest goes to the village collective and its development fund."
            ) % {"share": project.agreement.household_share}
        elif project.mode == ImplementationMode.GUARANTEED_DIVIDEND:
            self.fields["income"].help_text = _(
                "The guaranteed dividend is owed whatever the income; it is split 70/20/10."
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
        project = self.process.project
        report = MaintenanceReport.objects.create(
            project=project,
            year=self.year,
            reported_by=self.user,
            income=self.cleaned_data["income"],
            condition=self.cleaned_data["condition"],
        )
        after = {"maintenance_report": report.pk, "year": report.year, "income": report.income}
        if not project.is_direct_subsidy:
            year = dividends.compute(dividends.year_of(project, report.year), report.income)
            after.update(
                distributable=year.distributable,
                households=year.households_part,
                collective=year.collective_part,
                fund=year.fund_part,
            )
        return {}, jsonable(after)


def next_report_year(project) -> int:
    """The agreement year being reported: one after the last accepted report."""
    return project.maintenance_reports.filter(status=MaintenanceReport.Status.ACCEPTED).count() + 1


def withdraw_report(project, status=MaintenanceReport.Status.RETURNED) -> MaintenanceReport:
    """A send-back after the report: it is marked returned and its dividends withdrawn."""
    report = project.maintenance_reports.exclude(status=MaintenanceReport.Status.RETURNED).latest(
        "year", "reported_at"
    )
    report.status = status
    report.save(update_fields=["status"])
    if not project.is_direct_subsidy:
        dividends.reset(dividends.year_of(project, report.year))
    return report


class MaintenanceReviewForm(ReviewForm):
    withdrawable = False  # it appends a record or moves its status on

    def apply(self):
        before, after = super().apply()
        project = self.process.project
        if self.cleaned_data["decision"] == "approve":
            report = project.maintenance_reports.get(status=MaintenanceReport.Status.SUBMITTED)
            report.status = MaintenanceReport.Status.ACCEPTED
            report.save(update_fields=["status"])
        else:
            report = withdraw_report(project)
        return before, {
            **after,
            "maintenance_report": report.pk,
            "year": report.year,
            "status": report.status,
        }


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
        year = dividends.year_of(self.process.project, self.dividend_year.year)
        dividends.publish(
            year,
            self.cleaned_data["notice_start"],
            self.cleaned_data["notice_end"],
            self.cleaned_data["notice_objections"],
        )
        return {}, jsonable(
            {"year": year.year, "notice_start": year.notice_start, "notice_end": year.notice_end}
        )

    def apply(self):
        before, after = super().apply()
        if self.cleaned_data["decision"] == "back":
            report = withdraw_report(self.process.project)
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
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        if self.dividend_year.notice_end is not None:
            periods.check_payout_date(paid_on, self.dividend_year.notice_end)
        return paid_on

    def apply(self):
        year = dividends.year_of(self.process.project, self.dividend_year.year)
        flags = dividends.record_payout(
            year,
            {share.pk: self.cleaned_data[f"paid_{share.pk}"] for share in self.shares},
            self.cleaned_data["paid_on"],
            self.cleaned_data["collective_paid"],
            self.cleaned_data["fund_paid"],
        )
        paid = sum(self.cleaned_data[f"paid_{share.pk}"] for share in self.shares)
        return {}, jsonable(
            {
                "year": year.year,
                "paid_on": year.paid_on,
                "households_paid": paid,
                "collective_paid": year.collective_paid,
                "fund_paid": year.fund_paid,
                **flags,
            }
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
        project = self.process.project
        previous = Agreement.objects.select_for_update().get(pk=self.previous.pk)
        before = {"agreement": previous.number, "outcome": previous.outcome}
        renew = self.cleaned_data["outcome"] == self.RENEW
        previous.outcome = Agreement.Outcome.RENEWED if renew else Agreement.Outcome.TERMINATED
        previous.outcome_reason = self.cleaned_data["reason"]
        previous.save(update_fields=["outcome", "outcome_reason"])
        after = {"agreement": previous.number, "outcome": previous.outcome}
        if renew:
            signed_on = self.cleaned_data["signed_on"]
            agreement = Agreement.objects.create(
                project=project,
                number=previous.number + 1,
                first_year=previous.last_year + 1,
                signed_on=signed_on,
                starts_on=rules_dividends.add_years(previous.starts_on, previous.term_years),
                **{name: self.cleaned_data[name] for name in self.terms},
            )
            years = dividends.schedule(agreement)
            after["renewal"] = {
                "agreement": agreement.number,
                "years": [y.year for y in years],
                **{name: self.cleaned_data[name] for name in self.terms},
            }
        return before, jsonable(after)


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
        if returned_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return returned_on

    def apply(self):
        agreement = Agreement.objects.select_for_update().get(pk=self.process.project.agreement.pk)
        agreement.principal_returned = self.cleaned_data["amount"]
        agreement.principal_returned_on = self.cleaned_data["returned_on"]
        agreement.principal_voucher = self.cleaned_data["voucher_no"]
        agreement.save(
            update_fields=["principal_returned", "principal_returned_on", "principal_voucher"]
        )
        return {}, jsonable(
            {
                "agreement": agreement.number,
                "principal_returned": agreement.principal_returned,
                "returned_on": agreement.principal_returned_on,
                "voucher_no": agreement.principal_voucher,
            }
        )
