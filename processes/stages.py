"""The nine stages of DOMAIN.md §3 and the flow steps that belong to each."""

from django.utils.translation import gettext_lazy as _

STAGES = (
    ("planning", _("Planning meeting"), ("start",)),
    ("application", _("Application"), ("application", "township_review")),
    ("notice", _("Public notice"), ("public_notice",)),
    ("approval", _("Approval"), ("county_review", "leading_group_approval", "funds_issue")),
    (
        "agreements",
        _("Agreements"),
        ("subsidy_agreements", "entrustment_agreement", "benefit_linkage_agreements"),
    ),
    ("implementation", _("Implementation"), ("progress_report", "township_supervision")),
    (
        "acceptance",
        _("Acceptance"),
        ("village_self_check", "township_acceptance", "county_acceptance"),
    ),
    (
        "reimbursement",
        _("Reimbursement"),
        (
            "reimbursement",
            "reimbursement_poverty_review",
            "reimbursement_finance_review",
            "payment",
        ),
    ),
    (
        "maintenance",
        _("Post-maintenance"),
        (
            "maintenance_report",
            "maintenance_review",
            "dividend_notice",
            "dividend_payout",
            "term_end",
            "renewal_countersign",
            "principal_return",
        ),
    ),
)
FINISHED = ("finished", _("Finished"))
STAGE_LABELS = dict((code, label) for code, label, _nodes in STAGES) | dict([FINISHED])
_STAGE_OF_NODE = {node: code for code, _label, nodes in STAGES for node in nodes}


def stage_of(node_name: str | None) -> str | None:
    return _STAGE_OF_NODE.get(node_name)
