"""Stage 9: implementation (实施), reported by the operator as it goes."""

from ..models import ProgressReport
from . import stage_act


@stage_act
def report_progress(actor, project, percent_complete, description):
    """进度报告: how far the work has come and its quality; each report is a new record."""
    report = ProgressReport.objects.create(
        project=project,
        percent_complete=percent_complete,
        description=description,
        reported_by=actor,
    )
    return {}, {"progress_report": report.pk, "percent_complete": report.percent_complete}
