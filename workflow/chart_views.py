"""Flow charts: readable in Chinese, coloured by each step's latest task, and a process's
chart only within the user's jurisdiction."""

import re
import unicodedata

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import pgettext
from django.views import generic
from viewflow.workflow import chart
from viewflow.workflow.flow.views.chart import FlowChartView

from .subjects import subject_of, subject_url


def _display_width(text: str) -> int:
    """Width in half-width units: a CJK character is as wide as two Latin letters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


CHART_FONT_SIZE = 14


def wrap_title(title: str, width: int = 20) -> list[str]:
    """A chart box holds about 10 CJK characters a line at 14 px (viewflow wraps at 20
    characters whatever their width, so longer Chinese titles overflow, VIEWFLOW-NOTES §6.3)."""
    lines, line = [], ""
    for token in re.findall(r"[^\s\u2e80-\uffff]+|\s+|\S", title):
        if token.isspace():
            line += " " if line else ""
        elif line and _display_width(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def readable_chart(grid) -> None:
    """Chart text in the UI language: titles wrapped to their boxes, gate edges 是/否."""
    edge_labels = {
        "yes": pgettext("flow chart gate edge", "yes"),
        "no": pgettext("flow chart gate edge", "no"),
    }
    for edge in grid.edges:
        if edge.label in edge_labels:
            edge.label = edge_labels[edge.label]
        if edge.label_pos:  # clear of the arrow it names (a CJK glyph is taller than "yes")
            edge.label_pos = (edge.label_pos[0], edge.label_pos[1] - 4)
    for cell in grid.cells:
        texts = cell.shape.text
        if not texts or texts[0][1] != "align-middle":
            continue
        _text, css, _size, x, _y = texts[0]
        font_size = CHART_FONT_SIZE
        lines = wrap_title(force_str(cell.node.task_title or cell.node.name))
        top = int((cell.shape.height - (len(lines) - 1) * font_size * 1.2) / 2)
        texts[:] = [
            (line, css, font_size, x, top + n * font_size * 1.2) for n, line in enumerate(lines)
        ]


class ScopedChartView(FlowChartView):
    """The flow chart is public to the flow's users; a process chart only within jurisdiction."""

    def get(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        grid = chart.calc_layout_data(self.flow_class)
        readable_chart(grid)
        if process_pk is not None:
            calc_current_status(self.flow_class, grid, process_pk)
        if request.GET.get("format") == "bpmn":
            filename = self.flow_class.instance.flow_label.replace("/", "_")
            response = HttpResponse(chart.grid_to_bpmn(grid), content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="{filename}.bpmn"'
            return response
        return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")

    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is not None:
            flow = self.flow_class.instance
            if not flow.visible_processes(request.user).filter(pk=process_pk).exists():
                raise Http404
        elif not self.flow_class.instance.has_view_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ProcessChartPageView(generic.TemplateView):
    """A process's chart at a readable size inside the site, with the way back to its project."""

    flow_class = None
    viewset = None
    template_name = "workflow/chart_page.html"

    def dispatch(self, request, *args, **kwargs):
        flow = self.flow_class.instance
        self.process = flow.visible_processes(request.user).filter(pk=kwargs["process_pk"]).first()
        if self.process is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        project = subject_of(self.process)
        return super().get_context_data(
            project=project,
            back_url=subject_url(project),
            svg_url=self.flow_class.instance.reverse("process_chart", args=[self.process.pk]),
            **kwargs,
        )


def calc_current_status(flow_class, grid, process_pk) -> None:
    """Colour each node by its *latest* task, so a step sent back shows as current again
    (stock viewflow keeps the older "done" colour, VIEWFLOW-NOTES §6.3)."""
    tasks = flow_class.task_class._default_manager.filter(process_id=process_pk).order_by(
        "created", "pk"
    )
    latest = {}
    for task in tasks:
        latest[task.flow_task] = task.status
    for node in grid.nodes:
        if node in latest:
            grid[node].status = latest[node]
