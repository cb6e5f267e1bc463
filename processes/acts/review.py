"""Stages 3–6 on approval: the five-ones chain, the public notice, the approval reply."""

from ground.audit import jsonable

from . import stage_act

FIVE_ONES = ("responsible_leader_id", "team", "policy_set")
NOTICE = ("notice_start", "notice_end", "notice_objections")
APPROVAL = ("approval_doc_no", "approved_on")


def _snapshot(obj, fields) -> dict:
    return jsonable({name: getattr(obj, name) for name in fields})


@stage_act
def set_five_ones(actor, project, leader, team, policy_set):
    """乡审核: the township names the responsible leader, working team and policy set (五个一)."""
    before = _snapshot(project, FIVE_ONES)
    project.responsible_leader = leader
    project.team = team
    project.policy_set = policy_set
    project.save(update_fields=["responsible_leader", "team", "policy_set"])
    return before, _snapshot(project, FIVE_ONES)


@stage_act
def record_public_notice(actor, project, notice_start, notice_end, notice_objections):
    """公示: the dates the village posted the application and the objections raised."""
    before = _snapshot(project, NOTICE)
    project.notice_start = notice_start
    project.notice_end = notice_end
    project.notice_objections = notice_objections
    project.save(update_fields=list(NOTICE))
    return before, _snapshot(project, NOTICE)


@stage_act
def record_approval(actor, project, approval_doc_no, approved_on):
    """审定: the leading group's approval reply, by its number and date."""
    before = _snapshot(project, APPROVAL)
    project.approval_doc_no = approval_doc_no
    project.approved_on = approved_on
    project.save(update_fields=list(APPROVAL))
    return before, _snapshot(project, APPROVAL)
