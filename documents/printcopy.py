"""A batch's combined print file that stays honest: one file, one intact signature.

Merging signed PDFs breaks every signature in them (each ``/ByteRange`` covered a file that
no longer exists), and Foxit or Acrobat, which county offices use, would show each one as
altered. So the merged file keeps the pages as they were rendered (the seals and signature
blocks are drawn in the page content) but none of the originals' signature fields, and is
then signed whole, as one more incremental update, by the organisation that signed the
originals: the print copy is itself a valid signed document. Its signature's reason and the
file's subject name the signed originals by their numbers.
"""

import io

from django.utils.translation import gettext as _
from pypdf import PdfWriter
from pypdf.generic import NameObject

from . import signing

FIELD_NAME = "print-copy"


def merge_without_signatures(files: list[bytes]) -> PdfWriter:
    """The pages of ``files`` in order, without their signature fields and widgets."""
    combined = PdfWriter()
    for data in files:
        combined.append(io.BytesIO(data))
    for page in combined.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = [a for a in annots.get_object() if not _is_signature(a.get_object())]
        if kept:
            page[NameObject("/Annots")] = type(annots.get_object())(kept)
        else:
            del page["/Annots"]
    if "/AcroForm" in combined._root_object:
        del combined._root_object["/AcroForm"]
    combined.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    return combined


def _is_signature(annot) -> bool:
    field = annot.get("/Parent", annot)
    field = field.get_object() if field is not None else annot
    return annot.get("/Subtype") == "/Widget" and (
        annot.get("/FT") == "/Sig" or field.get("/FT") == "/Sig"
    )


def originals_line(numbers: list[str]) -> str:
    """What the print copy says of its signed originals (the file's /Subject)."""
    return _("Print copy. The signed originals are the individual documents no. %(numbers)s.") % {
        "numbers": "、".join(numbers)
    }


def combine(files: list[bytes], *, title: str, numbers: list[str], signer, signed_at) -> bytes:
    """Merge ``files``, drop their signatures, sign the whole by ``signer`` (a
    :class:`~documents.models.Signature` the originals carry: its organisation's key)."""
    combined = merge_without_signatures(files)
    combined.add_metadata({"/Title": title, "/Subject": originals_line(numbers)})
    out = io.BytesIO()
    combined.write(out)
    pdf = out.getvalue()
    if signer is None:  # papers nobody signed digitally: nothing to keep honest
        return pdf
    if numbers:
        span = numbers[0] if len(numbers) == 1 else f"{numbers[0]} – {numbers[-1]}"
    else:
        span = ""
    return signing.sign_pdf(
        pdf,
        org_code=signer.organisation_code,
        field_name=FIELD_NAME,
        signer_name=signer.signer_name,
        role=signer.role,
        reason=_("Combined print copy of %(count)s signed originals (%(span)s)")
        % {"count": len(numbers), "span": span},
        signed_at=signed_at,
    )
