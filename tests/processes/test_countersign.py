"""会签 at the county acceptance: the poverty office seats a panel; every member must sign
"agree" before the acceptance is approved, and any one member's "reject" sends it back to
the township with that member's reason. Outside experts see only the one project."""

import pytest
from viewflow.workflow.status import STATUS

from ground.audit import display_name
from ground.models import AuditEntry
from processes import demo
from processes.models import ImplementationMode
from workflow.models import SignOff

from .. import factories as f
from ..flowdriver import Driver


def url(task, action):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


@pytest.fixture
def acceptance(cast):
    """A project at county acceptance, claimed by the county poverty office."""
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00")
    driver.run(project, until="county_acceptance")
    task = driver.open_task(project)
    office = cast.user("county_poverty_office", "county")
    client = cast.client(office)
    assert client.post(url(task, "assign")).status_code == 302
    task.refresh_from_db()
    return project, task, office, client


def seat(client, task, member, seat_code, reason="组成县级验收小组"):
    return client.post(
        f"/approvals/tasks/{task.pk}/panel/",
        {f"seat_{seat_code}": member.pk, "reason": reason},
    )


def sign(cast, member, task, decision, opinion):
    sign_off = SignOff.objects.get(task_id=task.pk, signer=member)
    return cast.client(member).post(
        f"/approvals/sign-offs/{sign_off.pk}/", {"decision": decision, "opinion": opinion}
    )


def approve(client, task):
    project = task.process.coerced.project
    return client.post(url(task, "execute"), demo.step_data("county_acceptance", project))


def test_acceptance_is_approved_only_when_every_member_agreed(cast, acceptance):
    project, task, office, client = acceptance
    finance = cast.user("county_finance_bureau", "county")
    discipline = cast.user("county_discipline", "county")

    response = approve(client, task)  # no panel yet
    assert response.status_code == 200 and response.context["form"].non_field_errors()

    assert seat(client, task, finance, "finance").status_code == 302
    assert seat(client, task, discipline, "discipline").status_code == 302
    assert sign(cast, finance, task, "agree", "资金使用合规").status_code == 302
    response = approve(client, task)  # one member still to sign
    assert response.status_code == 200
    assert display_name(discipline) in str(response.context["form"].non_field_errors())

    assert sign(cast, discipline, task, "agree", "程序合规").status_code == 302
    page = client.get(url(task, "execute")).content.decode()
    assert "资金使用合规" in page and "程序合规" in page
    assert approve(client, task).status_code == 302

    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert Driver(cast, "A1").open_task(project).flow_task.name == "reimbursement"
    signed = AuditEntry.objects.filter(act="task.countersign", object_id=str(task.pk))
    assert sorted(signed.values_list("actor__username", flat=True)) == sorted(
        [finance.username, discipline.username]
    )
    assert AuditEntry.objects.filter(act="task.panel_seat").count() == 2


def test_one_members_reject_sends_the_acceptance_back_with_their_reason(cast, acceptance):
    project, task, office, client = acceptance
    finance = cast.user("county_finance_bureau", "county")
    discipline = cast.user("county_discipline", "county")
    seat(client, task, finance, "finance")
    seat(client, task, discipline, "discipline")
    sign(cast, finance, task, "agree", "同意")
    reason = "围栏未按设计建设，请整改后重新验收。"

    assert sign(cast, discipline, task, "reject", "").status_code == 200  # reason required
    assert sign(cast, discipline, task, "reject", reason).status_code == 302

    task.refresh_from_db()
    assert task.status == STATUS.DONE
    back = Driver(cast, "A1").open_task(project)
    assert back.flow_task.name == "township_acceptance"
    assert back.data["returned"]["reason"] == reason
    station = cast.client(cast.user("township_work_station", "A"))
    assert reason in station.get(url(back, "execute")).content.decode()
    entry = AuditEntry.objects.get(act="task.send_back", object_id=str(task.pk))
    assert entry.actor == discipline and entry.reason == reason
    # The finished panel no longer waits on anyone.
    assert not cast.client(finance).get("/approvals/sign-offs/").context["object_list"]


def test_an_outside_expert_is_opened_to_this_project_only(cast, acceptance):
    project, task, office, client = acceptance
    expert = f.UserFactory(username="expert_li", first_name="李", last_name="")
    other = Driver(cast, "B1").start(name="牛场村项目")
    assert cast.client(expert).get(f"/projects/{project.pk}/").status_code in (403, 404)

    assert seat(client, task, expert, "expert", reason="聘请农技专家参加验收").status_code == 302

    expert_client = cast.client(expert)
    assert expert_client.get(f"/projects/{project.pk}/").status_code == 200
    assert expert_client.get(f"/projects/{other.pk}/").status_code == 404
    assert "聘请农技专家参加验收" in expert_client.get("/approvals/sign-offs/").content.decode()
    opened = AuditEntry.objects.get(act="project.open", project_id=project.pk)
    assert opened.actor == office and opened.reason == "聘请农技专家参加验收"
    assert sign(cast, expert, task, "agree", "符合技术标准").status_code == 302


def test_only_the_holder_seats_the_panel_and_township_b_sees_nothing(cast, acceptance):
    project, task, office, client = acceptance
    station_b = cast.user("township_work_station", "B")
    finance = cast.user("county_finance_bureau", "county")

    assert seat(cast.client(finance), task, finance, "finance").status_code == 403
    assert seat(cast.client(station_b), task, finance, "finance").status_code == 404
    assert seat(client, task, finance, "no-such-seat").status_code == 200
    assert not SignOff.objects.exists()
    # A panel is a county acceptance thing: other steps have no panel page.
    seat(client, task, finance, "finance")
    assert (
        "county_finance" not in cast.client(station_b).get("/approvals/sign-offs/").content.decode()
    )
    sign_off = SignOff.objects.get()
    assert (
        cast.client(station_b)
        .post(f"/approvals/sign-offs/{sign_off.pk}/", {"decision": "reject", "opinion": "x"})
        .status_code
        == 404
    )


def test_the_act_itself_refuses_an_approval_without_the_panel(acceptance):
    """Not only the page: any caller of the completion act (a seed, a script) is refused."""
    from types import SimpleNamespace

    from workflow import actions
    from workflow.operations import OperationRefused

    project, task, office, _client = acceptance
    node = task.flow_task
    with task.activation() as activation:
        activation.start(SimpleNamespace(user=office))
        form = node.form_class(
            data=demo.step_data("county_acceptance", project),
            process=activation.process,
            task=activation.task,
            user=office,
        )
        assert form.is_valid(), form.errors
        with pytest.raises(OperationRefused):
            actions.complete_task(office, activation, form)
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED
    assert not project.acceptance_records.filter(level="county").exists()
