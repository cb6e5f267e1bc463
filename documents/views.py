"""Downloading papers (within jurisdiction) and verifying them (public)."""

import hmac
import re

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .models import Document, DocumentVersion
from .parsing import Unreadable
from .verification import check, county_root_name


def download(request, pk):
    """A produced PDF, to those who may see its project; 404 to everyone else."""
    if not request.user.is_authenticated:
        raise Http404
    version = get_object_or_404(
        DocumentVersion.objects.filter(
            document__in=Document.objects.visible_to(request.user),
            status=DocumentVersion.Status.READY,
        ).select_related("document"),
        pk=pk,
    )
    return FileResponse(
        version.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("inline") != "1",
        filename=f"{version.document.title}-v{version.number}.pdf",
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("PDF file"))


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone, logged in or not, may check a file. One the reader cannot open within its
    limits (documents/parsing.py) answers 422 with the reason."""
    verdict = None
    status = 200
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.QIYUE_MAX_REQUEST_BYTES:
            form.add_error("file", _("The file is too large to be one of our documents."))
            status = 413
        else:
            try:
                verdict = check(upload.read())
            except Unreadable as error:
                form.add_error("file", str(error))
                status = 422
    return render(
        request,
        "documents/verify.html",
        {
            "form": form,
            "verdict": verdict,
            "trust_anchor": county_root_name() if verdict and verdict.signatures else "",
        },
        status=status,
    )


_HASH = re.compile(r"[0-9a-f]{64}")


def verify_number(request, number):
    """Where a document's QR code points: the number and the full hash of what the paper
    prints. Only both together, the hash matched whole, show anything; an unknown number, a
    missing, short or wrong hash all get the same "not found" page."""
    printed = request.GET.get("h", "").strip().lower()
    document = Document.objects.filter(number=number).first()
    editions = list(document.editions.all()) if document else []
    matched = None
    if _HASH.fullmatch(printed):
        for edition in editions:  # every edition compared, in constant time each
            if hmac.compare_digest(edition.content_hash, printed):
                matched = edition
    if matched is None:
        return render(
            request, "documents/verify_not_found.html", {"form": VerifyForm()}, status=404
        )
    versions = document.versions.filter(status=DocumentVersion.Status.READY).order_by("number")
    return render(
        request,
        "documents/verify_number.html",
        {
            "document": document,
            "versions": versions,
            "signatures": matched.signatures.order_by("order"),
            "matched": matched,
            "current": matched == editions[-1],
            "form": VerifyForm(),
        },
    )


def download_combined(request, pk):
    """The combined print file of a batch, within jurisdiction only."""
    from .models import Batch, visible_projects
    from .production import batch_label

    if not request.user.is_authenticated:
        raise Http404
    batch = get_object_or_404(
        Batch.objects.filter(project__in=visible_projects(request.user)).exclude(combined=""),
        pk=pk,
    )
    return FileResponse(
        batch.combined.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{batch_label(batch).replace(' · ', '-')}.pdf",
    )


def _require_superuser(request) -> None:
    """Template previews are for the administrators who maintain the papers; 404 to others."""
    if not (request.user.is_authenticated and request.user.is_superuser):
        raise Http404


def _kind(kind: str) -> str:
    from .models import DocumentKind

    if kind not in DocumentKind.values:
        raise Http404
    return kind


@require_http_methods(["GET"])
def preview_index(request):
    """Every kind of paper, each linking to its variables and its sample."""
    from .models import DocumentKind

    _require_superuser(request)
    return render(request, "documents/preview_index.html", {"kinds": DocumentKind.choices})


@require_http_methods(["GET"])
def preview_kind(request, kind):
    """A kind's registered variables, each with its label and sample value, per branch."""
    from .models import DocumentKind
    from .preview import VARIABLES
    from .preview_words import BRANCH_LABELS, variable_rows

    _require_superuser(request)
    kind = _kind(kind)
    branches = [(BRANCH_LABELS[b], variable_rows(kind, b)) for b in VARIABLES[kind]]
    context = {"kind": kind, "kind_label": DocumentKind(kind).label, "branches": branches}
    return render(request, "documents/preview_kind.html", context)


@require_http_methods(["GET"])
def preview_pdf(request, kind):
    """The kind's paper rendered from its sample, unsigned."""
    from django.http import HttpResponse

    from .preview import render_sample_pdf

    _require_superuser(request)
    pdf = render_sample_pdf(_kind(kind))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sample-{kind}.pdf"'
    return response


def county_crl(request):
    """The county CA's certificate revocation list, for any reader (DER, RFC 5280)."""
    from django.http import HttpResponse

    from . import crl

    der = crl.current_der()
    if der is None:
        raise Http404
    response = HttpResponse(der, content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=3600"
    return response
