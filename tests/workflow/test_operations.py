"""Approval operations over HTTP, each as the official who does it: transfer (转办),
delegate with return (委派), add a signer (加签), carbon copy (抄送), withdraw (撤回).

Each has a happy path, a refusal and a jurisdiction boundary (township B never becomes
the holder of a township A task, and never sees what was copied to others)."""

import pytest
from viewflow.workflow.status import STATUS

from ground.audit import display_name
from ground.models import AuditEntry
from permissions.roles import TOWNSHIP_WORK_STATION
from processes import demo
from workflow.models import CarbonCopy, Delegation, SignOff
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver


def url(task, action):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def op(task, name):
    return f"/approvals/tasks/{task.pk}/{name}/"


@pytest.fixture
def review(cast):
    """Township A's review of a village A1 project, claimed by the work station of A."""
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    task = driver.open_task(project)
    holder = cast.user("township_work_station", "A")
    client = cast.client(holder)
    assert client.post(url(task, "assign")).status_code == 302
    task.refresh_from_db()
    return project, task, holder, client


@pytest.fixture
def colleague(cast):
    """A second official of township A's work station."""
    return f.official(TOWNSHIP_WORK_STATION, cast.regions["A"], username="station_A_2")


def approve(client, task, **data):
    project = task.process.coerced.project
    payload = {**demo.step_data(task.flow_task.name, project, "approve", "同意"), **data}
    return client.post(url(task, "execute"), payload)


def inbox(client):
    return client.get("/workflow/inbox/").content.decode()


# --- 转办 Transfer -----------------------------------------------------------------------


def test_the_task_page_offers_the_operations_to_its_holder(cast, review, colleague):
    _project, task, _holder, client = review
    page = client.get(url(task, "execute")).content.decode()
    for name in ("transfer", "delegate", "add-signer", "carbon-copy"):
        assert op(task, name) in page
    assert op(task, "panel") not in page  # only the county acceptance has a panel
    assert "转办" in page and "委派" in page and "加签" in page and "抄送" in page

    client.post(op(task, "delegate"), {"to_user": colleague.pk, "reason": "请协助"})
    page = cast.client(colleague).get(url(task, "execute")).content.decode()
    assert op(task, "transfer") not in page  # the delegate fills in; no passing it on


