"""Where the money goes: the reimbursement claim, fund movements and the assets it built."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .projects import MONEY, Household, Project


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
        RECLAIMED = (
            "reclaimed",
            _("Reclaimed"),
        )  # 收回资金 on a violation (processes/acts/reclaim.py)

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
