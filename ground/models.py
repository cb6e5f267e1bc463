"""The audit chain's rows: every state-changing act of the service, hash-linked (ground/audit.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One state-changing act, appended to a hash chain.

    ``hash`` = SHA-256 over ``prev_hash`` and this entry's canonical content, so editing,
    deleting or reordering any row breaks the chain (``manage.py verify_audit``).
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(_("time"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    act = models.CharField(_("act"), max_length=64)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        db_table = "workflow_auditentry"  # the rows stay where they were (migration ground 0001)
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.act} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """Single row holding the chain's tip; writers lock it so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        db_table = "workflow_auditchainhead"
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


# --- The holiday calendar as tables (ground/workdays.py) ------------------------------


class CalendarDay(models.Model):
    """A day that breaks the weekday rule: a public holiday on a weekday, or a weekend day
    declared a make-up workday (调休). Seeded from ``ground.calendar`` (the State Council
    notices the ``chinesecalendar`` package records), editable in the admin; a day edited
    there is kept when the package data is synced again."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("Holiday package")
        ADMIN = "admin", _("Edited by hand")

    day = models.DateField(_("date"), unique=True)
    working = models.BooleanField(
        _("working day"), help_text=_("Ticked: a make-up workday (调休); not ticked: a holiday.")
    )
    name = models.CharField(_("name"), max_length=64, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.ADMIN, editable=False
    )

    class Meta:
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


class WorkingDay(models.Model):
    """One row per date the calendar covers, with its ordinal: the number of working days
    from the first covered date through this one, so "working days after ``a`` up to and
    including ``b``" is ``ordinal(b) − ordinal(a)`` in SQL. Rebuilt from the weekday rule
    and :class:`CalendarDay` (ground/workdays.py ``rebuild_index``)."""

    day = models.DateField(primary_key=True)
    working = models.BooleanField()
    ordinal = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("working-day index entry")
        verbose_name_plural = _("working-day index")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} #{self.ordinal}"
