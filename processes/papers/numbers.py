"""How papers are numbered: county code, kind, year, project and household (520524-WT-2026-00012)."""

from documents.kinds import KINDS


def paper_number(kind, project, household=None) -> str:
    county = project.county.code or f"C{project.county.pk}"
    year = project.created_at.year
    tail = f"-{household.pk:06d}" if household is not None else ""
    return f"{county}-{KINDS[kind].prefix}-{year}-{project.pk:05d}{tail}"
