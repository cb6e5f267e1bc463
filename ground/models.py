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
