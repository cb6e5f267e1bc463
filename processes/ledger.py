"""The fund ledger: every movement of poverty funds tied to the act that caused it, and the
totals per township and county that supervisors read (issue: allocated → disbursed →
reimbursed)."""

from decimal import Decimal

from django.db.models import Q, Sum

from .models import FundMovement, Project

ZERO = Decimal("0.00")


def funds_allocated(activation, actor, entry):
    """The county finance bureau issues the project's funds (下达资金)."""
    project = activation.process.project
    FundMovement.objects.create(
        project=project,
        kind=FundMovement.Kind.ALLOCATED,
        amount=project.funds_issued,
        payee=project.township.name,
        audit_entry=entry,
    )


def payment_recorded(activation, actor, entry):
    """Payment after acceptance: direct subsidies to each household's account, otherwise to
    the operator; the reimbursement claim is then settled."""
    project = activation.process.project
    if project.is_direct_subsidy:
        FundMovement.objects.bulk_create(
            FundMovement(
                project=project,
                kind=FundMovement.Kind.DISBURSED,
                amount=b.subsidy,
                payee=b.household.head_name,
                household=b.household,
                audit_entry=entry,
            )
            for b in project.beneficiaries.select_related("household")
            if b.subsidy > 0
        )
    else:
        FundMovement.objects.create(
            project=project,
            kind=FundMovement.Kind.DISBURSED,
            amount=project.reimbursement.amount,
            payee=project.operator.name,
            audit_entry=entry,
        )
    FundMovement.objects.create(
        project=project,
        kind=FundMovement.Kind.REIMBURSED,
        amount=project.reimbursement.amount,
        payee=project.township.name,
        audit_entry=entry,
    )


def _sums(prefix=""):
    return {
        kind: Sum(f"{prefix}amount", filter=Q(**{f"{prefix}kind": kind}), default=ZERO)
        for kind in FundMovement.Kind.values
    }


def project_totals(project) -> dict:
    return project.fund_movements.aggregate(**_sums())


def totals_by_township(user) -> list[dict]:
    """Allocated, disbursed and reimbursed per region of the user's jurisdiction: one query.

    Rows are townships; an official who acts only in villages (a village secretary) sees
    a row per village instead, each labelled with its own name (``region``).
    """
    projects = Project.objects.visible_to(user)
    field = "project__village" if _acts_in_villages_only(user) else "project__village__parent"
    rows = (
        FundMovement.objects.filter(project__in=projects)
        .values(f"{field}_id", f"{field}__name")
        .annotate(**_sums())
        .order_by(f"{field}__name")
    )
    return [
        {
            "region": row[f"{field}__name"],
            **{k: row[k] for k in FundMovement.Kind.values},
        }
        for row in rows
    ]


def _acts_in_villages_only(user) -> bool:
    from permissions.jurisdiction import roles_of
    from permissions.roles import Level

    if user.is_superuser:
        return False
    held = roles_of(user)
    return bool(held) and all(r.region.level == Level.VILLAGE for r in held)


def county_total(rows: list[dict]) -> dict:
    return {kind: sum((row[kind] for row in rows), ZERO) for kind in FundMovement.Kind.values}


def principal_returned(activation, actor, entry):
    """On termination the operator returns the principal to the village collective (DOMAIN §4)."""
    project = activation.process.project
    agreement = project.agreement
    FundMovement.objects.create(
        project=project,
        kind=FundMovement.Kind.RETURNED,
        amount=agreement.principal_returned,
        payee=f"{project.village.name}集体经济组织",
        audit_entry=entry,
    )


def reclaimable(project) -> Decimal:
    """What the township may still reclaim (收回资金) from a project: the funds allocated to
    it, less what was already reclaimed. Nothing before the county has issued funds."""
    totals = project_totals(project)
    return totals[FundMovement.Kind.ALLOCATED] - totals[FundMovement.Kind.RECLAIMED]
