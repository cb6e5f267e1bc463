"""Downloading papers (within jurisdiction) and verifying them (public)."""

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .models import Document, DocumentVersion
from .verification import check


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


MAX_UPLOAD = 50 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone, logged in or not, may check a file."""
    verdict = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is too large to be one of our documents."))
        else:
            verdict = check(upload.read())
    return render(request, "documents/verify.html", {"form": form, "verdict": verdict}, status=200)


def verify_number(request, number):
    """Where a document's QR code points: what the system holds for that number."""
    document = get_object_or_404(Document, number=number)
    versions = document.versions.filter(status=DocumentVersion.Status.READY).order_by("number")
    edition = document.edition
    printed = request.GET.get("h", "")
    matched = next(
        (e for e in document.editions.all() if printed and e.content_hash.startswith(printed)), None
    )
    shown = matched or edition
    return render(
        request,
        "documents/verify_number.html",
        {
            "document": document,
            "versions": versions,
            "signatures": shown.signatures.order_by("order") if shown else [],
            "printed_hash": printed,
            "matched": matched,
            "current": matched is not None and matched == edition,
            "form": VerifyForm(),
        },
    )


def download_combined(request, pk):
    """The combined print file of a batch, within jurisdiction only."""
    from processes.models import Project

    from .models import Batch
    from .production import batch_label

    if not request.user.is_authenticated:
        raise Http404
    batch = get_object_or_404(
        Batch.objects.filter(project__in=Project.objects.visible_to(request.user)).exclude(
            combined=""
        ),
        pk=pk,
    )
    return FileResponse(
        batch.combined.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{batch_label(batch).replace(' · ', '-')}.pdf",
    )