def test_transfer_hands_the_task_to_a_colleague(cast, review, colleague):
    project, task, holder, client = review

    response = client.post(
        op(task, "transfer"), {"to_user": colleague.pk, "reason": "本人下乡，请同事办理"}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == colleague and task.status == STATUS.ASSIGNED
    assert project.name not in inbox(client)
    other = cast.client(colleague)
    assert project.name in inbox(other)
    assert client.get(url(task, "execute")).status_code == 403  # the holder lost it
    assert approve(other, task).status_code == 302
    entry = AuditEntry.objects.get(act="task.transfer", object_id=str(task.pk))
    assert entry.actor == holder and entry.reason == "本人下乡，请同事办理"
    assert entry.after["to"]["id"] == colleague.pk


def test_transfer_needs_a_reason_and_the_holder(cast, review, colleague):
    _project, task, _holder, client = review

    response = client.post(op(task, "transfer"), {"to_user": colleague.pk, "reason": " "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    # Only the holder may transfer: the colleague (same role, not the holder) gets 403.
    other = cast.client(colleague)
    assert (
        other.post(op(task, "transfer"), {"to_user": colleague.pk, "reason": "x"}).status_code
        == 403
    )
    task.refresh_from_db()
    assert task.owner == cast.user("township_work_station", "A")
    assert not AuditEntry.objects.filter(act="task.transfer").exists()


def test_township_b_can_neither_receive_nor_open_a_transfer(cast, review):
    _project, task, holder, client = review
    station_b = cast.user("township_work_station", "B")

    response = client.post(op(task, "transfer"), {"to_user": station_b.pk, "reason": "转办"})

    assert response.status_code == 200 and "to_user" in response.context["form"].errors
    task.refresh_from_db()
    assert task.owner == holder
    assert cast.client(station_b).get(op(task, "transfer")).status_code == 404


# --- 委派 Delegate with return --------------------------------------------------------------


def test_delegated_task_is_filled_by_the_delegate_and_returns_to_the_delegator(
    cast, review, colleague
):
    project, task, holder, client = review
    response = client.post(op(task, "delegate"), {"to_user": colleague.pk, "reason": "请协助审核"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == colleague
    assert project.name not in inbox(client)  # only the delegate sees and works it now
    delegate = cast.client(colleague)
    page = delegate.get(url(task, "execute")).content.decode()
    assert "请协助审核" in page

    response = approve(delegate, task, reason="材料齐全")

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == holder  # back, not completed
    project.process.refresh_from_db()
    assert project.process.decided_by == ""  # nothing written by the delegate
    form = client.get(url(task, "execute")).context["form"]
    assert form.initial["reason"] == "材料齐全"  # the delegate's entries pre-fill the form
    assert approve(client, task, reason="材料齐全").status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == holder
    acts = list(
        AuditEntry.objects.filter(object_id=str(task.pk)).values_list("act", "actor__username")
    )
    assert acts[-3:] == [
        ("task.delegate", holder.username),
        ("task.delegation_return", colleague.username),
        ("task.complete", holder.username),
    ]
    assert Delegation.objects.get(task_id=task.pk).returned_at is not None


def test_a_delegated_task_cannot_be_passed_on(cast, review, colleague):
    _project, task, _holder, client = review
    client.post(op(task, "delegate"), {"to_user": colleague.pk, "reason": "请协助"})
    delegate = cast.client(colleague)

    response = delegate.post(op(task, "transfer"), {"to_user": colleague.pk, "reason": "再转"})

    assert response.status_code in (200, 409)  # colleague is no choice; never transferred
    response = delegate.post(
        op(task, "add-signer"), {"signer": cast.user("township_lead", "A").pk, "reason": "加签"}
    )
    assert response.status_code == 409
    assert "委派" in response.content.decode()
    assert not SignOff.objects.exists()


def test_township_b_cannot_be_a_delegate(cast, review):
    _project, task, holder, client = review
    station_b = cast.user("township_work_station", "B")

    response = client.post(op(task, "delegate"), {"to_user": station_b.pk, "reason": "委派"})

    assert response.status_code == 200 and "to_user" in response.context["form"].errors
    assert not Delegation.objects.exists()
    task.refresh_from_db()
    assert task.owner == holder


# --- 加签 Add a signer ---------------------------------------------------------------------


def test_an_added_signer_must_sign_before_the_task_completes(cast, review):
    project, task, holder, client = review
    lead = cast.user("township_lead", "A")
    response = client.post(op(task, "add-signer"), {"signer": lead.pk, "reason": "请镇长把关"})
    assert response.status_code == 302

    response = approve(client, task)
    assert response.status_code == 200
    assert display_name(lead) in str(response.context["form"].non_field_errors())
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED

    signer = cast.client(lead)
    listing = signer.get("/approvals/sign-offs/").content.decode()
    assert "请镇长把关" in listing
    sign_off = SignOff.objects.get(task_id=task.pk)
    response = signer.post(
        f"/approvals/sign-offs/{sign_off.pk}/", {"decision": "agree", "opinion": "同意推进"}
    )
    assert response.status_code == 302
    assert "同意推进" in client.get(url(task, "execute")).content.decode()  # on the task page

    assert approve(client, task).status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    entry = AuditEntry.objects.get(act="task.sign")
    assert entry.actor == lead and entry.reason == "同意推进"
    assert AuditEntry.objects.get(act="task.add_signer").reason == "请镇长把关"


def test_signing_is_for_the_signer_only_and_once(cast, review):
    _project, task, _holder, client = review
    lead = cast.user("township_lead", "A")
    client.post(op(task, "add-signer"), {"signer": lead.pk, "reason": "请镇长把关"})
    sign_off = SignOff.objects.get(task_id=task.pk)
    station_b = cast.client(cast.user("township_work_station", "B"))

    assert "请镇长把关" not in station_b.get("/approvals/sign-offs/").content.decode()
    sign = f"/approvals/sign-offs/{sign_off.pk}/"
    assert station_b.post(sign, {"decision": "agree", "opinion": "x"}).status_code == 404
    signer = cast.client(lead)
    assert signer.post(sign, {"decision": "reject", "opinion": ""}).status_code == 200  # reason
    assert signer.post(sign, {"decision": "agree", "opinion": "同意"}).status_code == 302
    assert signer.post(sign, {"decision": "agree", "opinion": "再签"}).status_code == 409


def test_a_signer_outside_the_jurisdiction_gets_the_project_opened_audited(cast, review):
    project, task, holder, client = review
    lead_b = cast.user("township_lead", "B")
    detail = f"/projects/{project.pk}/"
    assert cast.client(lead_b).get(detail).status_code == 404

    client.post(op(task, "add-signer"), {"signer": lead_b.pk, "reason": "跨镇会商"})

    assert cast.client(lead_b).get(detail).status_code == 200
    opened = AuditEntry.objects.get(act="project.open", project_id=project.pk)
    assert opened.actor == holder and opened.reason == "跨镇会商"
    # The grant is this one project; the township B official still cannot act on it.
    assert cast.client(lead_b).post(url(task, "execute"), {}).status_code == 403


# --- 抄送 Carbon copy ------------------------------------------------------------------------


def test_carbon_copy_reaches_the_recipients_copied_to_me_list(cast, review):
    project, task, holder, client = review
    lead_a = cast.user("township_lead", "A")
    discipline = cast.user("county_discipline", "county")

    response = client.post(
        op(task, "carbon-copy"),
        {"recipients": [lead_a.pk, discipline.pk], "note": "请知悉审核进展"},
    )

    assert response.status_code == 302
    for user in (lead_a, discipline):
        recipient = cast.client(user)
        page = recipient.get("/approvals/copies/").content.decode()
        assert project.name in page and "请知悉审核进展" in page
        assert recipient.get(f"/projects/{project.pk}/").status_code == 200
    entry = AuditEntry.objects.get(act="task.carbon_copy")
    assert entry.reason == "请知悉审核进展" and len(entry.after["recipients"]) == 2
    assert not AuditEntry.objects.filter(act="project.open").exists()  # both within reach


def test_carbon_copy_needs_a_note(cast, review):
    _project, task, _holder, client = review
    response = client.post(
        op(task, "carbon-copy"), {"recipients": [cast.user("township_lead", "A").pk], "note": ""}
    )
    assert response.status_code == 200 and "note" in response.context["form"].errors
    assert not CarbonCopy.objects.exists()


def test_copies_stay_with_their_recipient(cast, review):
    project, task, holder, client = review
    lead_b = cast.user("township_lead", "B")
    client.post(op(task, "carbon-copy"), {"recipients": [lead_b.pk], "note": "跨镇抄送"})

    # Outside the jurisdiction: opened by an audited grant, and listed for them.
    assert AuditEntry.objects.get(act="project.open").reason == "跨镇抄送"
    assert "跨镇抄送" in cast.client(lead_b).get("/approvals/copies/").content.decode()
    assert cast.client(lead_b).get(f"/projects/{project.pk}/").status_code == 200
    # Another township B official sees neither the copy nor the project.
    station_b = cast.client(cast.user("township_work_station", "B"))
    assert "跨镇抄送" not in station_b.get("/approvals/copies/").content.decode()
    assert station_b.get(f"/projects/{project.pk}/").status_code == 404
    # Nor does the sender's own list show what they sent to others.
    assert "跨镇抄送" not in client.get("/approvals/copies/").content.decode()


# --- 撤回 Withdraw ---------------------------------------------------------------------------


def test_withdraw_before_the_next_step_is_touched(cast, review):
    project, task, holder, client = review
    assert approve(client, task).status_code == 302
    notice = Driver(cast, "A1").open_task(project)
    assert notice.flow_task.name == "public_notice" and notice.status == STATUS.NEW
    archive = client.get("/workflow/archive/").content.decode()
    assert op(task, "withdraw") in archive

    response = client.post(op(task, "withdraw"), {"reason": "审核意见有误，需重新审核"})

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == STATUS.CANCELED
    again = ScopedTask.objects.get(
        process=task.process, flow_task=task.flow_task, status=STATUS.ASSIGNED
    )
    assert again.owner == holder and response.url.endswith(url(again, "execute"))
    assert (again.owner_permission, again.owner_permission_obj_pk) == (
        task.owner_permission,
        task.owner_permission_obj_pk,
    )
    secretary = cast.client(cast.user("village_secretary", "A1"))
    assert project.name not in secretary.get("/workflow/queue/").content.decode()
    entry = AuditEntry.objects.get(act="task.withdraw")
    assert entry.actor == holder and entry.reason == "审核意见有误，需重新审核"
    assert entry.after == {"cancelled": [notice.pk], "recreated": again.pk}
    # Redone, the flow moves on as before.
    assert approve(client, again).status_code == 302
    assert Driver(cast, "A1").open_task(project).flow_task.name == "public_notice"


def test_withdraw_is_refused_once_the_next_official_claimed(cast, review):
    project, task, _holder, client = review
    approve(client, task)
    notice = Driver(cast, "A1").open_task(project)
    secretary = cast.client(cast.user("village_secretary", "A1"))
    assert secretary.post(url(notice, "assign")).status_code == 302

    page = client.get(op(task, "withdraw")).content.decode()
    assert "已" in page and "qy-blocker" in page
    response = client.post(op(task, "withdraw"), {"reason": "想撤回"})

    assert response.status_code == 409
    notice.refresh_from_db()
    assert notice.status == STATUS.ASSIGNED
    assert not AuditEntry.objects.filter(act="task.withdraw").exists()


def test_only_the_official_who_completed_a_step_may_withdraw_it(cast, review, colleague):
    _project, task, _holder, client = review
    approve(client, task)
    assert cast.client(colleague).post(op(task, "withdraw"), {"reason": "x"}).status_code == 403
    station_b = cast.client(cast.user("township_work_station", "B"))
    assert station_b.post(op(task, "withdraw"), {"reason": "x"}).status_code == 404
    assert client.post(op(task, "withdraw"), {"reason": ""}).status_code == 200  # reason


def test_a_step_that_signed_papers_cannot_be_withdrawn(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="leading_group_approval")
    done = driver.step(project, "leading_group_approval")  # signs the approval reply
    client = cast.client(driver.holder("leading_group_approval", project))

    assert "qy-blocker" in client.get(op(done, "withdraw")).content.decode()
    assert client.post(op(done, "withdraw"), {"reason": "撤回"}).status_code == 409
    assert driver.open_task(project).flow_task.name == "funds_issue"


def test_a_step_that_appended_a_record_cannot_be_withdrawn_but_can_be_sent_back(cast):
    """Doing the self-check again would add a second conclusion: the village asks the township
    to send it back instead, and the step stays where it is."""
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="village_self_check")
    done = driver.step(project, "village_self_check")
    client = cast.client(driver.holder("village_self_check", project))

    assert "qy-blocker" in client.get(op(done, "withdraw")).content.decode()
    assert client.post(op(done, "withdraw"), {"reason": "撤回"}).status_code == 409
    assert driver.open_task(project).flow_task.name == "township_acceptance"
    assert project.acceptance_records.filter(level="village").count() == 1
    driver.act(project, "township_acceptance", decision="back", reason="自验结论不完整")
    assert driver.open_task(project).flow_task.name == "village_self_check"


def test_the_delegator_recalls_a_delegation_before_it_comes_back(cast, review, colleague):
    project, task, holder, client = review
    client.post(op(task, "delegate"), {"to_user": colleague.pk, "reason": "请协助审核"})
    listed = client.get("/approvals/delegated/").content.decode()
    assert "qy-delegation" in listed and op(task, "recall") in listed
    # Only the delegator may recall: not the delegate, not another township.
    assert cast.client(colleague).post(op(task, "recall"), {"reason": "x"}).status_code == 403
    station_b = cast.client(cast.user("township_work_station", "B"))
    assert station_b.post(op(task, "recall"), {"reason": "x"}).status_code == 404
    assert client.post(op(task, "recall"), {"reason": ""}).status_code == 200  # reason needed

    response = client.post(op(task, "recall"), {"reason": "情况有变，自行办理"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == holder and task.status == STATUS.ASSIGNED
    assert project.name in inbox(client)
    assert cast.client(colleague).get(url(task, "execute")).status_code == 403
    assert Delegation.objects.get(task_id=task.pk).returned_at is not None
    entry = AuditEntry.objects.filter(object_id=str(task.pk)).last()
    assert (entry.act, entry.actor, entry.reason) == (
        "task.delegation_recall",
        holder,
        "情况有变，自行办理",
    )
    assert "qy-delegation" not in client.get("/approvals/delegated/").content.decode()
    # Once recalled (or returned), there is nothing left to recall.
    assert client.post(op(task, "recall"), {"reason": "再收回"}).status_code == 403
