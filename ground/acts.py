"""The acts the audit log records, named once: writers pass these to ``audit.record`` (which
refuses any other name) and readers (the project history, the deadline engine, reports,
tests) filter by the same constants. The value is what the ``act`` column holds."""

from enum import StrEnum


class Act(StrEnum):
    # A project's process and its tasks (workflow/actions.py)
    PROCESS_START = "process.start"
    PROCESS_STOP = "process.stop"
    TASK_CLAIM = "task.claim"
    TASK_RELEASE = "task.release"
    TASK_COMPLETE = "task.complete"
    TASK_SEND_BACK = "task.send_back"
    TASK_CANCEL = "task.cancel"
    TASK_UNDO = "task.undo"
    TASK_REVIVE = "task.revive"
    # Approval operations (workflow/operations/)
    TASK_TRANSFER = "task.transfer"
    TASK_DELEGATE = "task.delegate"
    TASK_DELEGATION_RETURN = "task.delegation_return"
    TASK_DELEGATION_RECALL = "task.delegation_recall"
    TASK_ADD_SIGNER = "task.add_signer"
    TASK_SIGN = "task.sign"
    TASK_PANEL_SEAT = "task.panel_seat"
    TASK_COUNTERSIGN = "task.countersign"
    TASK_CARBON_COPY = "task.carbon_copy"
    TASK_WITHDRAW = "task.withdraw"
    # Deadlines and supervision (workflow/supervision.py)
    TASK_URGE = "task.urge"
    DEADLINE_REMIND = "deadline.remind"
    DEADLINE_OVERDUE = "deadline.overdue"
    DEADLINE_ESCALATE = "deadline.escalate"
    STAGE_LIMITS_CHANGE = "stage_limits.change"
    # The domain's own acts on a project (processes/acts/five_ones.py, reclaim.py, reassign.py; processes/assets.py)
    PROJECT_OPEN = "project.open"
    PROJECT_CLOSE = "project.close"
    PROJECT_FIVE_ONES = "project.five_ones"
    PROJECT_RECLAIM_FUNDS = "project.reclaim_funds"
    PROJECT_REASSIGN_OPERATOR = "project.reassign_operator"
    ASSET_REGISTER = "asset.register"
    # Public reports (processes/reports.py)
    REPORT_FILE = "report.file"
    REPORT_STATUS = "report.status"
    # Grants and onboarding (permissions/actions.py, processes/onboarding/)
    ROLE_GRANT = "role.grant"
    ROLE_REVOKE = "role.revoke"
    OPERATOR_GRANT = "operator.grant"
    COUNTY_IMPORT = "county.import"
    REGION_CREATE = "region.create"
    REGION_UPDATE = "region.update"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    OPERATOR_CREATE = "operator.create"
    OPERATOR_UPDATE = "operator.update"
    ORG_KEY_ISSUE = "org_key.issue"
    ORG_KEY_REVOKE = "org_key.revoke"  # documents/revocation.py
    ORG_KEY_REISSUE = "org_key.reissue"  # documents/revocation.py: a new key after a revocation
    # Sign-in (workflow/security.py)
    LOGIN_LOCKED_OUT = "login_locked_out"
