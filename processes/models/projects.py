"""Projects, the villages' households and the operators that run them (DOMAIN.md §1–§2)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from permissions.jurisdiction import opened_pks, operator_ids, region_filter
from permissions.models import Region

from ..validators import validate_id_number, validate_uscc

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
        an acceptance panel).

        Plain indexed conditions only: the village's path under a granted region's, and,
        only when the user has any, the operators' and the opened projects' keys, read from
        the request's grants. Subqueries of guardian rows ORed in made PostgreSQL scan every
        project, however few the user sees."""
        if user is None or not user.is_authenticated:
            return self.none()
        q = region_filter(user, field="village")
        ops = operator_ids(user)
        if ops:
            q |= models.Q(operator_id__in=ops)
        opened = opened_pks(user, "processes.view_project", Project)
        if opened:
            q |= models.Q(pk__in=opened)
        return self.filter(q)


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
        # The project list's access paths, newest first: a village's own projects, and a
        # county's walked from the newest until a page of its jurisdiction is found.
        indexes = [
            models.Index(fields=["village", "-created_at"], name="project_village_newest"),
            models.Index(fields=["-created_at"], name="project_newest"),
        ]

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
