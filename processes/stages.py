"""The nine stages of DOMAIN.md §3, in order; which steps belong to each is declared on
the steps themselves (``.Stage(...)`` in processes/flows.py) and read from the flow."""

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

STAGE_TITLES = (
    ("planning", _("Planning meeting")),
    ("application", _("Application")),
    ("notice", _("Public notice")),
    ("approval", _("Approval")),
    ("agreements", _("Agreements")),
    ("implementation", _("Implementation")),
    ("acceptance", _("Acceptance")),
    ("reimbursement", _("Reimbursement")),
    ("maintenance", _("Post-maintenance")),
)
FINISHED = ("finished", _("Finished"))
STAGE_LABELS = dict(STAGE_TITLES) | dict([FINISHED])


def _steps_by_stage() -> dict[str, tuple[str, ...]]:
    from .flows import ProjectFlow  # read when first asked: the flow imports half the app

    steps = {code: [] for code, _label in STAGE_TITLES}
    for name, node in vars(ProjectFlow).items():  # in the order the flow declares them
        if getattr(node, "stage", None) is not None:
            steps[node.stage].append(name)
    return {code: tuple(names) for code, names in steps.items()}


# (code, label, step names) per stage, in order.
STAGES = SimpleLazyObject(
    lambda: tuple((code, label, _steps_by_stage()[code]) for code, label in STAGE_TITLES)
)
_STAGE_OF_NODE = SimpleLazyObject(
    lambda: {node: code for code, names in _steps_by_stage().items() for node in names}
)


def stage_of(node_name: str | None) -> str | None:
    return _STAGE_OF_NODE.get(node_name)
