"""Public reports (举报) about a project: filing, routing and tracking to a conclusion.

Rules (issue 5, "Exception paths"; DOMAIN.md §1, §3):
- Anyone, logged in or not, may file a report about a project, anonymously or not.
- An anonymous report stores nothing that identifies its filer: no user, name, phone or
  address, in the report row or in its audit entries (a database constraint backs this).
- A report is routed to the livelihood supervisor of the project's village and the
  discipline office of its township, and is visible to the county discipline commission.
  Nobody else sees it: not the project's officials, not its operator.
- The township discipline office (or the county commission) investigates it:
  received → under investigation → concluded, with findings. Each change is audited.
- Report acts are audited on the report, not on the project, so they never appear in the
  project's history that its officials read.
"""

import secrets

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ground import audit
from ground.acts import Act
from permissions.jurisdiction import roles_of
from permissions.roles import COUNTY_DISCIPLINE, LIVELIHOOD_SUPERVISOR, TOWNSHIP_DISCIPLINE
from workflow import notifications

from .models import PublicReport
from .rules import RuleViolation, public_reports

Status = PublicReport.Status

# Who a report is routed to: role → the path from the report to the region it is held at.
ROUTED_TO = {
    LIVELIHOOD_SUPERVISOR: "project__village",
    TOWNSHIP_DISCIPLINE: "project__village__parent",
    COUNTY_DISCIPLINE: "project__village__parent__parent",
}
# Who investigates and concludes: the township office, or the county commission above it.
HANDLERS = {
    TOWNSHIP_DISCIPLINE: "project__village__parent",
    COUNTY_DISCIPLINE: "project__village__parent__parent",
}
NEXT_STATUS = {Status.RECEIVED: Status.INVESTIGATING, Status.INVESTIGATING: Status.CONCLUDED}


def _routing_q(user, table) -> Q:
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for held in roles_of(user):
        if held.role in table:
            q |= Q(**{table[held.role]: held.region})
    return q


def reports_visible_to(user):
    """The reports routed to this user (one query; nothing for anyone else)."""
    if user is None or not user.is_authenticated:
        return PublicReport.objects.none()
    return PublicReport.objects.filter(_routing_q(user, ROUTED_TO))


def may_handle(user, report) -> bool:
    """The township discipline office of the project's township, or the county commission."""
    return PublicReport.objects.filter(_routing_q(user, HANDLERS), pk=report.pk).exists()


def _new_number() -> str:
    return f"JB{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def file_report(user, project, content, anonymous, name="", phone=""):
    """举报: file a report about ``project``. ``user`` may be anonymous (not logged in).

    When ``anonymous`` is set, the filer's user, name and phone are dropped here, before
    anything is written, and the audit entry names no actor."""
    content = public_reports.check_report_content(content)
    filer = None if anonymous or not user.is_authenticated else user
    report = PublicReport.objects.create(
        number=_new_number(),
        project=project,
        content=content,
        anonymous=anonymous,
        reporter_name="" if anonymous else name.strip(),
        reporter_phone="" if anonymous else phone.strip(),
        filed_by=filer,
    )
    audit.record(
        filer or AnonymousUser(),
        Act.REPORT_FILE,
        report,
        after={"status": report.status, "anonymous": anonymous, "project": project.pk},
    )
    notifications.report_routed(
        project, report.number, routed_to(report), _report_url(report), key=f"report:{report.pk}"
    )
    return report


def routed_to(report) -> list:
    """(role, region) pairs the report is routed to (:data:`ROUTED_TO`)."""
    routes = []
    for role, path in ROUTED_TO.items():
        region = report
        for attr in path.split("__"):
            region = getattr(region, attr)
        routes.append((role, region))
    return routes


def _report_url(report) -> str:
    from django.urls import reverse

    return reverse("supervision:report", args=[report.pk])


@transaction.atomic
def advance_report(actor, report, findings=""):
    """Move a report one step on: received → under investigation → concluded. Concluding
    needs the findings."""
    if not may_handle(actor, report):
        raise PermissionDenied
    report = PublicReport.objects.select_for_update().get(pk=report.pk)
    target = NEXT_STATUS.get(report.status)
    if target is None:
        raise RuleViolation(_("This report has already been concluded."))
    findings = (findings or "").strip()
    if target == Status.CONCLUDED:
        findings = public_reports.check_findings(findings)
    before = {"status": report.status}
    report.status = target
    if target == Status.CONCLUDED:
        report.findings = findings
        report.concluded_at = timezone.now()
    report.save(update_fields=["status", "findings", "concluded_at"])
    audit.record(
        actor,
        Act.REPORT_STATUS,
        report,
        before=before,
        after={"status": target},
        reason=findings,
    )
    return report


def report_timeline(report):
    """The audited acts on one report, oldest first."""
    from ground.models import AuditEntry

    entries = list(
        AuditEntry.objects.filter(
            object_type="processes.publicreport", object_id=str(report.pk)
        ).order_by("seq")
    )
    for entry in entries:
        entry.status_label = Status(entry.after["status"]).label
    return entries
