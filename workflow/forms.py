"""Base forms for task pages.

A task form knows its process, task and user, validates the stage's input, and
``apply()`` writes it, returning ``(before, after)`` for the audit entry. The act itself
(``workflow.actions.complete_task``) runs ``apply`` and the transition in one transaction.
"""

from django import forms
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.nodes import If

from ground.audit import display_name, jsonable

from .inputs import InputDiscipline

APPROVE, BACK = "approve", "back"


def send_back_target(flow_task):
    """The node a review sends work back to: the ``Else`` branch of the gate after it."""
    gate = getattr(flow_task, "_next", None)
    return gate._on_false if isinstance(gate, If) else None


class TaskForm(InputDiscipline, forms.Form):
    # 撤回: a step may be taken back and done again when doing it again simply overwrites
    # what it wrote. A form that appends records (reports, acceptance conclusions, payouts)
    # or moves their status on sets this False: such work is sent back by the next official.
    withdrawable = True

    def __init__(self, *args, process, task, user, **kwargs):
        self.process, self.task, self.user = process, task, user
        super().__init__(*args, **kwargs)

    def apply(self) -> tuple[dict, dict]:
        raise NotImplementedError


class ModelTaskForm(InputDiscipline, forms.ModelForm):
    """A task form that edits a model instance; ``get_instance`` picks which."""

    withdrawable = True  # doing it again edits the same instance (see TaskForm)

    def __init__(self, *args, process, task, user, **kwargs):
        self.process, self.task, self.user = process, task, user
        super().__init__(*args, instance=self.get_instance(), **kwargs)
        # Taken now: validation copies the posted values onto the instance.
        self.before = self.snapshot() if self.instance.pk else {}

    def get_instance(self):
        raise NotImplementedError

    def snapshot(self) -> dict:
        return jsonable(model_to_dict(self.instance, fields=list(self._meta.fields)))

    def apply(self) -> tuple[dict, dict]:
        before = self.before
        self.save()
        return before, self.snapshot()


class ReviewForm(TaskForm):
    """Approve (通过) or send back (退回) with a reason. Subclasses add the stage's own fields,
    required only on approval, and write them in ``apply_approval``."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (BACK, _("Send back"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Opinion / reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    approval_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.back_to = send_back_target(self.task.flow_task)
        if self.back_to is None:
            self.fields["decision"].choices = [(APPROVE, _("Approve"))]
        else:
            self.fields["decision"].help_text = _(
                "Sending back returns the work to “%(step)s”."
            ) % {"step": self.back_to.task_title}
        for name in self.approval_fields:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == BACK and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for sending it back."))
        if decision == APPROVE:
            for name in self.approval_fields:
                if cleaned.get(name) in (None, "", []):
                    self.add_error(name, _("This field is required to approve."))
            if not self.errors:
                self.clean_approval(cleaned)
        return cleaned

    def clean_approval(self, cleaned) -> None:
        """Check the stage's business rules on approval; raise ValidationError."""

    def apply_approval(self) -> tuple[dict, dict]:
        """Write the stage's data on approval; return (before, after)."""
        return {}, {}

    def apply(self) -> tuple[dict, dict]:
        process = self.process
        before = {"decision": process.decision}
        process.decision = self.cleaned_data["decision"]
        process.decision_reason = self.cleaned_data["reason"]
        process.decided_by = display_name(self.user)
        process.decided_at = timezone.now()
        process.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        after = {"decision": self.cleaned_data["decision"]}
        if self.cleaned_data["decision"] == BACK:
            after["send_back_to"] = self.back_to.name
            return before, after
        data_before, data_after = self.apply_approval()
        return {**before, **data_before}, {**after, **data_after}
