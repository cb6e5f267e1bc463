"""Forms of the approval operations (workflow/operations.py): who, and why.

Each form offers only the officials the operation may name: transfer and delegate only
colleagues holding the task's role at its region; signers, panel members and
carbon-copy recipients any active official (outside the jurisdiction they get the
project opened to them, audited).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .audit import display_name
from .models import SignOff
from .operations import colleagues


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = display_name(obj)
        return f"{name}（{obj.get_username()}）" if name != obj.get_username() else name


class OfficialsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return OfficialChoiceField.label_from_instance(self, obj)


def _officials(actor):
    return get_user_model().objects.filter(is_active=True).exclude(pk=actor.pk).order_by("username")


REASON = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class _OperationForm(forms.Form):
    reason = REASON

    def __init__(self, *args, task, actor, **kwargs):
        self.task, self.actor = task, actor
        super().__init__(*args, **kwargs)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class TransferForm(_OperationForm):
    to_user = OfficialChoiceField(label=_("Transfer to"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues(self.task, self.actor)
        self.fields["to_user"].help_text = _(
            "Only officials holding this task's role at its region."
        )


class DelegateForm(TransferForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].label = _("Delegate to")


class AddSignerForm(_OperationForm):
    signer = OfficialChoiceField(label=_("Signer"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = _officials(self.actor)


class PanelMemberForm(_OperationForm):
    seat = forms.ChoiceField(label=_("Seat"))
    signer = OfficialChoiceField(label=_("Panel member"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = list(getattr(self.task.flow_task, "countersign_seats", ()))
        self.fields["signer"].queryset = _officials(self.actor)


class CarbonCopyForm(forms.Form):
    recipients = OfficialsChoiceField(label=_("Recipients"), queryset=None)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, task, actor, **kwargs):
        self.task, self.actor = task, actor
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = _officials(actor)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write a note."))
        return note


class WithdrawForm(_OperationForm):
    pass


class SignForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(SignOff.Decision.AGREE, _("Agree")), (SignOff.Decision.REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == SignOff.Decision.REJECT
            and not (cleaned.get("opinion") or "").strip()
        ):
            self.add_error("opinion", _("Give the reason for rejecting."))
        return cleaned
