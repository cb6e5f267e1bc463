"""Drive a project through the lifecycle, each step by the cast member whose role and region
the step belongs to (DOMAIN.md §3).

``act`` does the step a test is about over HTTP, as a browser would: see it in the queue,
claim, open the form, post it, follow the redirect. ``step``, ``run`` and ``start`` set a
project up without HTTP, through the step's own form and the act functions its view calls
(as processes.demo does): the same data, in a fraction of the time. That the queue shows each
step to its holder is checked over HTTP by tests/processes/test_lifecycle.py.
"""

import datetime
from types import SimpleNamespace

from django.db import transaction
from viewflow.workflow.status import STATUS

from permissions.roles import Level
from processes import demo
from processes.flows import ProjectFlow
from processes.models import ImplementationMode, Project
from workflow import actions, operations
from workflow.tasks import ScopedTask


def holder_key(node_name, project, village_key):
    """Who must do a step, as its node declares it (``ProjectFlow.holder_of``): the role code
    and the cast's key of the region it is held at (an operator's step: its township's operator)."""
    role, _place = ProjectFlow.holder_of(node_name, project.process)
    if role is None:
        return "operator", village_key[0]
    return role.code, {
        Level.VILLAGE: village_key,
        Level.TOWNSHIP: village_key[0],
        Level.COUNTY: "county",
    }[role.level]


def years_back(years: int) -> str:
    """A planning-meeting date ``years`` years (and a few weeks) ago: a project started then has
    ``years`` agreement years behind it, which post-maintenance may report (processes.demo)."""
    from django.utils import timezone

    from processes.rules.dividends import add_years

    return (add_years(timezone.localdate(), -years) - datetime.timedelta(days=45)).isoformat()


# The county acceptance panel the driver seats (seat, county role of the member).
PANEL = (("finance", "county_finance_bureau"), ("discipline", "county_discipline"))


