"""Projects and the parties to their agreements (DOMAIN.md §1–§4)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from permissions.jurisdiction import operator_ids, region_filter
from permissions.models import Region

from .validators import validate_id_number, validate_uscc

MONEY = {"max_digits": 14, "decimal_places": 2}


class ImplementationMode(models.TextChoices):
    DIRECT_SUBSIDY = "direct_subsidy", _("Direct subsidy")
    GUARANTEED_DIVIDEND = "guaranteed_dividend", _("Guaranteed dividend")
    EQUITY_DIVIDEND = "equity_dividend", _("Equity dividend")


class Operator(models.Model):
    """An operating entity (经营主体): cooperative, enterprise or large grower."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Cooperative")
        ENTERPRISE = "enterprise", _("Enterprise")
        LARGE_GROWER = "large_grower", _("Large grower")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    township = models.ForeignKey(
        Region,
        models.PROTECT,
        related_name="operators",
        verbose_name=_("township"),
        limit_choices_to={"level": "township"},
    )

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]
        # Users who act for this operator hold this as a guardian object permission on it.
        permissions = [("act_for_operator", _("Act for the operator"))]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (贫困户) that benefits from projects; a party, not necessarily a user."""

    head_name = models.CharField(_("head of household"), max_length=50)
    id_number = models.CharField(
        _("resident ID number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    village = models.ForeignKey(
        Region,
        models.PROTECT,
        related_name="households",
        verbose_name=_("village"),
        limit_choices_to={"level": "village"},
    )
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    registered_poor = models.BooleanField(_("registered poor household"), default=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village", "head_name"]

    def __str__(self) -> str:
        return self.head_name


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProjectQuerySet":
        """Projects in the user's jurisdiction, run by an operator the user acts for, or
        opened to the user one by one (a guardian ``view_project`` grant, e.g. an expert on
        an acceptance panel). Each is one indexed condition, never a list of projects."""
        if user is None or not user.is_authenticated:
            return self.none()
        q = region_filter(user, field="village")
        ops = operator_ids(user)
        if ops:
            q |= models.Q(operator_id__in=ops)
        for granted in granted_project_ids(user):
            q |= models.Q(pk__in=granted)
        return self.filter(q)


def granted_project_ids(user):
    """Subqueries of the projects opened to this user, and to their groups, by a guardian grant."""
    from permissions.jurisdiction import opened_object_pks

    return opened_object_pks(user, "processes.view_project", Project)


class Project(models.Model):
    """One poverty-alleviation industrial project, run under the contract model."""

    name = models.CharField(_("project name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100)
    village = models.ForeignKey(
        Region,
        models.PROTECT,
        related_name="projects",
        verbose_name=_("village"),
        limit_choices_to={"level": "village"},
    )
    mode = models.CharField(
        _("implementation mode"), max_length=30, choices=ImplementationMode.choices
    )
    funds_amount = models.DecimalField(
        _("poverty funds (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    operator = models.ForeignKey(
        Operator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("operator"),
    )
    scale = models.CharField(_("scale"), max_length=200, blank=True)
    term_years = models.PositiveSmallIntegerField(
        _("agreement term (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )

    # Five-ones (五个一): one project, one leader, one team, one policy set, to the end.
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("responsible leader"),
    )
    team = models.TextField(_("working team"), blank=True)
    policy_set = models.TextField(_("policy set"), blank=True)

    # Planning meeting (项目谋划宣传会议)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    meeting_minutes = models.TextField(_("meeting minutes"), blank=True)
    households_wishes = models.TextField(_("households' wishes"), blank=True)

    # Application (申报)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    performance_targets = models.TextField(_("performance targets"), blank=True)
    commitment_signed = models.BooleanField(_("commitment letter signed"), default=False)

    # Public notice (公示)
    notice_start = models.DateField(_("notice start"), null=True, blank=True)
    notice_end = models.DateField(_("notice end"), null=True, blank=True)
    notice_objections = models.TextField(_("objections raised"), blank=True)

    # Approval (审批) and funding
    approval_doc_no = models.CharField(_("approval reply number"), max_length=60, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    funds_doc_no = models.CharField(_("funding document number"), max_length=60, blank=True)
    funds_issued = models.DecimalField(_("funds issued (yuan)"), **MONEY, null=True, blank=True)
    funds_issued_on = models.DateField(_("funds issued on"), null=True, blank=True)

    # Acceptance (验收)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def township(self) -> Region:
        return self.village.parent

    @property
    def county(self) -> Region:
        return self.village.parent.parent

    @property
    def is_direct_subsidy(self) -> bool:
        return self.mode == ImplementationMode.DIRECT_SUBSIDY

    @property
    def agreement(self):
        """The agreement in force: the latest by number, or None before one is signed.
        Read afresh each time: acts create and settle agreements within one request."""
        return self.agreements.order_by("-number").first()

    def total_term_years(self) -> int:
        """Years of post-maintenance: the term of every agreement signed, or the rolling-
        development term of a direct-subsidy project."""
        agreement = self.agreement
        return agreement.last_year if agreement else self.term_years


class Beneficiary(models.Model):
    """A household on a project's beneficiary roster, with its subsidy or share."""

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="beneficiaries", verbose_name=_("project")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="benefits", verbose_name=_("household")
    )
    subsidy = models.DecimalField(_("direct subsidy (yuan)"), **MONEY, default=Decimal("0.00"))
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    paid_on = models.DateField(_("subsidy paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["household__head_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"], name="beneficiary_once_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} / {self.project}"


class Agreement(models.Model):
    """The entrustment agreement's terms for a guaranteed- or equity-dividend project.

    Number 1 is the agreement signed before implementation; at term end the cooperation is
    renewed by a new agreement (number 2, 3, …) or terminated (DOMAIN.md §4).
    """

    class Outcome(models.TextChoices):
        RUNNING = "", _("Running")
        RENEWED = "renewed", _("Renewed")
        TERMINATED = "terminated", _("Terminated")

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="agreements", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("agreement number"), default=1)
    first_year = models.PositiveSmallIntegerField(
        _("first agreement year"),
        default=1,
        help_text=_("The project's agreement year this agreement starts with."),
    )
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    first_year_rate = models.DecimalField(
        _("first-year dividend rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    yearly_increase = models.DecimalField(
        _("yearly increase (percentage points)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    collateral_value = models.DecimalField(
        _("collateral value (yuan)"), **MONEY, null=True, blank=True
    )
    collateral_description = models.CharField(_("collateral"), max_length=200, blank=True)
    household_share = models.DecimalField(
        _("households' share of returns (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    manager_name = models.CharField(
        _("manager sent by the implementing unit"), max_length=50, blank=True
    )
    benefit_linkage_signed_on = models.DateField(
        _("benefit-linkage agreements signed on"), null=True, blank=True
    )
    outcome = models.CharField(
        _("outcome at term end"), max_length=10, choices=Outcome.choices, blank=True
    )
    outcome_reason = models.TextField(_("reason"), blank=True)
    # On termination the operator returns the principal to the village collective (DOMAIN §4).
    principal_returned = models.DecimalField(
        _("principal returned (yuan)"), **MONEY, null=True, blank=True
    )
    principal_returned_on = models.DateField(_("principal returned on"), null=True, blank=True)
    principal_voucher = models.CharField(_("receipt voucher number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("entrustment agreement")
        verbose_name_plural = _("entrustment agreements")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="agreement_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.number}"

    @property
    def last_year(self) -> int:
        return self.first_year + self.term_years - 1

    def rates(self) -> list[Decimal]:
        """The guaranteed dividend rate (%) for each of its years; empty for equity dividends."""
        from .rules.benefit_linkage import dividend_schedule

        if self.first_year_rate is None:
            return []
        return dividend_schedule(self.first_year_rate, self.yearly_increase, self.term_years)


class ProgressReport(models.Model):
    project = models.ForeignKey(Project, models.CASCADE, related_name="progress_reports")
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    description = models.TextField(_("progress"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.percent_complete}%"


class Reimbursement(models.Model):
    project = models.OneToOneField(Project, models.CASCADE, related_name="reimbursement")
    amount = models.DecimalField(_("amount claimed (yuan)"), **MONEY)
    expense_details = models.TextField(_("expense details"))
    voucher_no = models.CharField(_("payment voucher number"), max_length=60, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("reimbursement")
        verbose_name_plural = _("reimbursements")

    def __str__(self) -> str:
        return f"{self.project} ¥{self.amount}"


class MaintenanceReport(models.Model):
    """A yearly post-maintenance report (后续管护); one accepted report per agreement year."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Sent back")

    project = models.ForeignKey(Project, models.CASCADE, related_name="maintenance_reports")
    year = models.PositiveSmallIntegerField(_("agreement year"))
    income = models.DecimalField(_("operating income (yuan)"), **MONEY, default=Decimal("0.00"))
    condition = models.TextField(_("asset condition and maintenance"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )

    class Meta:
        verbose_name = _("maintenance report")
        verbose_name_plural = _("maintenance reports")
        ordering = ["year", "reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                condition=~models.Q(status="returned"),
                name="maintenance_report_once_a_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.year}"


class DividendYear(models.Model):
    """One agreement year of a dividend project's schedule (后续管护分红台账).

    Generated from the agreement when it is signed; each year the operator reports income,
    the township accepts the report, the amounts are computed (``processes.dividends``), the
    village publishes the list (公示) and the operator's payout is recorded.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPUTED = "computed", _("Computed")
        PUBLISHED = "published", _("Published")
        PAID = "paid", _("Paid")

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="dividend_years", verbose_name=_("project")
    )
    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="years", verbose_name=_("agreement")
    )
    year = models.PositiveSmallIntegerField(_("agreement year"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    due_on = models.DateField(_("payout due by"))
    rate = models.DecimalField(
        _("guaranteed rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    guaranteed = models.DecimalField(
        _("guaranteed dividend (yuan)"), **MONEY, null=True, blank=True
    )
    income = models.DecimalField(_("reported income (yuan)"), **MONEY, null=True, blank=True)
    distributable = models.DecimalField(_("to distribute (yuan)"), **MONEY, null=True, blank=True)
    households_part = models.DecimalField(
        _("households' part (yuan)"), **MONEY, null=True, blank=True
    )
    collective_part = models.DecimalField(
        _("village collective (yuan)"), **MONEY, null=True, blank=True
    )
    fund_part = models.DecimalField(
        _("management and development fund (yuan)"), **MONEY, null=True, blank=True
    )
    notice_start = models.DateField(_("notice start"), null=True, blank=True)
    notice_end = models.DateField(_("notice end"), null=True, blank=True)
    notice_objections = models.TextField(_("objections raised"), blank=True)
    collective_paid = models.DecimalField(
        _("paid to the village collective (yuan)"), **MONEY, null=True, blank=True
    )
    fund_paid = models.DecimalField(
        _("paid to the development fund (yuan)"), **MONEY, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )

    class Meta:
        verbose_name = _("dividend year")
        verbose_name_plural = _("dividend years")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="dividend_year_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.year}"

    def is_late(self, today=None) -> bool:
        """Paid after the due date, or still unpaid once it has passed."""
        if self.paid_on is not None:
            return self.paid_on > self.due_on
        return (today or timezone.localdate()) > self.due_on

    def is_short(self) -> bool:
        """The village's parts were paid below what was computed."""
        if self.status != self.Status.PAID:
            return False
        return (self.collective_paid or 0) < (self.collective_part or 0) or (
            self.fund_paid or 0
        ) < (self.fund_part or 0)


class DividendShare(models.Model):
    """One household's dividend for one agreement year: computed, published, paid."""

    dividend_year = models.ForeignKey(
        DividendYear, models.CASCADE, related_name="shares", verbose_name=_("dividend year")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="dividends", verbose_name=_("household")
    )
    amount_due = models.DecimalField(_("dividend due (yuan)"), **MONEY)
    amount_paid = models.DecimalField(_("dividend paid (yuan)"), **MONEY, null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("household dividend")
        verbose_name_plural = _("household dividends")
        ordering = ["dividend_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dividend_year", "household"], name="dividend_share_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.dividend_year}"

    def is_short(self) -> bool:
        return self.amount_paid is not None and self.amount_paid < self.amount_due

    def is_late(self, today=None) -> bool:
        due = self.dividend_year.due_on
        if self.paid_on is not None:
            return self.paid_on > due
        return (today or timezone.localdate()) > due


class ProjectProcess(Process):
    """The lifecycle process of one project; workflow state only, the data lives on Project."""

    project = models.OneToOneField(
        Project, models.PROTECT, null=True, related_name="process", verbose_name=_("project")
    )

    # The last review's outcome, read by the branch after it and by the task it sends back to.
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        BACK = "back", _("Sent back")

    decision = models.CharField(
        _("last decision"), max_length=10, blank=True, choices=Decision.choices
    )
    decision_reason = models.TextField(_("opinion / reason"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project process")
        verbose_name_plural = _("project processes")
        ordering = ["-created"]

    @property
    def brief(self) -> str:
        return str(self.project) if self.project_id else str(_("New project"))

    # Branch questions the flow asks (named predicates).
    def is_approved(self) -> bool:
        return self.decision == "approve"

    def is_direct_subsidy(self) -> bool:
        return self.project.is_direct_subsidy

    def is_construction_complete(self) -> bool:
        last = self.project.progress_reports.order_by("-reported_at", "-pk").first()
        return last is not None and last.percent_complete >= 100

    def is_term_complete(self) -> bool:
        accepted = self.project.maintenance_reports.filter(status=MaintenanceReport.Status.ACCEPTED)
        return accepted.count() >= self.project.total_term_years()

    def pays_dividends(self) -> bool:
        return not self.project.is_direct_subsidy

    def is_renewed(self) -> bool:
        """After the term-end decision: a new agreement is in force (renewed), not terminated."""
        latest = self.project.agreements.order_by("-number").values_list("outcome", flat=True)
        return latest.first() == Agreement.Outcome.RUNNING

    def return_note(self) -> dict:
        """What a task recreated by a send-back (退回) shows its holder: who, when, why."""
        return {
            "by": self.decided_by,
            "reason": self.decision_reason,
            "at": timezone.localtime(self.decided_at).strftime("%Y-%m-%d %H:%M")
            if self.decided_at
            else "",
        }


class AcceptanceRecord(models.Model):
    """One level's acceptance conclusion: village self-check, township preliminary, county."""

    class Level(models.TextChoices):
        VILLAGE = "village", _("Village self-check")
        TOWNSHIP = "township", _("Township preliminary acceptance")
        COUNTY = "county", _("County acceptance")

    project = models.ForeignKey(Project, models.CASCADE, related_name="acceptance_records")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    conclusion = models.TextField(_("conclusion"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acceptance record")
        verbose_name_plural = _("acceptance records")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_level_display()}"


class FundMovement(models.Model):
    """One movement of a project's poverty funds, caused by one workflow act.

    allocated (the county issues funds) → disbursed (paid to households or the operator)
    → reimbursed (the claim settled). Amounts in yuan, to the fen.
    """

    class Kind(models.TextChoices):
        ALLOCATED = "allocated", _("Allocated")
        DISBURSED = "disbursed", _("Disbursed")
        REIMBURSED = "reimbursed", _("Reimbursed")
        RETURNED = "returned", _("Principal returned to the village collective")
        RECLAIMED = "reclaimed", _("Reclaimed")  # 收回资金 on a violation (processes/actions.py)

    project = models.ForeignKey(Project, models.PROTECT, related_name="fund_movements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    payee = models.CharField(_("payee"), max_length=200, blank=True)
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="+"
    )
    audit_entry = models.ForeignKey("ground.AuditEntry", models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("fund movement")
        verbose_name_plural = _("fund movements")
        ordering = ["project", "at", "pk"]
        indexes = [models.Index(fields=["kind", "project"])]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} ¥{self.amount}"


class Asset(models.Model):
    """An income-earning asset built with poverty funds, registered after acceptance with its
    "four rights" (seed 2: 所有权、经营权、收益权、监管权)."""

    class Owner(models.TextChoices):
        VILLAGE_COLLECTIVE = "village_collective", _("Village collective")
        COUNTY_INVESTMENT_COMPANY = "county_investment", _("County investment company")

    class Operation(models.TextChoices):
        COOPERATIVE = "cooperative", _("Cooperative management")
        ENTRUSTED = "entrusted", _("Entrusted management")
        CONTRACTED = "contracted", _("Public contracting")
        EQUITY = "equity", _("Equity participation")

    project = models.ForeignKey(
        Project, models.PROTECT, related_name="assets", verbose_name=_("project")
    )
    name = models.CharField(_("asset"), max_length=200)
    value = models.DecimalField(
        _("value (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    # 所有权 ownership
    owner = models.CharField(_("ownership"), max_length=20, choices=Owner.choices)
    ownership_certificate = models.CharField(_("ownership certificate number"), max_length=60)
    # 经营权 operation right
    operation = models.CharField(_("operation right"), max_length=20, choices=Operation.choices)
    operated_by = models.CharField(_("operated by"), max_length=200)
    # 收益权 income right
    income_terms = models.TextField(_("income right"))
    # 监管权 supervision right
    supervised_by = models.CharField(_("supervision right"), max_length=200)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return self.name


class PublicReport(models.Model):
    """A public report (举报) about a project, filed by anyone, tracked to a conclusion.

    Routed to the livelihood supervisor of the project's village, the discipline office of
    its township and the county discipline commission (processes/reports.py). An anonymous
    report stores nothing that identifies its filer: no user, no name, no phone, no address.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        INVESTIGATING = "investigating", _("Under investigation")
        CONCLUDED = "concluded", _("Concluded")

    number = models.CharField(_("report number"), max_length=20, unique=True)
    project = models.ForeignKey(
        Project, models.PROTECT, related_name="public_reports", verbose_name=_("project")
    )
    content = models.TextField(_("what is reported"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    findings = models.TextField(_("findings"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(anonymous=True)
                | (
                    models.Q(filed_by__isnull=True)
                    & models.Q(reporter_name="")
                    & models.Q(reporter_phone="")
                ),
                name="anonymous_report_stores_no_filer",
            )
        ]

    def __str__(self) -> str:
        return self.number
