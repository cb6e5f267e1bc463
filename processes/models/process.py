"""The lifecycle process of a project: workflow state only, the branch questions on it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from .agreements import Agreement
from .projects import Project
from .records import MaintenanceReport


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