class Driver:
    def __init__(self, cast, village_key="A1"):
        self.cast = cast
        self.village_key = village_key

    def start(
        self, mode=ImplementationMode.DIRECT_SUBSIDY, funds="60000.00", http=False, **overrides
    ):
        """The village secretary holds the planning meeting: over HTTP with ``http=True``,
        else through the start form and act directly."""
        secretary = self.cast.user("village_secretary", self.village_key)
        client = self.cast.client(secretary)
        data = self.meeting_data(mode, funds, overrides.pop("name", "竹荪种植项目"))
        if mode != ImplementationMode.DIRECT_SUBSIDY:
            data["operator"] = str(self.cast.operators[self.village_key[0]].pk)
        data.update(overrides)
        if not http:
            return demo.start_project(secretary, **data)
        url = ProjectFlow.start.reverse("execute")
        assert client.get(url).status_code == 200
        response = client.post(url, data)
        assert response.status_code == 302, _errors(response)
        return Project.objects.get(name=data["name"])

    def meeting_data(self, mode, funds, name) -> dict:
        """What the village secretary enters on the planning meeting's form (the start)."""
        return {
            "name": name,
            "industry": "竹荪种植",
            "village": str(self.cast.regions[self.village_key].pk),
            "mode": mode,
            "funds_amount": funds,
            "scale": "50亩",
            "term_years": "3",
            "meeting_date": "2026-10-01",
            "meeting_attendees": "40",
            "meeting_minutes": "村民大会一致同意。",
            "households_wishes": "发展竹荪种植。",
        }

    def open_task(self, project):
        return (
            ScopedTask.objects.filter(
                process=project.process,
                flow_task_type="HUMAN",
                status__in=[STATUS.NEW, STATUS.ASSIGNED],
            )
            .order_by("created", "pk")
            .first()
        )

    def holder(self, node_name, project):
        role, key = holder_key(node_name, project, self.village_key)
        return self.cast.user(role, key)

    def act(self, project, node_name, decision="approve", reason="", data=None, user=None):
        """Do the open step ``node_name`` as its holder; returns the completed task."""
        task = self.open_task(project)
        assert task is not None, f"{project} has no open task (expected {node_name})"
        assert task.flow_task.name == node_name, (
            f"open task is {task.flow_task.name}, expected {node_name}"
        )
        user = user or self.holder(node_name, project)
        client = self.cast.client(user)
        if task.status == STATUS.NEW:
            queue = client.get("/workflow/queue/")
            assert project.name in queue.content.decode(), (
                f"{user} does not see {node_name} in the queue"
            )
            response = client.post(
                task.flow_task.reverse("assign", args=[task.process_id, task.pk])
            )
            assert response.status_code == 302, response.status_code
        if node_name == "county_acceptance" and decision == "approve" and data is None:
            self.countersign(task, client)
        execute = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        assert client.get(execute).status_code == 200
        payload = data if data is not None else demo.step_data(node_name, project, decision, reason)
        response = client.post(execute, payload)
        assert response.status_code == 302, _errors(response)
        task.refresh_from_db()
        assert task.status == STATUS.DONE
        project.refresh_from_db()
        return task

    def step(self, project, node_name, decision="approve", reason="", data=None, user=None):
        """Set-up: do the open step ``node_name`` as its holder without HTTP (claim, the
        step's form, its act, as the views do); returns the completed task."""
        task = self.open_task(project)
        assert task is not None, f"{project} has no open task (expected {node_name})"
        assert task.flow_task.name == node_name, (
            f"open task is {task.flow_task.name}, expected {node_name}"
        )
        user = user or self.holder(node_name, project)
        node = task.flow_task
        if task.status == STATUS.NEW:
            assert node.can_assign(user, task), f"{user} may not claim {node_name}"
            with task.activation() as activation, transaction.atomic():
                actions.claim_task(user, activation)
            task.refresh_from_db()
        if node_name == "county_acceptance" and decision == "approve" and data is None:
            self.seat_panel(task, user)
        payload = data if data is not None else demo.step_data(node_name, project, decision, reason)
        with task.activation() as activation, transaction.atomic():
            assert node.can_execute(user, activation.task), f"{user} may not do {node_name}"
            activation.start(SimpleNamespace(user=user))
            form = node.form_class(
                data=payload, process=activation.process, task=activation.task, user=user
            )
            assert form.is_valid(), f"{node_name}: {form.errors.as_json()}"
            delegation = operations.active_delegation(activation.task)
            if delegation is not None and delegation.delegate_id == user.pk:
                operations.return_delegated_task(user, activation, form)
            else:
                actions.complete_task(user, activation, form)
        task.refresh_from_db()
        project.refresh_from_db()
        return task

    def seat_panel(self, task, holder, panel=PANEL):
        """会签 without HTTP: the holder seats the acceptance panel, every member agrees."""
        from workflow.models import SignOff

        members = {seat: self.cast.user(role, "county") for seat, role in panel}
        operations.seat_panel(holder, task, members, "组成县级验收小组")
        for member in members.values():
            sign_off = SignOff.objects.get(task_id=task.pk, signer=member)
            operations.sign(member, sign_off, "agree", "同意")

    def countersign(self, task, holder_client, panel=PANEL):
        """会签: the holder seats the acceptance panel, and every member signs "agree"."""
        from workflow.models import SignOff

        members = {seat: self.cast.user(role, "county") for seat, role in panel}
        data = {f"seat_{seat}": str(member.pk) for seat, member in members.items()}
        response = holder_client.post(
            f"/approvals/tasks/{task.pk}/panel/", {**data, "reason": "组成县级验收小组"}
        )
        assert response.status_code == 302, _errors(response)
        for member in members.values():
            sign_off = SignOff.objects.get(task_id=task.pk, signer=member)
            response = self.cast.client(member).post(
                f"/approvals/sign-offs/{sign_off.pk}/", {"decision": "agree", "opinion": "同意"}
            )
            assert response.status_code == 302, _errors(response)

    def run(self, project, until=None, decisions=None):
        """Set-up: approve step after step (``step``, no HTTP) until the open task is
        ``until`` (or the end)."""
        for _ in range(80):
            task = self.open_task(project)
            if task is None or (until and task.flow_task.name == until):
                return
            self.step(project, task.flow_task.name)
        raise AssertionError("the flow did not end")


def _errors(response):
    context = getattr(response, "context", None)
    if context and context.get("form") is not None:
        return f"{response.status_code}: {context['form'].errors.as_json()}"
    return f"{response.status_code}"
