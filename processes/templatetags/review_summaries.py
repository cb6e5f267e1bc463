"""Task-page tags: what was submitted for the step, and the project in the side panel."""

from django import template

from processes import summaries

register = template.Library()


@register.inclusion_tag("processes/project/_summary.html", takes_context=True)
def review_summary(context):
    """The sections of ``processes.summaries`` for the task being executed."""
    activation = getattr(context.get("request"), "activation", None)
    if activation is None:
        return {"summary": None}
    return {"summary": summaries.summary_for(activation.process, activation.flow_task.name)}


@register.inclusion_tag("processes/project/_panel.html")
def project_panel(process):
    """The side panel of a task page: the project, not viewflow's process fields."""
    return {"panel": summaries.panel_for(process), "process": process}
