"""Walking a project through its lifecycle from code, the way officials do in the browser.

Used by ``seed_demo`` to put demo projects at every stage. Each step is done by a user
who holds the task's role: claim, then the task's own form and the same act functions
the views call, so the demo data is exactly what the pages would have produced.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import STATUS

from workflow import actions
from workflow.tasks import ScopedTask

from .flows import ProjectFlow
from .models import Household, Project


def _iso(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def _story(project: Project):
    """The dates of the project's steps, as days before its story's "now": the story ends
    today, or, for a project whose planning meeting was more than a year back (a demo
    project already years into post-maintenance), 30 days after that meeting."""
    today = timezone.localdate()
    base = today - datetime.timedelta(days=30)
    if project.meeting_date and project.meeting_date < today - datetime.timedelta(days=365):
        base = project.meeting_date
    return lambda days_ago: (base + datetime.timedelta(days=30 - days_ago)).isoformat()


def _dividend_notice_dates(project: Project) -> tuple[str, str]:
    """Ten days of notice for the computed year's list: after the agreement year and ending
    no earlier than the report that made the list, by today at the latest."""
    from .dividends import reported_on

    year = project.dividend_years.filter(status="computed").first()
    today = timezone.localdate()
    if year is None:
        return _iso(9), _iso(0)
    reported = reported_on(year) or today
    end = min(today, max(reported, year.period_end + datetime.timedelta(days=9)))
    start = max(year.period_end, end - datetime.timedelta(days=9))
    return start.isoformat(), end.isoformat()


def step_data(
    node_name: str, project: Project, decision: str = "approve", reason: str = ""
) -> dict:
    """Valid form data for each step of the flow, as an official would enter it."""
    day = _story(project)
    review = {"decision": decision, "reason": reason or ("同意" if decision == "approve" else "")}
    households = Household.objects.filter(village=project.village).order_by("pk")[:4]
    data = {
        "application": {
            "implementation_plan": f"{project.name}实施方案：选址、建设内容、进度安排。",
            "performance_targets": "带动脱贫户稳定增收。",
            "commitment_signed": "on",
            "households": [str(h.pk) for h in households],
        },
        "township_review": {
            **review,
            "responsible_leader": str(_township_leader(project).pk)
            if decision == "approve"
            else "",
            "team": "乡扶贫工作站、农业服务中心、包村干部",
            "policy_set": "《织金县财政专项扶贫资金管理办法》《报账制实施细则》",
        },
        "public_notice": {
            **review,
            "notice_start": day(20),
            "notice_end": day(10),
            "notice_objections": "",
        },
        "county_review": review,
        "leading_group_approval": {
            **review,
            "approval_doc_no": f"织扶领〔2026〕{project.pk}号",
            "approved_on": day(9),
        },
        "funds_issue": {
            "funds_doc_no": f"织财农〔2026〕{project.pk}号",
            "funds_issued": str(project.funds_amount),
            "funds_issued_on": day(8),
        },
        "subsidy_agreements": {
            "signed_on": day(7),
            "term_years": str(project.term_years),
            "all_signed": "on",
        },
        "entrustment_agreement": {
            "signed_on": day(7),
            "starts_on": day(7),
            "term_years": str(project.term_years),
            "first_year_rate": "6.00",
            "yearly_increase": "0.50",
            "collateral_value": str(project.funds_amount + Decimal("10000.00")),
            "collateral_description": "养殖场房屋及设备抵押",
            "household_share": "75.00",
            "manager_name": "王建国",
        },
        "benefit_linkage_agreements": {"signed_on": day(6), "all_signed": "on"},
        "progress_report": {"percent_complete": "100", "description": "建设完成，设备已安装调试。"},
        "township_supervision": review,
        "village_self_check": {"conclusion": "村级自验合格。"},
        "township_acceptance": {**review, "conclusion": "乡镇初验合格。"},
        "county_acceptance": {**review, "conclusion": "县级验收合格。", "accepted_on": day(3)},
        "reimbursement": {
            "amount": str(project.funds_amount),
            "expense_details": "设备采购、基础设施建设。",
        },
        "reimbursement_poverty_review": review,
        "reimbursement_finance_review": review,
        "payment": {"voucher_no": f"PZ-{project.pk:05d}", "paid_on": day(1)},
        "maintenance_report": {"income": "120000.00", "condition": "运行正常。"},
        "maintenance_review": review,
        "dividend_notice": {
            **review,
            **dict(
                zip(("notice_start", "notice_end"), _dividend_notice_dates(project), strict=True)
            ),
            "notice_objections": "",
        },
        "term_end": {"outcome": "terminate", "reason": "合作期满，经营主体不再续签。"},
        "renewal_countersign": {"signed_on": _iso(0), "all_signed": "on"},
    }
    if node_name == "dividend_payout":
        return payout_in_full(project)
    if node_name == "principal_return":
        return {
            "amount": str(project.funds_issued or project.funds_amount),
            "returned_on": _iso(0),
            "voucher_no": f"SK-{project.pk:05d}",
        }
    return data[node_name]


def payout_in_full(project: Project, paid_on: str | None = None) -> dict:
    """The payout form filled with exactly what the published dividend list says is due."""
    year = project.dividend_years.get(status="published")
    on_time = min(timezone.localdate(), year.notice_end + datetime.timedelta(days=2))
    return {
        "paid_on": paid_on or on_time.isoformat(),
        "collective_paid": str(year.collective_part),
        "fund_paid": str(year.fund_part),
        **{f"paid_{share.pk}": str(share.amount_due) for share in year.shares.all()},
    }


def _township_leader(project):
    from permissions.jurisdiction import holders
    from permissions.roles import TOWNSHIP_LEAD

    return holders(TOWNSHIP_LEAD, project.township).order_by("pk").first()


def holder_for(task):
    """A user who may take this task: its owner, or the first holder of its role."""
    from permissions.jurisdiction import permission_holders

    if task.owner_id:
        return task.owner
    holders = permission_holders(task.owner_permission, task.owner_permission_obj)
    return holders.order_by("pk").first()


def open_task(project: Project):
    return (
        ScopedTask.objects.filter(
            process=project.process,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .order_by("created", "pk")
        .first()
    )


def start_project(user, **fields) -> Project:
    """Hold the planning meeting and open the project's process, as the village does."""
    node = ProjectFlow.start
    form_data = {
        "meeting_date": _iso(30),
        "meeting_attendees": "36",
        "meeting_minutes": "召开项目谋划宣传会议，群众一致同意。",
        "households_wishes": "希望发展产业增收。",
        "term_years": "3",
        **{k: str(v.pk if hasattr(v, "pk") else v) for k, v in fields.items()},
    }
    with transaction.atomic():
        activation = node.activation_class.create(node, None, None)
        activation.start(SimpleNamespace(user=user))
        form = node.form_class(
            data=form_data, process=activation.process, task=activation.task, user=user
        )
        if not form.is_valid():
            raise ValueError(f"planning meeting form invalid: {form.errors.as_json()}")
        actions.start_process(user, activation, form)
    return Project.objects.get(pk=activation.process.project_id)


