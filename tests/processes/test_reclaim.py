"""收回资金 / 调项: the township lead reclaims a project's funds or moves it to another
operator on a violation; the ledger and the running process follow."""

import json
import re
from decimal import Decimal as D
from html import unescape

from viewflow.workflow.status import PROCESS, STATUS

from ground.audit import verify_chain
from ground.models import AuditEntry
from processes.ledger import project_totals
from processes.models import FundMovement, ImplementationMode, Project
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver


def funded_project(cast, until="entrustment_agreement", mode=ImplementationMode.EQUITY_DIVIDEND):
    driver = Driver(cast, "A1")
    funds = "60000.00" if mode == ImplementationMode.DIRECT_SUBSIDY else "100000.00"
    project = driver.start(mode=mode, funds=funds, name="乐丰村生猪项目")
    driver.run(project, until=until)
    return driver, project


def reclaim_url(project):
    return f"/supervision/projects/{project.pk}/reclaim/"


def reassign_url(project):
    return f"/supervision/projects/{project.pk}/reassign/"


def test_township_lead_reclaims_part_of_the_funds_and_the_ledger_shows_it(cast):
    _driver, project = funded_project(cast)
    lead = cast.user("township_lead", "A")
    client = cast.client(lead)
    assert "最多 ¥100,000.00" in client.get(reclaim_url(project)).content.decode()

    response = client.post(reclaim_url(project), {"amount": "30000.00", "reason": "虚报养殖规模"})

    assert response.status_code == 302
    totals = project_totals(project)
    assert totals["allocated"] == D("100000.00") and totals["reclaimed"] == D("30000.00")
    movement = FundMovement.objects.get(project=project, kind="reclaimed")
    entry = movement.audit_entry
    assert (entry.act, entry.actor, entry.project_id, entry.reason) == (
        "project.reclaim_funds",
        lead,
        project.pk,
        "虚报养殖规模",
    )
    assert entry.after == {"reclaimed": "30000.00", "reclaimable": "70000.00", "stopped": False}
    assert Project.objects.get(pk=project.pk).process.status == PROCESS.NEW  # it goes on
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "已收回 ¥30,000.00" in page and "虚报养殖规模" in page
    ledger = cast.client(cast.user("county_finance_bureau")).get("/projects/ledger/")
    assert "<td>¥30,000.00</td>" in ledger.content.decode()
    assert verify_chain() is None


def test_no_more_than_was_allocated_less_reclaimed_can_be_reclaimed(cast):
    _driver, project = funded_project(cast)
    client = cast.client(cast.user("township_lead", "A"))
    client.post(reclaim_url(project), {"amount": "60000.00", "reason": "第一次"})

    response = client.post(reclaim_url(project), {"amount": "40000.01", "reason": "第二次"})

    assert response.status_code == 200
    assert "最多可收回 ¥40,000.00" in response.content.decode()
    assert project_totals(project)["reclaimed"] == D("60000.00")
    assert AuditEntry.objects.filter(act="project.reclaim_funds").count() == 1


def test_nothing_can_be_reclaimed_before_the_county_issues_funds(cast):
    _driver, project = funded_project(cast, until="county_review")
    response = cast.client(cast.user("township_lead", "A")).post(
        reclaim_url(project), {"amount": "1.00", "reason": "违规"}
    )
    assert response.status_code == 200 and "最多可收回 ¥0.00" in response.content.decode()
    assert not FundMovement.objects.filter(kind="reclaimed").exists()


def test_reclaiming_all_funds_can_stop_the_project(cast):
    _driver, project = funded_project(cast)
    lead = cast.user("township_lead", "A")
    client = cast.client(lead)

    response = client.post(
        reclaim_url(project), {"amount": "100000.00", "reason": "挪用资金", "stop": "on"}
    )

    assert response.status_code == 302
    process = Project.objects.get(pk=project.pk).process
    assert process.status == PROCESS.CANCELED
    assert not ScopedTask.objects.filter(process=process, finished__isnull=True).exists()
    assert ScopedTask.objects.filter(process=process, status=STATUS.CANCELED).exists()
    stop = AuditEntry.objects.get(act="process.stop")
    assert (stop.actor, stop.project_id, stop.reason) == (lead, project.pk, "挪用资金")
    assert project.name not in client.get("/workflow/queue/").content.decode()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "项目已终止" in page and "项目终止" in page
    chain = client.get("/supervision/").content.decode()
    assert "已终止" in chain
    assert verify_chain() is None


