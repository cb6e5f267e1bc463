"""What each variable of the papers is, in words, for the people who write templates (the preview
page, ``/documents/preview/``).

``LABELS`` names each variable registered in :data:`documents.preview.VARIABLES`; an amount's two
forms (``.capitals``, ``.figures``) are named from the amount's own label.
"""

from django.utils.translation import gettext_lazy as _

from .preview import VARIABLES, sample

LABELS = {
    # the parties
    "township_gov.name": _("Township government: name"),
    "township_gov.credit_code": _("Township government: unified social credit code"),
    "township_gov.representative": _("Township government: legal representative"),
    "operator.name": _("Operator: name"),
    "operator.credit_code": _("Operator: unified social credit code"),
    "operator.representative": _("Operator: legal representative"),
    "union.name": _("Credit union: name"),
    "union.credit_code": _("Credit union: unified social credit code"),
    "union.representative": _("Credit union: legal representative"),
    "household.name": _("Household: head's name"),
    "household.id_number": _("Household: head's resident ID number"),
    "household.village": _("Household: address (village)"),
    "household.bank_account": _("Household: bank account"),
    "household.members": _("Household: members"),
    # the project
    "project.name": _("Project name"),
    "project.village": _("Project location (village, full name)"),
    "project.industry": _("Project industry"),
    "project.county_name": _("County name"),
    "project.approval_doc_no": _("Approval reply number"),
    "project.scale": _("Project scale"),
    "project.mode": _("Implementation mode"),
    "project.funds": _("Poverty funds approved"),
    "project.households": _("Number of beneficiary households"),
    "project.performance_targets": _("Performance targets"),
    "project.leader": _("Responsible leader (five-ones)"),
    "project.funds_doc_no": _("Funding document number"),
    "project.funds_issued": _("Funds issued"),
    # the agreement's terms
    "terms.term_years": _("Agreement term (years)"),
    "terms.starts_on": _("Agreement starts on"),
    "terms.ends_on": _("Agreement ends on"),
    "terms.guaranteed": _("Guaranteed dividend? (else equity share)"),
    "terms.renews": _("Is a renewal?"),
    "terms.number": _("Agreement number in the series (1 = first, 2 = first renewal)"),
    "terms.split.households": _("Income split: poor households (%)"),
    "terms.split.collective": _("Income split: village collective (%)"),
    "terms.split.fund": _("Income split: village management and development fund (%)"),
    "terms.first_year_rate": _("Guaranteed dividend in year 1 (percent of invested funds)"),
    "terms.yearly_increase": _("Yearly rise of the dividend (percentage points)"),
    "terms.collateral_description": _("Collateral pledged"),
    "terms.collateral": _("Collateral value"),
    "terms.schedule.*.year": _("Dividend schedule: agreement year"),
    "terms.schedule.*.rate": _("Dividend schedule: rate (%)"),
    "terms.schedule.*.amount": _("Dividend schedule: amount"),
    "terms.manager_name": _("Manager sent by the implementing unit"),
    "terms.household_share": _("Households' share of the returns (%)"),
    "terms.min_household_share": _("Least households' share allowed (%)"),
    # households on the roster
    "beneficiaries.*.name": _("Beneficiary roster: head's name"),
    "beneficiaries.*.id_number": _("Beneficiary roster: resident ID number"),
    "beneficiaries.*.members": _("Beneficiary roster: members"),
    "beneficiaries.*.share": _("Beneficiary roster: quantified share"),
    "share": _("This household's quantified share"),
    "household_schedule.*.year": _("This household's dividends: agreement year"),
    "household_schedule.*.rate": _("This household's dividends: rate (%)"),
    "household_schedule.*.amount": _("This household's dividends: amount"),
    "subsidy": _("Direct subsidy to this household"),
    "subsidy_cap": _("Direct subsidy cap per household"),
    "term_years": _("Rolling-development term (years)"),
    # the loan
    "amount": _("Loan amount"),
    "purpose": _("Loan purpose"),
    "term_months": _("Loan term (months)"),
    "rate": _("Annual interest rate (%)"),
    # acceptance and reimbursement
    "reports.*.on": _("Progress reports: date"),
    "reports.*.percent": _("Progress reports: percent complete"),
    "reports.*.description": _("Progress reports: description"),
    "records.*.level": _("Acceptance records: level"),
    "records.*.on": _("Acceptance records: date"),
    "records.*.by": _("Acceptance records: by"),
    "records.*.conclusion": _("Acceptance records: conclusion"),
    "accepted_on": _("County acceptance date"),
    "claim": _("Amount claimed"),
    "expense_details": _("Expense details"),
    "payees.*.name": _("Payees: name"),
    "payees.*.id_number": _("Payees: resident ID number"),
    "payees.*.bank_account": _("Payees: bank account"),
    "payees.*.subsidy": _("Payees: direct subsidy"),
    # the public notice, the dividend list notice and the ownership certificate
    "project.township_name": _("Township name"),
    "village_committee.name": _("Village committee: name"),
    "report_url": _("Address for filing a report on the project"),
    "notice.start": _("Public notice: first day"),
    "notice.end": _("Public notice: last day"),
    "notice.days": _("Public notice: number of days"),
    "beneficiaries.*.id_masked": _("Beneficiary roster: resident ID number (masked)"),
    "beneficiaries.*.amount": _("Beneficiary roster: amount"),
    "dividend.year": _("Dividend: agreement year"),
    "dividend.period_start": _("Dividend: period starts on"),
    "dividend.period_end": _("Dividend: period ends on"),
    "dividend.due_on": _("Dividend: due on"),
    "dividend.households": _("Dividend: number of households"),
    "dividend.total": _("Dividend: total"),
    "shares.*.name": _("Dividend list: head's name"),
    "shares.*.id_masked": _("Dividend list: resident ID number (masked)"),
    "shares.*.members": _("Dividend list: members"),
    "shares.*.amount": _("Dividend list: dividend"),
    "registrar.name": _("Registering authority: name"),
    "total_value": _("Registered assets: total value"),
    "assets.*.certificate_no": _("Registered assets: certificate number"),
    "assets.*.name": _("Registered assets: name"),
    "assets.*.owner": _("Registered assets: owner"),
    "assets.*.operated_by": _("Registered assets: operated by"),
    "assets.*.operation": _("Registered assets: operation right"),
    "assets.*.income_terms": _("Registered assets: income right"),
    "assets.*.supervised_by": _("Registered assets: supervised by"),
    "assets.*.registered_on": _("Registered assets: registered on"),
    "assets.*.value": _("Registered assets: value"),
    # the paper itself
    "copies": _("Number of copies"),
}
BRANCH_LABELS = {
    "guaranteed dividend, renewed": _("Guaranteed dividend (a renewal)"),
    "guaranteed dividend": _("Guaranteed dividend"),
    "equity share": _("Equity share"),
    "": "",
}
AMOUNT_FORMS = {
    "capitals": _("%(amount)s, in Chinese capital numerals"),
    "figures": _("%(amount)s, in figures (¥)"),
}


def label(path: str) -> str:
    """The human name of a registered variable (KeyError for one without a label)."""
    head, _dot, last = path.rpartition(".")
    if head and last in AMOUNT_FORMS and path not in LABELS:
        return str(AMOUNT_FORMS[last]) % {"amount": label(head)}
    return str(LABELS[path])


def _shown(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def values_at(data, path: str) -> list:
    """The values at a registered path of paper data (one per row under ``*``)."""
    values = [data]
    for step in path.split("."):
        if step == "*":
            values = [row for value in values for row in value]
        else:
            values = [value[step] for value in values]
    return values


def variable_rows(kind, branch: str) -> list[tuple[str, str, str]]:
    """(path, label, sample value) for every variable of the kind's branch, as registered."""
    data = sample(kind, branch)
    return [
        (path, label(path), "；".join(_shown(v) for v in values_at(data, path)))
        for path in VARIABLES[kind][branch]
    ]
