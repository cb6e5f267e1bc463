"""Stage 10: acceptance (验收), one conclusion per level; the county's dates the project."""

from ..models import AcceptanceRecord
from . import stage_act


@stage_act
def record_acceptance(actor, project, level, conclusion, accepted_on=None):
    """One level's conclusion: the village self-check, the township's preliminary acceptance,
    or the county's, which also records the day the project was accepted."""
    record = AcceptanceRecord.objects.create(
        project=project, level=level, conclusion=conclusion, recorded_by=actor
    )
    after = {"acceptance_record": record.pk, "level": record.level}
    if level == AcceptanceRecord.Level.COUNTY:
        project.accepted_on = accepted_on
        project.save(update_fields=["accepted_on"])
        after["accepted_on"] = project.accepted_on.isoformat()
    return {}, after
