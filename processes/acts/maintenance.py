"""Stage 12: post-maintenance (后续管护), one report per agreement year, reviewed by the township."""

from ground.audit import jsonable

from .. import dividends
from ..models import MaintenanceReport
from . import stage_act


def next_report_year(project) -> int:
    """The agreement year being reported: one after the last accepted report."""
    return project.maintenance_reports.filter(status=MaintenanceReport.Status.ACCEPTED).count() + 1


@stage_act
def report_year(actor, project, year, income, condition):
    """年度报告: the asset's condition and the year's income; for a dividend project the
    year's dividends are computed from it at once."""
    report = MaintenanceReport.objects.create(
        project=project, year=year, reported_by=actor, income=income, condition=condition
    )
    after = {"maintenance_report": report.pk, "year": report.year, "income": report.income}
    if not project.is_direct_subsidy:
        computed = dividends.compute(dividends.year_of(project, report.year), report.income)
        after.update(
            distributable=computed.distributable,
            households=computed.households_part,
            collective=computed.collective_part,
            fund=computed.fund_part,
        )
    return {}, jsonable(after)


@stage_act
def withdraw_report(actor, project, status=MaintenanceReport.Status.RETURNED) -> MaintenanceReport:
    """A send-back after the report: it is marked returned and its dividends withdrawn."""
    report = project.maintenance_reports.exclude(status=MaintenanceReport.Status.RETURNED).latest(
        "year", "reported_at"
    )
    report.status = status
    report.save(update_fields=["status"])
    if not project.is_direct_subsidy:
        dividends.reset(dividends.year_of(project, report.year))
    return report


@stage_act
def review_report(actor, project, approved: bool) -> dict:
    """The township accepts the year's report, or sends it back and its dividends with it."""
    if approved:
        report = project.maintenance_reports.get(status=MaintenanceReport.Status.SUBMITTED)
        report.status = MaintenanceReport.Status.ACCEPTED
        report.save(update_fields=["status"])
    else:
        report = withdraw_report(actor, project)
    return {"maintenance_report": report.pk, "year": report.year, "status": report.status}
