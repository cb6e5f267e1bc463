from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed


class FlowLockMiddleware:
    """A task someone else is handling right now answers 409 with a plain message, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed):
            message = _("This task is being handled by someone else. Please try again in a moment.")
            body = render_to_string("workflow/busy.html", {"message": message}, request=request)
            return HttpResponse(body, status=409)
        return None
