from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process

from .exceptions import TaskUnavailable
from .inputs import fits_key


class FlowLockMiddleware:
    """A task someone else is handling right now (lock held, already claimed or completed)
    answers 409 with a plain message, never a 500 or a bare 403. On SQLite a writer that
    waited out the busy timeout ("database is locked") is the same contention: 409 too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # An id in the URL beyond any key the database holds is a 404 for every view,
        # viewflow's included (SQLite raised OverflowError on it inside the flow lock: a 500).
        if any(isinstance(v, int) and not fits_key(v) for v in [*view_args, *view_kwargs.values()]):
            raise Http404
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed | TaskUnavailable) or _database_busy(exception):
            message = getattr(exception, "message", None) or TaskUnavailable.default_message
            body = render_to_string("workflow/busy.html", {"message": message}, request=request)
            return HttpResponse(body, status=409)
        return None


class ProcessScopeMiddleware:
    """A flow's page about one process (its detail, chart, or any of its tasks' views) is a
    404 to whoever may not see that process, as the project page is: out of jurisdiction, a
    task's existence is not confirmed, whatever the task view would have answered (403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        process_pk = view_kwargs.get("process_pk")
        match = request.resolver_match
        if process_pk is None or match is None or match.namespaces[:2] != ["workflow", "flows"]:
            return None
        if not request.user.is_authenticated:
            return None  # the view sends the visitor to sign in
        process = Process.objects.filter(pk=process_pk).first()
        flow = process.flow_class.instance if process is not None else None
        if flow is None or not (
            flow.has_manage_permission(request.user, process)  # administrators
            or flow.has_view_permission(request.user, process)
        ):
            raise Http404
        # The view asks the same question again (viewflow's permission checks): answered.
        request.user._qiyue_process_seen = process.pk
        return None


def _database_busy(exception) -> bool:
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)