def test_reclaim_and_reassign_belong_to_the_township_lead_of_that_township_only(cast):
    _driver, project = funded_project(cast)
    data = {"amount": "1.00", "reason": "x"}
    outsider = cast.client(cast.user("township_lead", "B"))
    for url in (reclaim_url(project), reassign_url(project)):
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, data).status_code == 404
        for role, region in [
            ("township_work_station", "A"),
            ("township_finance_office", "A"),
            ("village_secretary", "A1"),
            ("county_poverty_office", "county"),
        ]:
            client = cast.client(cast.user(role, region))
            assert client.get(url).status_code == 403, (role, url)
            assert client.post(url, data).status_code == 403, (role, url)
    assert not FundMovement.objects.filter(kind="reclaimed").exists()
    page = cast.client(cast.user("township_work_station", "A")).get(f"/projects/{project.pk}/")
    assert reclaim_url(project) not in page.content.decode()
    lead_page = cast.client(cast.user("township_lead", "A")).get(f"/projects/{project.pk}/")
    assert reclaim_url(project) in lead_page.content.decode()
    assert reassign_url(project) in lead_page.content.decode()


def offered_choices(html, name):
    """The labels a Material select (vf-field-select) offers: they travel as JSON."""
    match = re.search(rf'<vf-field-select[^>]*name="{name}"[^>]*optgroups="([^"]*)"', html)
    return [group["options"]["label"] for group in json.loads(unescape(match.group(1)))]


def test_reassigning_moves_the_operators_live_task_to_the_new_operator(cast):
    driver, project = funded_project(cast, until="benefit_linkage_agreements")
    old_user = cast.user("operator", "A")
    new_operator = f.OperatorFactory(name="珠藏镇新兴养殖有限公司", township=cast.regions["A"])
    new_user = f.operator_user(new_operator, "operator_A_new")
    task = driver.open_task(project)
    cast.client(old_user).post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    signed = list(project.documents.values_list("pk", flat=True))
    assert signed  # the entrustment agreement, signed by the township

    lead = cast.user("township_lead", "A")
    client = cast.client(lead)
    offered = offered_choices(client.get(reassign_url(project)).content.decode(), "operator")
    assert "珠藏镇新兴养殖有限公司" in offered and "桂果农业发展有限公司" not in offered
    response = client.post(
        reassign_url(project), {"operator": new_operator.pk, "reason": "合作社违规转包"}
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.operator == new_operator
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    assert task.owner_permission_obj_pk == str(new_operator.pk)
    entry = AuditEntry.objects.get(act="project.reassign_operator")
    assert entry.reason == "合作社违规转包" and entry.actor == lead
    assert entry.before["operator"] == cast.operators["A"].pk
    assert entry.after["operator"] == new_operator.pk and entry.after["tasks_moved"] == [task.pk]
    # the old operator's users lose the project and its task
    old = cast.client(old_user)
    assert old.get(f"/projects/{project.pk}/").status_code == 404
    assert project.name not in old.get("/workflow/queue/").content.decode()
    assert project.name not in old.get("/workflow/inbox/").content.decode()
    execute = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
    assert old.get(execute).status_code in (403, 404)
    # the new operator does the step; the documents already signed stay
    driver.act(project, "benefit_linkage_agreements", user=new_user)
    assert set(signed) <= set(project.documents.values_list("pk", flat=True))
    history = client.get(f"/projects/{project.pk}/").content.decode()
    assert "调项" in history and "合作社违规转包" in history
    assert verify_chain() is None


def test_a_project_cannot_be_reassigned_to_another_townships_operator(cast):
    _driver, project = funded_project(cast)
    response = cast.client(cast.user("township_lead", "A")).post(
        reassign_url(project), {"operator": cast.operators["B"].pk, "reason": "x"}
    )
    assert response.status_code == 200  # not a choice
    assert Project.objects.get(pk=project.pk).operator == cast.operators["A"]
    assert not AuditEntry.objects.filter(act="project.reassign_operator").exists()


def test_a_direct_subsidy_project_has_no_operator_to_reassign(cast):
    _driver, project = funded_project(
        cast, until="subsidy_agreements", mode=ImplementationMode.DIRECT_SUBSIDY
    )
    other = f.OperatorFactory(name="珠藏镇另一合作社", township=cast.regions["A"])
    response = cast.client(cast.user("township_lead", "A")).post(
        reassign_url(project), {"operator": other.pk, "reason": "x"}
    )
    assert response.status_code == 200
    assert "分散直补项目没有可更换的经营主体" in response.content.decode()
    assert Project.objects.get(pk=project.pk).operator is None
