"""The machinery names a task's subject only through what the flows declare (workflow/subjects.py)."""

from django.template import Context, Template

from workflow.models import Notification
from workflow.subjects import subject_model, subject_region

from ..flowdriver import Driver


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
