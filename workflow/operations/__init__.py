"""Approval operations officials expect (审批操作), each ONE audited act with a reason.

- :func:`transfer_task` 转办: the holder hands the task to a colleague holding the same
  role at the task's region; the colleague owns it from then on.
- :func:`delegate_task` / :func:`return_delegated_task` 委派: the holder lends the task to a
  colleague who fills it in; submitting returns it to the holder, who stays responsible
  and completes it (the colleague's entries pre-fill the holder's form).
- :func:`add_signer` / :func:`sign` 加签: the holder names another official whose signed
  opinion the task needs; it cannot be completed until every added signer has signed.
- :func:`seat_panel_member` / :func:`sign` 会签: the county acceptance panel.
- :func:`carbon_copy` 抄送: copy the project to officials with a note ("抄送我的").
- :func:`withdraw_task` 撤回: take back one's own completed step while the next step is
  still untouched.

Why the countersign is a panel model and not Split/Join nodes: the panel is chosen by
the poverty office at run time (one to five seats, outside experts among them), viewflow
core has no multi-instance split (``data_source`` is PRO-only, VIEWFLOW-NOTES §1.2), and
a member's "reject" must send the whole acceptance back exactly as the existing
send-back does. So :class:`~workflow.models.SignOff` rows of kind ``panel`` hang on the
one ``county_acceptance`` task, the node declares ``.Countersign(seats)``, and
``ProjectFlow`` still reads top to bottom as one step per stage.

Every act takes the flow lock (``select_for_update_lock``) and re-reads the task inside
it; a task that moved on meanwhile is refused with :class:`OperationRefused` (HTTP 409).
Officials outside the project's jurisdiction who are made signers, panel members or
carbon-copy recipients get the project opened to them by the audited
:func:`permissions.actions.open_project_to` grant.
"""

from .carbon_copies import carbon_copy, copies_for
from .common import (
    OPEN,
    OperationRefused,
    active_delegation,
    colleagues,
    locked,
    panel_candidates,
    panel_seats,
    project_of,
    signer_candidates,
)
from .handing import (
    delegate_task,
    delegated_by,
    recall_delegation,
    return_delegated_task,
    returned_proposal,
    transfer_task,
)
from .sign_offs import (
    add_signer,
    completion_blocker,
    pending_sign_offs,
    seat_panel,
    seat_panel_member,
    sign,
)
from .withdrawal import may_offer_withdrawal, withdraw_task, withdrawal_blocker

__all__ = [
    "OPEN",
    "OperationRefused",
    "active_delegation",
    "add_signer",
    "carbon_copy",
    "colleagues",
    "completion_blocker",
    "copies_for",
    "delegate_task",
    "delegated_by",
    "locked",
    "may_offer_withdrawal",
    "panel_candidates",
    "panel_seats",
    "pending_sign_offs",
    "project_of",
    "recall_delegation",
    "return_delegated_task",
    "returned_proposal",
    "seat_panel",
    "seat_panel_member",
    "sign",
    "signer_candidates",
    "transfer_task",
    "withdraw_task",
    "withdrawal_blocker",
]
