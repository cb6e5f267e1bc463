"""Stage 9: implementation (实施), the operator's progress reports and their supervision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..acts import implementation
from .base import TEXT, ReviewForm, TaskForm

# --- 9 实施 implementation ------------------------------------------------------------


class ProgressReportForm(TaskForm):
    withdrawable = False  # it appends a record or moves its status on

    percent_complete = forms.IntegerField(label=_("Percent complete"), min_value=0, max_value=100)
    description = forms.CharField(label=_("Progress and quality"), **TEXT)

    def apply(self):
        return implementation.report_progress(
            self.user,
            self.process.project,
            self.cleaned_data["percent_complete"],
            self.cleaned_data["description"],
        )


class SupervisionForm(ReviewForm):
    """The township inspects each report: accept it, or send it back to be redone."""
