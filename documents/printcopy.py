"""A batch's combined print file that stays honest: one file, one intact signature.

Merging signed PDFs breaks every signature in them (each ``/ByteRange`` covered a file that
no longer exists), and Foxit or Acrobat, which county offices use, would show each one as
altered. So the merged file keeps the pages as they were rendered (the seals and signature
blocks are drawn in the page content) but none of the originals' signature fields, and is
then signed whole, as one more incremental update, by the organisation that signed the
originals: the print copy is itself a valid signed document. Its signature's reason and the
file's subject name the signed originals by their numbers.

The copy of a 1,000-household batch is some 70 MB: it is merged and signed through files in
a scratch directory, never whole in memory, and the originals are read one at a time.
"""

import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

import pikepdf
from django.utils.translation import gettext as _

from . import signing

FIELD_NAME = "print-copy"


def merge_without_signatures(files: Iterable[bytes], into: Path, *, title: str, subject: str):
    """Write to ``into`` the pages of ``files`` in order, without their signature fields and
    widgets, as one file with ``title`` and ``subject``.

    The originals are read one at a time (qpdf, through pikepdf) and their pages' objects
    written out at once under new numbers (:class:`_StreamingMerge`): the copy of a
    1,000-household batch takes the memory of one paper. qpdf's own page copying kept every
    copied object in memory until the whole was saved, 0.45 MB a household agreement (pypdf
    more, and 24 ms a paper against 2.6). Only what the pages use is copied: not the
    originals' catalogues (their /AcroForm, their /DSS), not the signature widgets, and so
    none of their signature dictionaries."""
    with open(into, "wb") as out:
        merge = _StreamingMerge(out)
        for data in files:
            with pikepdf.open(io.BytesIO(data)) as source:
                merge.add_pages(source)
        merge.finish(title=title, subject=subject)


class _StreamingMerge:
    """A PDF written as it is assembled: a header, each original's objects as they come
    (renumbered), then the page tree, the catalogue, the information dictionary and a
    classic cross-reference table."""

    def __init__(self, out):
        self.out = out
        self.offsets = {}
        self.count = 0
        self.kids = []
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.pages = self._number()

    def _write(self, data: bytes) -> None:
        self.out.write(data)

    def _number(self) -> int:
        self.count += 1
        return self.count

    def _object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.out.tell()
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def add_pages(self, source) -> None:
        numbers = {}  # the original's (object, generation) -> number here
        queue = []

        def ref(obj) -> bytes:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") in ("/Pages", "/Catalog"):
                return b"null"  # nothing above the pages
            key = obj.objgen
            if key not in numbers:
                numbers[key] = self._number()
                queue.append(obj)
            return b"%d 0 R" % numbers[key]

        def value(obj, top=False) -> bytes:
            if not isinstance(obj, pikepdf.Object):
                return _scalar(obj)
            if obj.is_indirect and not top:
                return ref(obj)
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
                text = obj.unparse(resolved=True)
                if b"R" not in text:  # no reference in it (a font's widths, a box)
                    return text
                if isinstance(obj, pikepdf.Array):
                    return b"[" + b" ".join(value(item) for item in obj) + b"]"
                return _dictionary((key, value(item)) for key, item in obj.items())
            return obj.unparse(resolved=True)

        # qpdf's page list has pushed what a page inherits (/Resources, /MediaBox) onto it,
        # so the page dictionaries stand on their own under the new page tree.
        pages = [page.obj for page in source.pages]
        for obj in pages:  # a link or widget naming its page finds it here
            numbers[obj.objgen] = self._number()
        for obj in pages:
            entries = [(k, value(v)) for k, v in obj.items() if k not in ("/Parent", "/Annots")]
            annots = [a for a in obj.get("/Annots", ()) if not _is_signature(a)]
            if annots:
                entries.append(("/Annots", b"[" + b" ".join(value(a) for a in annots) + b"]"))
            entries.append(("/Parent", b"%d 0 R" % self.pages))
            self.kids.append(numbers[obj.objgen])
            self._object(numbers[obj.objgen], _dictionary(entries))
        while queue:
            obj = queue.pop()
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                entries = [(k, value(v)) for k, v in obj.stream_dict.items() if k != "/Length"]
                body = _dictionary([*entries, ("/Length", b"%d" % len(raw))])
                body += b"\nstream\n" + raw + b"\nendstream"
            else:
                body = value(obj, top=True)
            self._object(numbers[obj.objgen], body)

    def finish(self, *, title: str, subject: str) -> None:
        kids = b" ".join(b"%d 0 R" % kid for kid in self.kids)
        self._object(
            self.pages, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.kids))
        )
        root, info = self._number(), self._number()
        self._object(root, b"<< /Type /Catalog /Pages %d 0 R >>" % self.pages)
        self._object(
            info,
            _dictionary(
                [
                    ("/Title", pikepdf.String(title).unparse()),
                    ("/Subject", pikepdf.String(subject).unparse()),
                    ("/Producer", b"(Qiyue)"),
                ]
            ),
        )
        xref = self.out.tell()
        table = [b"xref\n0 %d\n0000000000 65535 f \n" % (self.count + 1)]
        table += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, self.count + 1)]
        identifier = hashlib.sha256(b"%d %d %s" % (xref, self.count, title.encode())).hexdigest()[
            :32
        ]
        table.append(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (self.count + 1, root, info, identifier.encode(), identifier.encode(), xref)
        )
        self._write(b"".join(table))


def _dictionary(entries) -> bytes:
    return (
        b"<<"
        + b"".join(pikepdf.Name(key).unparse() + b" " + item + b"\n" for key, item in entries)
        + b">>"
    )


def _scalar(item) -> bytes:
    if item is None:
        return b"null"
    if item is True or item is False:
        return b"true" if item else b"false"
    if isinstance(item, int):
        return b"%d" % item
    return format(item, "f").encode()  # a Decimal real, never in exponent form


def _is_signature(annot) -> bool:
    field = annot.get("/Parent", annot)
    return annot.get("/Subtype") == "/Widget" and (
        annot.get("/FT") == "/Sig" or field.get("/FT") == "/Sig"
    )


def originals_line(numbers: list[str]) -> str:
    """What the print copy says of its signed originals (the file's /Subject)."""
    return _("Print copy. The signed originals are the individual documents no. %(numbers)s.") % {
        "numbers": "、".join(numbers)
    }


def combine(
    files: Iterable[bytes], into: Path, *, title: str, numbers: list[str], signer, signed_at
) -> None:
    """Write to ``into`` the print copy of ``files``: merged, without their signatures, signed
    whole by ``signer`` (a :class:`~documents.models.Signature` the originals carry: its
    organisation's key), or unsigned when nobody signed them digitally."""
    merged = Path(into).with_name(Path(into).name + ".merged")
    merge_without_signatures(files, merged, title=title, subject=originals_line(numbers))
    if signer is None:  # papers nobody signed digitally: nothing to keep honest
        merged.replace(into)
        return
    if numbers:
        span = numbers[0] if len(numbers) == 1 else f"{numbers[0]} – {numbers[-1]}"
    else:
        span = ""
    try:
        with open(merged, "rb") as source, open(into, "wb") as output:
            signing.sign_stream(
                source,
                output,
                org_code=signer.organisation_code,
                field_name=FIELD_NAME,
                signer_name=signer.signer_name,
                role=signer.role,
                reason=_("Combined print copy of %(count)s signed originals (%(span)s)")
                % {"count": len(numbers), "span": span},
                signed_at=signed_at,
            )
    finally:
        merged.unlink(missing_ok=True)
