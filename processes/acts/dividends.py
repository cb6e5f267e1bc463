"""Stage 12b–e: the year's dividend list is published and paid; at term end the cooperation
is renewed by a new agreement or terminated and the principal returned (DOMAIN.md §3–§4)."""

from ground.audit import jsonable

from .. import dividends
from ..models import Agreement
from ..rules.dividends import add_years
from . import stage_act


@stage_act
def publish_dividend_list(actor, project, year, notice_start, notice_end, objections):
    """分红公示: the village posted the year's dividend list for the notice period."""
    year = dividends.year_of(project, year)
    dividends.publish(year, notice_start, notice_end, objections)
    return {}, jsonable(
        {"year": year.year, "notice_start": year.notice_start, "notice_end": year.notice_end}
    )


@stage_act
def pay_dividends(actor, project, year, paid: dict, paid_on, collective_paid, fund_paid):
    """分红发放: what the operator paid each household (``paid``: share pk → yuan), the
    collective and the fund; short or late payments are flagged, never refused."""
    year = dividends.year_of(project, year)
    flags = dividends.record_payout(year, paid, paid_on, collective_paid, fund_paid)
    return {}, jsonable(
        {
            "year": year.year,
            "paid_on": year.paid_on,
            "households_paid": sum(paid.values()),
            "collective_paid": year.collective_paid,
            "fund_paid": year.fund_paid,
            **flags,
        }
    )


@stage_act
def end_term(actor, project, previous, renew: bool, reason, signed_on=None, terms=None):
    """期满: the agreement in force is settled as renewed or terminated; a renewal signs the
    next agreement on ``terms``, starting the day the old one's term ends (seed: 协议期满后，
    若需继续合作则再次签订协议实施)."""
    previous = Agreement.objects.select_for_update().get(pk=previous.pk)
    before = {"agreement": previous.number, "outcome": previous.outcome}
    previous.outcome = Agreement.Outcome.RENEWED if renew else Agreement.Outcome.TERMINATED
    previous.outcome_reason = reason
    previous.save(update_fields=["outcome", "outcome_reason"])
    after = {"agreement": previous.number, "outcome": previous.outcome}
    if renew:
        agreement = Agreement.objects.create(
            project=project,
            number=previous.number + 1,
            first_year=previous.last_year + 1,
            signed_on=signed_on,
            starts_on=add_years(previous.starts_on, previous.term_years),
            **terms,
        )
        years = dividends.schedule(agreement)
        after["renewal"] = {
            "agreement": agreement.number,
            "years": [y.year for y in years],
            **terms,
        }
    return before, jsonable(after)


@stage_act
def return_principal(actor, project, amount, returned_on, voucher_no):
    """本金退还: on termination the operator returns the principal to the village collective
    (seed: 终止合作的，则由经营主体退还入股本金给村集体)."""
    agreement = Agreement.objects.select_for_update().get(pk=project.agreement.pk)
    agreement.principal_returned = amount
    agreement.principal_returned_on = returned_on
    agreement.principal_voucher = voucher_no
    agreement.save(
        update_fields=["principal_returned", "principal_returned_on", "principal_voucher"]
    )
    return {}, jsonable(
        {
            "agreement": agreement.number,
            "principal_returned": agreement.principal_returned,
            "returned_on": agreement.principal_returned_on,
            "voucher_no": agreement.principal_voucher,
        }
    )
