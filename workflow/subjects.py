"""The small protocol by which a process names its project and region to the machinery.

The machinery imports no domain model. The flows it serves are named in
``settings.QIYUE_FLOWS`` (dotted paths, read with ``import_string``), and each flow
declares on its class (see :class:`workflow.scoping.JurisdictionFlowMixin`):

- ``subject_field``: the process field naming what the process is about (its project);
- ``region_field``: the lookup from the process to the Region it belongs to (a village:
  its parent is the township, whose parent is the county);
- ``visible_subjects(user)``: the subjects the user may see, a queryset;
- ``subject_url_name``: the URL name of a subject's page (it takes the subject's pk);
- ``conflicted_users(process)``: the users with a conflict of interest in the subject, never
  offered on its panels (a project's operator's staff), a queryset.

The subject itself is read for its ``pk`` and ``name`` only.
"""

from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string


@cache
def _flows(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def served_flows() -> tuple:
    """The flow classes the machinery serves (``settings.QIYUE_FLOWS``), in that order."""
    return _flows(tuple(settings.QIYUE_FLOWS))


def timed_nodes():
    """Every step of the served flows that declares a time limit, in viewflow's node order."""
    for flow_class in served_flows():
        for node in flow_class.instance.nodes():
            if getattr(node, "time_limit", None) is not None:
                yield node


def flow_of(process):
    return process.flow_class


def subject_of(process):
    """What the process is about (its project), or None."""
    process = process.coerced
    return getattr(process, flow_of(process).subject_field, None)


def subject_id_of(process):
    process = process.coerced
    return getattr(process, f"{flow_of(process).subject_field}_id", None)


def conflicted_users(process):
    """Users who may not judge what ``process`` is about, as its flow declares (a queryset)."""
    process = process.coerced
    return flow_of(process).instance.conflicted_users(process)


def region_of(process):
    """The Region the process belongs to (the project's village), or None."""
    value = process.coerced
    for name in flow_of(value).region_field.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def subject_model():
    """The model of what the served flows' processes are about (one for all of them, as the
    notifications' ``project`` names it)."""
    models = {
        flow_class.process_class._meta.get_field(flow_class.subject_field).related_model
        for flow_class in served_flows()
    }
    (model,) = models
    return model


def subject_url(subject) -> str:
    """The page of a subject (given as the subject or its pk), as the served flows name it."""
    (name,) = {flow_class.subject_url_name for flow_class in served_flows()}
    return reverse(name, args=[getattr(subject, "pk", subject)])


def subject_region(subject):
    """The Region a subject belongs to (a project's village), by the path the served flows
    declare from their process to it (``region_field`` below ``subject_field``)."""
    (path,) = {
        flow_class.region_field.removeprefix(f"{flow_class.subject_field}__")
        for flow_class in served_flows()
    }
    value = subject
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def task_lookup(flow_class, path: str) -> str:
    """A task queryset lookup reaching ``path`` on the flow's process (``"project"`` →
    ``"process__projectprocess__project"``)."""
    return f"process__{flow_class.process_class._meta.model_name}__{path}"


def region_related(suffix: str = "") -> list[str]:
    """``select_related`` lookups from a task to its process's region (``suffix``: e.g.
    ``"__parent"`` for the township too), for every served flow."""
    return [task_lookup(f, f"{f.region_field}{suffix}") for f in served_flows()]


def is_visible(user, process) -> bool:
    """May ``user`` see what ``process`` is about?"""
    flow_class = flow_of(process.coerced)
    subject_id = subject_id_of(process)
    visible = flow_class.instance.visible_subjects(user)
    return subject_id is not None and visible.filter(pk=subject_id).exists()


def attach_subjects(rows) -> None:
    """Set ``row.project`` on rows carrying a ``project_id`` (sign-offs, copies): one query."""
    found = subject_model()._default_manager.in_bulk({row.project_id for row in rows})
    for row in rows:
        row.project = found.get(row.project_id)
