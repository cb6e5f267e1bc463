"""What officials see of a project: its stage, who holds it, its history and its chart."""

import re

from processes.flows import ProjectFlow

from ..flowdriver import Driver


def node_class(svg: str, node: str) -> str | None:
    match = re.search(rf'<g id="{node}"[^>]*?(?:class="([a-z]+)")?>', svg)
    return match.group(1) if match else None


def test_chart_highlights_the_step_a_project_was_sent_back_to(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="township_review")
    driver.step(project, "township_review", decision="back", reason="补充受益户名单")

    client = cast.client(cast.user("village_secretary", "A1"))
    svg = client.get(
        ProjectFlow.instance.reverse("process_chart", args=[project.process.pk])
    ).content.decode()

    # The application was done once, but its newest task is open again: it must show as current.
    assert node_class(svg, "application") == "assigned"
    assert node_class(svg, "township_review") == "done"
    assert node_class(svg, "public_notice") is None


def test_project_page_shows_stage_holder_five_ones_and_history(cast):
    driver = Driver(cast, "A1")
    project = driver.start(name="乐丰村竹荪种植项目")
    driver.run(project, until="county_review")
    lead = cast.user("township_lead", "A")

    page = cast.client(lead).get(f"/projects/{project.pk}/").content.decode()

    assert "乐丰村竹荪种植项目" in page
    assert lead.get_full_name() in page  # the responsible leader set at township review
    assert "乡扶贫工作站" in page  # the working team
    assert "织金县" in page  # the open task waits for the county poverty office of 织金县
    history = re.findall(r"<tr><td>\d{4}-\d\d-\d\d \d\d:\d\d</td><td>([^<]*)</td>", page)
    assert history[0] == cast.user("village_secretary", "A1").get_full_name()
    assert cast.user("township_work_station", "A").get_full_name() in history
    assert cast.user("county_poverty_office").get_full_name() not in history  # has not acted yet


def test_project_list_shows_only_projects_of_the_jurisdiction_with_their_stage(cast):
    a = Driver(cast, "A1").start(name="A村项目")
    b = Driver(cast, "B1").start(name="B村项目")
    del a, b
    page = cast.client(cast.user("township_lead", "A")).get("/projects/").content.decode()
    assert "A村项目" in page and "B村项目" not in page
    county_page = cast.client(cast.user("county_discipline")).get("/projects/").content.decode()
    assert "A村项目" in county_page and "B村项目" in county_page


def test_only_officials_who_may_start_a_project_see_the_start_button(cast):
    start = ProjectFlow.start.reverse("execute")
    secretary = (
        cast.client(cast.user("village_secretary", "A1")).get("/workflow/queue/").content.decode()
    )
    assert start in secretary
    county = (
        cast.client(cast.user("county_poverty_office")).get("/workflow/queue/").content.decode()
    )
    assert start not in county and "vf-dialog__trigger" not in county
    assert cast.client(cast.user("county_poverty_office")).get(start).status_code == 403


def test_every_audited_act_on_a_project_has_a_readable_name_in_its_history():
    """Each act the code records against a project shows as words, not as its code."""
    from ground.acts import Act
    from processes.views import ACT_LABELS

    acts = {
        act
        for act in Act
        if act.split(".")[0] in ("task", "process", "project", "asset", "deadline")
    }
    assert len(acts) > 20 and acts - set(ACT_LABELS) == set()
