"""Is this file an unaltered document of this system, who signed it, and when?

A stored version is recognised by its SHA-256; its signatures are then checked by
pyHanko against the county CA. A file whose hash is unknown is "tampered" only when it
verifiably carries a revision we produced: a signature's ``/ByteRange`` bytes hash to a
:class:`~documents.models.SignedRevision` we stored, or the digest its CMS signed equals
one and the signature is valid and chains to the county CA (the bytes were changed under
our signature). Nothing a file's author chooses (field names, /Name, /Reason) identifies a
document. Anything else is unknown, and the page shows nothing of ours for it. Versions
produced before signed revisions were stored cannot be recognised once changed.

The file is parsed in a bounded child process (:mod:`documents.parsing`); one it cannot
read raises :class:`~documents.parsing.Unreadable`.
"""

import hashlib
from dataclasses import dataclass, field

from . import parsing
from .models import Batch, DocumentVersion, SignedRevision

AUTHENTIC, TAMPERED, UNKNOWN = "authentic", "tampered", "unknown"


@dataclass
class Verdict:
    status: str
    sha256: str
    version: DocumentVersion | None = None
    batch: Batch | None = None
    signatures: list = field(default_factory=list)  # signing.SignatureInfo, in signing order
    problems: list[str] = field(default_factory=list)

    @property
    def document(self):
        if self.version is not None:
            return self.version.document
        return None

    @property
    def ok(self) -> bool:
        return self.status == AUTHENTIC


def check(pdf: bytes) -> Verdict:
    digest = hashlib.sha256(pdf).hexdigest()
    version = (
        DocumentVersion.objects.filter(sha256=digest, status=DocumentVersion.Status.READY)
        .select_related("document", "edition")
        .first()
    )
    batch = None if version else Batch.objects.filter(combined_sha256=digest).first()
    # A paper of ours is checked as of when it was produced: a key revoked since then
    # leaves the signatures it made before valid.
    moment = version.produced_at if version is not None else None
    result = parsing.verify_pdf(pdf, moment=moment) if pdf.startswith(b"%PDF") else None
    signatures = list(result.signatures) if result else []
    if version is not None:
        if version.signature_count and not (result and result.ok):
            problems = [str(e) for e in (result.errors if result else ())] or [
                "signature check failed"
            ]
            return Verdict(TAMPERED, digest, version, signatures=signatures, problems=problems)
        return Verdict(AUTHENTIC, digest, version, signatures=signatures)
    if batch is not None:  # a print copy is signed whole; one that is not is not authentic
        if not (result and result.ok):
            problems = [str(e) for e in (result.errors if result else ())]
            problems += [f"{s.field_name}: {', '.join(s.errors)}" for s in signatures if s.errors]
            problems = problems or ["signature check failed"]
            return Verdict(TAMPERED, digest, batch=batch, signatures=signatures, problems=problems)
        return Verdict(AUTHENTIC, digest, batch=batch, signatures=signatures)
    produced = _produced_revision(signatures)
    if produced is not None:
        problems = ["the file differs from every version this system produced"]
        problems += [str(e) for e in result.errors]
        problems += [f"{s.field_name}: {', '.join(s.errors)}" for s in signatures if s.errors]
        return Verdict(TAMPERED, digest, produced, signatures=signatures, problems=problems)
    return Verdict(UNKNOWN, digest)


def _produced_revision(signatures) -> DocumentVersion | None:
    """The version one of these signatures was made on, if it verifiably was ours."""
    digests = set()
    for info in signatures:
        if info.revision_digest:
            digests.add(info.revision_digest)  # our bytes, byte for byte
        if info.signed_digest and info.signed_by_county:
            digests.add(info.signed_digest)  # our key signed them; the bytes changed since
    if not digests:
        return None
    revision = (
        SignedRevision.objects.filter(sha256__in=digests)
        .select_related("version__document")
        .order_by("-version__number", "-order")
        .first()
    )
    return revision.version if revision else None


# --- What a person (or a machine) is told --------------------------------------------


def local_time(value) -> str:
    """A signing time as officials read it: Asia/Shanghai (the site's time zone), to the second."""
    from django.utils import timezone

    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def county_root_name() -> str:
    """The trust anchor's name, e.g. "织金县 数字证书认证中心" ("" before there is a CA)."""
    from cryptography.x509.oid import NameOID

    from . import pki

    try:
        cert = pki.get_ca().certificate
    except pki.PKIError:
        return ""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def describe(verdict: Verdict) -> dict:
    """The verdict as a JSON-ready object (``verify_document --json``): times in ISO 8601
    with the Asia/Shanghai offset; a tampered file's title is left out (it may name a
    household), as on the page."""
    from django.utils import timezone

    def iso(value):
        return timezone.localtime(value).isoformat() if value else None

    version, batch = verdict.version, verdict.batch
    document = None
    if version is not None:
        document = {
            "number": version.document.number,
            "kind": version.document.kind,
            "version": version.number,
            "produced_at": iso(version.produced_at),
        }
        if verdict.status == AUTHENTIC:
            document["title"] = version.document.title
    return {
        "status": verdict.status,
        "authentic": verdict.ok,
        "sha256": verdict.sha256,
        "document": document,
        "batch": None
        if batch is None
        else {"id": batch.pk, "kind": batch.kind, "total": batch.total, "done": batch.done},
        "trust_anchor": county_root_name(),
        "time_zone": timezone.get_current_timezone_name(),
        "signatures": [
            {
                "field": sig.field_name,
                "organisation": sig.org_name,
                "organisation_code": sig.org_code,
                "unit": sig.unit,
                "signer": sig.signer_name,
                "role": sig.role,
                "reason": sig.reason,
                "signed_at": iso(sig.signed_at),
                "timestamped_at": iso(sig.timestamped_at),
                "intact": sig.intact,
                "trusted": sig.trusted,
                "revoked": sig.revoked,
                "ok": sig.ok,
                "problems": list(sig.errors),
            }
            for sig in verdict.signatures
        ],
        "problems": list(verdict.problems),
    }
