"""Jurisdiction holds: an official outside a project's region sees nothing of it and can
do nothing to it — not its page, its process, its chart, its tasks or their actions."""

import re

import pytest
from viewflow.workflow.status import STATUS

from permissions.roles import REGION_ROLES, Level
from processes.flows import ProjectFlow
from processes.models import ImplementationMode

from .. import factories as f
from ..flowdriver import Driver


def outsiders(cast):
    """For every role, officials of that role who sit outside village A1 (township A)."""
    other_county = f.county("纳雍县")
    result = []
    for role in REGION_ROLES:
        if role.level == Level.COUNTY:
            result.append(
                (role.code, f.official(role, other_county, username=f"{role.code}_other_county"))
            )
        elif role.level == Level.TOWNSHIP:
            result.append((role.code, cast.user(role.code, "B")))
        else:
            result.append((role.code, cast.user(role.code, "A2")))
            result.append((role.code, cast.user(role.code, "B1")))
    result.append(("operator", cast.user("operator", "B")))
    return result


@pytest.fixture
def project(cast):
    """An equity-dividend project of village A1, waiting for the county poverty office."""
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until="county_review")
    return project


def project_urls(project):
    process = project.process
    flow = ProjectFlow.instance
    urls = {
        "project page": f"/projects/{project.pk}/",
        "process detail": flow.reverse("process_detail", args=[process.pk]),
        "process chart": flow.reverse("process_chart", args=[process.pk]),
        "process chart bpmn": flow.reverse("process_chart", args=[process.pk]) + "?format=bpmn",
    }
    for task in process.task_set.filter(flow_task_type="HUMAN"):
        node = task.flow_task
        for action in ("detail", "assign", "execute", "unassign", "cancel", "undo", "revive"):
            urls[f"{node.name} {action} #{task.pk}"] = node.reverse(
                action, args=[process.pk, task.pk]
            )
    return urls


def test_every_role_outside_the_region_gets_404_on_the_project_its_tasks_and_actions(cast, project):
    urls = project_urls(project)
    open_task = Driver(cast).open_task(project)
    for role_code, outsider in outsiders(cast):
        client = cast.client(outsider)
        for label, url in urls.items():
            for method in ("get", "post") if " " in label and "#" in label else ("get",):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (
                    role_code,
                    outsider.username,
                    label,
                    method,
                    response.status_code,
                )
        open_task.refresh_from_db()
        assert open_task.status == STATUS.NEW and open_task.owner is None  # nothing happened


FLOW_PAGES = [
    "/projects/",
    "/workflow/inbox/",
    "/workflow/queue/",
    "/workflow/archive/",
    "flow:index",
    "flow:process_list",
    "flow:task_list",
    "flow:chart",
    "flow:chart?format=bpmn",
]


def render_pages(client):
    flow = ProjectFlow.instance
    pages = {}
    for page in FLOW_PAGES:
        url = page
        if page.startswith("flow:"):
            name, _, query = page[5:].partition("?")
            url = flow.reverse(name) + (f"?{query}" if query else "")
        response = client.get(url, follow=True)
        body = response.content.decode()
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        body = re.sub(r'csrf[_-]?token["\']?\s*[:=]\s*["\'][^"\']+["\']', "", body, flags=re.I)
        pages[page] = (response.status_code, body)
    return pages


def test_outsiders_pages_are_the_same_before_and_after_the_project_exists(cast):
    """Every flow-wide page (lists, queue, inbox, archive, dashboard, process and task lists,
    charts, BPMN export), as seen by an outsider of every role, is byte for byte what it was
    before the project existed: no name, no id, no count."""
    people = outsiders(cast)
    before = {user.username: render_pages(cast.client(user)) for _role, user in people}
    insider = cast.client(cast.user("county_poverty_office"))
    insider_before = render_pages(insider)

    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until="county_review")

    # The control: the county poverty office, whose task it now is, does see a change.
    insider_after = render_pages(insider)
    for page in ("/projects/", "/workflow/queue/", "flow:process_list", "flow:task_list"):
        assert insider_after[page] != insider_before[page], page
        assert project.name in insider_after[page][1], page

    for role_code, user in people:
        after = render_pages(cast.client(user))
        for page, (status, body) in after.items():
            assert status in (200, 403, 404), (role_code, page, status)
            assert (status, body) == before[user.username][page], (role_code, user.username, page)
            assert project.name not in body


def test_insiders_of_the_right_role_do_see_the_project(cast, project):
    """The control for the two tests above: the same pages open for the county poverty office."""
    client = cast.client(cast.user("county_poverty_office"))
    assert client.get(f"/projects/{project.pk}/").status_code == 200
    assert (
        client.get(
            ProjectFlow.instance.reverse("process_chart", args=[project.process.pk])
        ).status_code
        == 200
    )
    assert project.name in client.get("/workflow/queue/").content.decode()
    for key in ("A", "A1"):
        for role in REGION_ROLES:
            if role.level == ("township" if key == "A" else "village"):
                page = cast.client(cast.user(role.code, key)).get(f"/projects/{project.pk}/")
                assert page.status_code == 200, (role.code, key)


def test_a_village_official_cannot_claim_or_complete_a_county_task(cast, project):
    secretary = cast.user("village_secretary", "A1")  # inside the project's region
    client = cast.client(secretary)
    task = Driver(cast).open_task(project)
    assert task.flow_task.name == "county_review"

    assert (
        client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk])).status_code
        == 403
    )
    execute = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
    assert client.post(execute, {"decision": "approve", "reason": "同意"}).status_code == 403
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    # The village official may still read the project of their own village.
    assert client.get(f"/projects/{project.pk}/").status_code == 200


def test_a_township_official_cannot_take_a_task_of_the_same_role_in_another_township(cast, project):
    driver = Driver(cast, "A1")
    other = driver.start(name="第二个项目")
    task = driver.open_task(other)  # application of village A1
    driver.step(other, "application")
    task = driver.open_task(other)
    assert task.flow_task.name == "township_review"
    station_b = cast.client(cast.user("township_work_station", "B"))
    assert (
        station_b.post(
            task.flow_task.reverse("assign", args=[task.process_id, task.pk])
        ).status_code
        == 404
    )
    assert other.name not in station_b.get("/workflow/queue/").content.decode()


def test_a_project_can_be_opened_to_one_outside_official_and_only_that_project(cast, project):
    from ground.models import AuditEntry
    from permissions import actions as grants

    expert = f.UserFactory(username="expert")  # no role anywhere, e.g. an agronomist on a panel
    other = Driver(cast, "A1").start(name="另一个项目")
    client = cast.client(expert)
    assert client.get(f"/projects/{project.pk}/").status_code in (403, 404)

    grants.open_project_to(cast.user("county_poverty_office"), expert, project, reason="验收专家")

    assert client.get(f"/projects/{project.pk}/").status_code == 200
    assert client.get(f"/projects/{other.pk}/").status_code == 404
    listing = client.get("/projects/").content.decode()
    assert project.name in listing and other.name not in listing
    task = Driver(cast).open_task(project)
    assert (
        client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk])).status_code
        == 403
    )
    assert AuditEntry.objects.filter(
        act="project.open", project_id=project.pk, reason="验收专家"
    ).exists()

    grants.close_project_to(cast.user("county_poverty_office"), expert, project)
    assert client.get(f"/projects/{project.pk}/").status_code in (403, 404)
