"""The machinery names a task's subject only through what the flows declare (workflow/subjects.py)."""

from django.contrib.auth import get_user_model
from django.template import Context, Template

from permissions.actions import grant_role
from permissions.roles import COUNTY_FINANCE_BUREAU
from processes.flows import ProjectFlow
from processes.models import ImplementationMode, Project, ProjectProcess
from workflow.models import Notification
from workflow.operations import panel_candidates
from workflow.subjects import conflicted_users, subject_model, subject_region

from ..flowdriver import Driver

User = get_user_model()


def test_a_notifications_subject_is_the_model_the_served_flows_are_about():
    assert Notification._meta.get_field("project").related_model is subject_model()


def test_a_subjects_place_is_its_region_by_the_flows_declared_path(cast):
    project = Driver(cast, "A1").start(name="乐丰村竹荪项目")
    assert subject_region(project) == cast.regions["A1"]
    rendered = Template("{% load qiyue %}{{ project|subject_place }}").render(
        Context({"project": project})
    )
    assert rendered == cast.regions["A1"].full_name == "织金县/珠藏镇/乐丰村"
    assert Template("{% load qiyue %}[{{ none|subject_place }}]").render(Context({})) == "[]"


def test_a_project_flow_names_its_operators_staff_as_conflicted_and_nobody_without_operator(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND)
    coop_staff = cast.user("operator", "A")
    assert set(conflicted_users(project.process)) == {coop_staff}

    Project.objects.filter(pk=project.pk).update(operator=None)
    process = ProjectProcess.objects.get(pk=project.process.pk)
    assert not conflicted_users(process).exists()


def test_the_panel_leaves_out_whoever_the_flow_declares_conflicted_and_only_them(cast, monkeypatch):
    """The machinery asks the flow; it reads no ``operator`` of its own."""
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00")
    driver.run(project, until="county_acceptance")
    task = driver.open_task(project)
    office = cast.user("county_poverty_office", "county")
    finance = cast.user("county_finance_bureau", "county")
    coop_staff = cast.user("operator", "A")
    grant_role(None, coop_staff, COUNTY_FINANCE_BUREAU, cast.county)

    assert set(panel_candidates(task, "finance", office)) == {finance}

    monkeypatch.setattr(
        ProjectFlow, "conflicted_users", lambda self, process: User.objects.filter(pk=finance.pk)
    )
    assert set(panel_candidates(task, "finance", office)) == {coop_staff}
