"""Stages 7 and 11: the funds are issued (下达资金); the reimbursement is claimed and paid (报账).

The fund ledger's movements follow the tasks (``processes.ledger``, hooked on the flow's nodes)."""

from . import stage_act


@stage_act
def issue_funds(actor, project) -> None:
    """下达资金: the county finance bureau's issue as edited: its document number, amount, date."""
    project.save()


@stage_act
def claim_reimbursement(actor, reimbursement) -> None:
    """报账: the township's claim as edited: the amount and its expense details."""
    reimbursement.save()


@stage_act
def pay_reimbursement(actor, project, reimbursement) -> dict:
    """The payment as recorded on the claim; a direct subsidy reaches the households only now,
    after acceptance (seed: 验收后, 直接将扶贫资金直补到贫困户手中)."""
    reimbursement.save()
    if not project.is_direct_subsidy:
        return {}
    paid = project.beneficiaries.filter(paid_on__isnull=True).update(paid_on=reimbursement.paid_on)
    return {"households_paid": paid}
