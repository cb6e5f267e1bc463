from django.http import HttpResponse
from django.template.loader import render_to_string
from viewflow.workflow.exceptions import FlowLockFailed

from .exceptions import TaskUnavailable


class FlowLockMiddleware:
    """A task someone else is handling right now (lock held, already claimed or completed)
    answers 409 with a plain message, never a 500 or a bare 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed | TaskUnavailable):
            message = getattr(exception, "message", None) or TaskUnavailable.default_message
            body = render_to_string("workflow/busy.html", {"message": message}, request=request)
            return HttpResponse(body, status=409)
        return None
