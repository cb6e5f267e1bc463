"""What a public report (举报) must carry to be taken, and to be concluded (DOMAIN.md §3)."""

from django.utils.translation import gettext as _

from . import RuleViolation

# Practice: the report is routed and investigated on its words alone (it may be anonymous, so
# nobody can be asked back); ten characters is the least that names a project's fault
# ("补贴发放不公平", "合作社未按时分红").
MIN_REPORT_CHARACTERS = 10


def check_report_content(content: str | None) -> str:
    """Seed (Zhijin): the masses supervise "是否公平合理、是否存在优亲厚友" and "有权举报".
    Returns the content stripped; under ten characters (spaces around it not counted) is
    refused."""
    content = (content or "").strip()
    if len(content) < MIN_REPORT_CHARACTERS:
        raise RuleViolation(_("Describe what you are reporting in at least 10 characters."))
    return content


def check_findings(findings: str | None) -> str:
    """A report is concluded with its findings written down (the investigation answers the
    filer and the supervisors); returns them stripped, blank is refused."""
    findings = (findings or "").strip()
    if not findings:
        raise RuleViolation(_("Write down the findings before concluding the report."))
    return findings
