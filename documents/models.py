"""Generated documents: agreements, approval replies, acceptance reports, reimbursement forms.

A ``Document`` is one paper for one project (and one household, for household agreements).
Its data is frozen in an ``Edition`` (snapshot + template version); changed data makes a new
edition. Signatures are workflow acts recorded against an edition in the act's transaction.
Each time the paper is produced — the edition rendered, then signed in order by every
signature recorded so far — a new immutable ``DocumentVersion`` (PDF + SHA-256) is stored.
A failed render never loses the approval: the signature is recorded, and the version is
produced again.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    ENTRUSTMENT = "entrustment", _("Entrustment agreement")
    BENEFIT_LINKAGE = "benefit_linkage", _("Benefit-linkage agreement")
    DIRECT_SUBSIDY = "direct_subsidy", _("Direct-subsidy agreement")
    LOAN = "loan", _("Preferential loan agreement")
    APPROVAL_REPLY = "approval_reply", _("Approval reply")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report")
    REIMBURSEMENT_FORM = "reimbursement_form", _("Reimbursement form")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    DIVIDEND_NOTICE = "dividend_notice", _("Dividend list notice")
    OWNERSHIP_CERTIFICATE = "ownership_certificate", _("Asset ownership certificate")


def visible_projects(user):
    """The projects the user may see, as the project model's manager answers them (its
    ``visible_to(user)``): jurisdiction holds for papers too."""
    project_model = apps.get_model(settings.QIYUE_PAPER_PROJECT_MODEL)
    return project_model._default_manager.visible_to(user)


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Documents of projects the user may see."""
        return self.filter(project__in=visible_projects(user))


class Document(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    project = models.ForeignKey(
        settings.QIYUE_PAPER_PROJECT_MODEL,
        models.PROTECT,
        related_name="documents",
        verbose_name=_("project"),
    )
    household = models.ForeignKey(
        settings.QIYUE_PAPER_HOUSEHOLD_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("household"),
    )
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["project", "kind", "household", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "household"],
                name="one_document_per_kind_and_party",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self):
        return self.versions.order_by("-number").first()

    @property
    def edition(self):
        return self.editions.order_by("-number").first()


class Edition(models.Model):
    """The data a document prints, frozen: rendered from this and nothing else."""

    document = models.ForeignKey(Document, models.CASCADE, related_name="editions")
    number = models.PositiveIntegerField()
    template = models.CharField(_("template"), max_length=60)  # e.g. "entrustment/v1"
    snapshot = models.JSONField(_("data snapshot"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="edition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.number} e{self.number}"

    @property
    def content_hash(self) -> str:
        """SHA-256 of what the edition prints (template + snapshot), carried in its QR code."""
        from ground.audit import canonical

        return hashlib.sha256(
            canonical({"template": self.template, "snapshot": self.snapshot}).encode()
        ).hexdigest()


class Signature(models.Model):
    """A signature given by a workflow act; applied to the PDF in ``order``."""

    edition = models.ForeignKey(Edition, models.CASCADE, related_name="signatures")
    order = models.PositiveSmallIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    signer_name = models.CharField(_("signer"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=200)
    organisation_code = models.CharField(max_length=30)  # whose key signs
    role = models.CharField(_("role"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"))
    audit_entry = models.ForeignKey(
        "ground.AuditEntry", models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "order"], name="signature_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.signer_name}"


class DocumentVersion(models.Model):
    """One produced PDF. Never changed once stored; verification looks files up by SHA-256."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being produced")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed; will be produced again")

    document = models.ForeignKey(Document, models.CASCADE, related_name="versions")
    edition = models.ForeignKey(Edition, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    signature_count = models.PositiveSmallIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdf = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    produced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.number} v{self.number}"


class Batch(models.Model):
    """A batch of household agreements produced in the background, with its progress.

    It names its editions, so a batch whose producer stopped (a killed worker) is taken up
    again where it was: ``touched_at`` is its last sign of life."""

    project = models.ForeignKey(
        settings.QIYUE_PAPER_PROJECT_MODEL, models.CASCADE, related_name="document_batches"
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    combined = models.FileField(upload_to="documents/combined/%Y/%m/", blank=True)
    combined_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    editions = models.ManyToManyField(Edition, related_name="batches", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.total}"

    @property
    def percent(self) -> int:
        return int(100 * (self.done + self.failed) / self.total) if self.total else 100


class SignedRevision(models.Model):
    """What one signature of a produced version covers: the SHA-256 of its ``/ByteRange``
    bytes (the same value the signature's CMS carries as its signed message digest).

    Verification recognises a changed copy of our document only through these: a file whose
    signed bytes, or whose trusted signed digest, equal a stored one. Versions produced before
    this table existed have no rows and a changed copy of them is simply "unknown"."""

    version = models.ForeignKey(DocumentVersion, models.CASCADE, related_name="signed_revisions")
    order = models.PositiveSmallIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="signed_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.order}"


class KeyRevocation(models.Model):
    """The county CA revoked an organisation's signing certificate: the act's record (and
    the object of its audit entry). What is revoked is published in the CRL
    (documents/crl.py), which signing and verification read."""

    org_code = models.CharField(_("organisation code"), max_length=64)
    org_name = models.CharField(_("organisation"), max_length=200)
    serial = models.CharField(_("certificate serial number"), max_length=64)
    fingerprint = models.CharField(max_length=100)
    reason = models.TextField(_("reason"))
    revoked_at = models.DateTimeField(_("revoked at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    # The new key issued in its place (documents/revocation.py reissue_org_key), if any.
    replaced_at = models.DateTimeField(_("new key issued at"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_serial = models.CharField(_("new certificate serial number"), max_length=64, blank=True)

    class Meta:
        ordering = ["revoked_at"]
        constraints = [models.UniqueConstraint(fields=["serial"], name="key_revocation_unique")]
        verbose_name = _("signing key revocation")
        verbose_name_plural = _("signing key revocations")

    def __str__(self) -> str:
        return f"{self.org_name} {self.serial}"
