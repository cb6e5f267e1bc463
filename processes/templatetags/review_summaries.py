"""Task-page tags: what was submitted for the step, and the project in the side panel."""

from django import template

from processes import summaries

register = template.Library()


@register.inclusion_tag("processes/project/_summary.html", takes_context=True)
def review_summary(context, task=None):
    """The sections of ``processes.summaries`` for ``task``, by default the task being
    executed (a sign-off page may pass the task its signer is asked about)."""
    if task is None:
        activation = getattr(context.get("request"), "activation", None)
        if activation is None:
            return {"summary": None}
        process, node_name = activation.process, activation.flow_task.name
    else:
        process, node_name = task.process, task.flow_task.name
    if not hasattr(process, "project_id"):
        process = process.coerced
    return {"summary": summaries.summary_for(process, node_name)}


@register.inclusion_tag("processes/project/_panel.html")
def project_panel(process):
    """The side panel of a task page: the project, not viewflow's process fields."""
    if not hasattr(process, "project_id"):
        process = process.coerced
    return {"panel": summaries.panel_for(process), "process": process}
