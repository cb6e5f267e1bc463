"""The county CA's signing keys on the admin site: the revocations, with the two acts a county
administrator needs there: revoke an organisation's key (with its reason), and issue a new key
to an organisation whose key was revoked. Both call the audited acts of documents/revocation.py;
the list itself is a record and cannot be edited or deleted."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import pki
from .models import KeyRevocation
from .revocation import RevocationError, reissue_org_key, revoke_org_key


class RevokeForm(forms.Form):
    org_code = forms.CharField(
        label=_("organisation code"),
        max_length=64,
        help_text=_("The unified social credit code or region code the key was issued to."),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReissueForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


def short_serial(serial: str):
    """A certificate serial (40 hex digits) as a list shows it: its head, the whole on hover."""
    if len(serial) <= 12:
        return serial
    return format_html('<span title="{}">{}…</span>', serial, serial[:12])


@admin.register(KeyRevocation)
class KeyRevocationAdmin(admin.ModelAdmin):
    list_display = ("org_name", "org_code", "revoked_key", "revoked_at", "reason", "replacement")
    search_fields = ("org_name", "org_code", "serial")
    readonly_fields = [field.name for field in KeyRevocation._meta.fields]

    class Media:
        css = {"all": ["documents/key-admin.css"]}

    @admin.display(description=_("certificate serial number"))
    def revoked_key(self, revocation):
        return short_serial(revocation.serial)

    @admin.display(description=_("new key"))
    def replacement(self, revocation):
        if revocation.new_serial:
            return short_serial(revocation.new_serial)
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:documents_keyrevocation_reissue", args=[revocation.pk]),
            gettext("Issue a new key"),
        )

    def has_change_permission(self, request, obj=None):
        return False  # a record: nothing on it is edited (the change page shows it read-only)

    def has_delete_permission(self, request, obj=None):
        return False

    def may_reissue(self, request) -> bool:
        """Issuing the new key takes the permission to change revocations (a superuser's)."""
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/reissue/", wrap(self.reissue_view), name="documents_keyrevocation_reissue"
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Adding a row is revoking a key: the form asks for the organisation and the reason."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                revocation = revoke_org_key(
                    request.user, form.cleaned_data["org_code"].strip(), form.cleaned_data["reason"]
                )
            except RevocationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    gettext(
                        "The signing key of %(organisation)s is revoked: it signs nothing any more."
                    )
                    % {"organisation": revocation.org_name},
                )
                return redirect("admin:documents_keyrevocation_changelist")
        return self._form_page(request, form, gettext("Revoke a signing key"))

    def reissue_view(self, request, pk):
        revocation = get_object_or_404(KeyRevocation, pk=pk)
        if not self.may_reissue(request):
            raise PermissionDenied
        form = ReissueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                key = reissue_org_key(
                    request.user, revocation.org_code, form.cleaned_data["reason"]
                )
            except RevocationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    gettext(
                        "%(organisation)s has a new signing key (certificate %(serial)s, valid "
                        "until %(date)s). Papers its revoked key could not sign are produced "
                        "again by the next sweep."
                    )
                    % {
                        "organisation": key.org_name,
                        "serial": format(key.certificate.serial_number, "x"),
                        "date": f"{key.not_after:%Y-%m-%d}",
                    },
                )
                return redirect("admin:documents_keyrevocation_changelist")
        title = gettext("Issue a new signing key to %(organisation)s") % {
            "organisation": revocation.org_name
        }
        current = (
            pki.get_org_key(revocation.org_code) if pki.has_org_key(revocation.org_code) else None
        )
        return self._form_page(request, form, title, revocation=revocation, current=current)

    def _form_page(self, request, form, title, **context):
        return TemplateResponse(
            request,
            "admin/documents/keyrevocation/act_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "form": form,
                **context,
            },
        )
