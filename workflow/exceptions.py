from django.utils.translation import gettext_lazy as _


class TaskUnavailable(Exception):
    """Someone else got there first: the task was claimed or completed meanwhile (HTTP 409)."""

    default_message = _("This task is being handled by someone else. Please try again in a moment.")

    def __init__(self, message=None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