def do_step(
    project: Project, decision: str = "approve", reason: str = "", data: dict | None = None
):
    """Claim and complete the project's next open task; returns the completed task."""
    task = open_task(project)
    if task is None:
        raise ValueError(f"{project} has no open task")
    user = holder_for(task)
    if user is None:
        raise ValueError(f"nobody holds the role for {task.flow_task.name} of {project}")
    user = get_user_model().objects.get(pk=user.pk)
    node = task.flow_task
    with task.activation() as activation:
        if task.status == STATUS.NEW:
            actions.claim_task(user, activation)
    task.refresh_from_db()
    if getattr(node, "countersign_seats", None) and decision == "approve":
        countersign(task, user)
    with task.activation() as activation:
        activation.start(SimpleNamespace(user=user))
        values = data if data is not None else step_data(node.name, project, decision, reason)
        form = node.form_class(
            data=values, process=activation.process, task=activation.task, user=user
        )
        if not form.is_valid():
            raise ValueError(f"{node.name} form invalid: {form.errors.as_json()}")
        actions.complete_task(user, activation, form)
    if node.name == "maintenance_report":
        backdate_report(project)
    project.refresh_from_db()
    return task


def backdate_report(project: Project) -> None:
    """Demo only: the year's report was made the day after its agreement year ended, when
    that day has passed (a project whose story lies years back)."""
    from .dividends import year_end
    from .models import MaintenanceReport

    report = project.maintenance_reports.filter(status=MaintenanceReport.Status.SUBMITTED).last()
    end = year_end(project, report.year) if report else None
    if end is None or end + datetime.timedelta(days=1) >= timezone.localdate():
        return
    at = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(10))
    MaintenanceReport.objects.filter(pk=report.pk).update(reported_at=timezone.make_aware(at))


def backdate_open_task(project: Project, days: int) -> None:
    """Demo only: the project's open step arrived ``days`` ago (its deadline follows)."""
    task = open_task(project)
    ScopedTask.objects.filter(pk=task.pk).update(
        created=task.created - datetime.timedelta(days=days)
    )


# The seats of the county acceptance panel the demo fills; the step declares who may take them.
DEMO_SEATS = ("finance", "discipline")


def countersign(task, holder):
    """会签: the holder seats the acceptance panel and every member signs "agree"."""
    from permissions.jurisdiction import holders
    from workflow import operations

    county = task.process.coerced.project.county
    for seat in DEMO_SEATS:
        (role,) = task.flow_task.countersign_members[seat]
        member = holders(role, county).order_by("pk").first()
        sign_off = operations.seat_panel_member(holder, task, member, seat, "组成县级验收小组")
        operations.sign(member, sign_off, "agree", "同意验收。")


def advance_to(project: Project, node_name: str | None, limit: int = 60) -> None:
    """Complete steps (approving every review) until the open task is ``node_name``;
    ``None`` runs the process to its end."""
    for _ in range(limit):
        task = open_task(project)
        if task is None:
            if node_name is None:
                return
            raise ValueError(f"{project} finished before reaching {node_name}")
        if task.flow_task.name == node_name:
            return
        do_step(project)
    raise ValueError(f"{project} did not reach {node_name} in {limit} steps")


def walk_to(project: Project, stands_at: str | None) -> None:
    """Put a project where the demo shows it: at the open step ``stands_at``; "sent_back" (the
    township sent the application back); "maintenance_report" with year 1 accepted and year 2
    open; ``None`` finished."""
    if stands_at == "sent_back":
        advance_to(project, "township_review")
        do_step(project, decision="back", reason="受益户名单与实施方案不符，请核实后重新申报。")
    elif stands_at == "maintenance_report":
        advance_to(project, "maintenance_report")
        do_step(project)  # year 1 report
        do_step(project)  # accepted; year 2 report is open
    else:
        advance_to(project, stands_at)
