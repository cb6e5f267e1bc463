"""Forms of the approval operations (workflow/operations/): who, and why.

Each form offers only the people the operation may name, labelled "姓名（角色·地区）":
transfer and delegate only colleagues holding the task's role at its region; signers and
carbon-copy recipients officials holding a role in the project's county; each panel seat
the holders of its body (operations.panel_candidates). Never the actor, never a superuser.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ground.audit import display_name

from .inputs import InputDiscipline
from .models import SignOff
from .operations import colleagues, panel_candidates, panel_seats, signer_candidates


def person_labels(users) -> dict[int, str]:
    """ "姓名（角色·地区）" for each user, by pk (English: "Name (role · region)"); several
    roles are joined with "、". Three queries for the whole list."""
    return _described(users)[0]


def _described(users):
    """Labels, and sort keys that list people by place: the county, then each township
    followed by its villages, people without a role last."""
    from permissions.jurisdiction import holdings

    users = list(users)
    held = holdings(u.pk for u in users)
    order = {
        u.pk: (held[u.pk][0].order if held.get(u.pk) else "~~", display_name(u)) for u in users
    }
    labels = {}
    for user in users:
        parts = "、".join(
            gettext("%(role)s · %(place)s") % {"role": h.role, "place": h.place}
            for h in held.get(user.pk, [])
        )
        if not parts:
            parts = gettext("outside member")
        labels[user.pk] = gettext("%(name)s (%(held)s)") % {
            "name": display_name(user),
            "held": parts,
        }
    return labels, order


class _ByPlace(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        users = list(self.queryset)
        self.field._labels, order = _described(users)
        for user in sorted(users, key=lambda u: order[u.pk]):
            yield self.choice(user)


class PersonChoiceField(forms.ModelChoiceField):
    """A person picker whose choices read "姓名（角色·地区）", listed by place."""

    iterator = _ByPlace

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self._labels = None

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj):
        if self._labels is None:
            self._labels = person_labels(self.queryset)
        return self._labels.get(obj.pk) or person_labels([obj])[obj.pk]


class PeopleChoiceField(PersonChoiceField, forms.ModelMultipleChoiceField):
    queryset = property(forms.ModelChoiceField._get_queryset, PersonChoiceField._set_queryset)


REASON = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class _OperationForm(InputDiscipline, forms.Form):
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
    to_user = PersonChoiceField(label=_("Transfer to"), queryset=None)

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
    signer = PersonChoiceField(label=_("Signer"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = signer_candidates(self.task, self.actor)


class PanelForm(_OperationForm):
    """会签: one picker per open seat of the panel; seat several members at once. Seats
    already taken are listed (``self.seated``) and not offered again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        taken = {
            s.seat: s
            for s in SignOff.objects.filter(task_id=self.task.pk, kind=SignOff.Kind.PANEL)
            .select_related("signer")
            .order_by("created")
        }
        self.seated = []
        for code, label in panel_seats(self.task):
            if code in taken:
                self.seated.append((label, taken[code]))
                continue
            self.fields[f"seat_{code}"] = PersonChoiceField(
                label=label,
                queryset=panel_candidates(self.task, code, self.actor),
                required=False,
                empty_label=_("— nobody —"),
            )
        self.fields["reason"] = reason
        self.seat_fields = [name for name in self.fields if name.startswith("seat_")]

    def clean(self):
        cleaned = super().clean()
        chosen = {
            name.removeprefix("seat_"): cleaned[name]
            for name in self.seat_fields
            if cleaned.get(name) is not None
        }
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose a member for at least one seat."))
        seen = {}
        for seat, member in chosen.items():
            if member.pk in seen:
                self.add_error(
                    f"seat_{seat}",
                    _("%(user)s already takes another seat.") % {"user": display_name(member)},
                )
            seen[member.pk] = seat
        cleaned["members"] = chosen
        return cleaned


class CarbonCopyForm(InputDiscipline, forms.Form):
    recipients = PeopleChoiceField(
        label=_("Recipients"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, task, actor, **kwargs):
        self.task, self.actor = task, actor
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = signer_candidates(task, actor)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write a note."))
        return note


class WithdrawForm(_OperationForm):
    pass


class SignForm(InputDiscipline, forms.Form):
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
