"""What officials record along the way: progress, acceptance, yearly reports, public reports."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .projects import MONEY, Project


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
