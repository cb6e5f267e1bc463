"""Is this file an unaltered document of this system, who signed it, and when?

A stored version is recognised by its SHA-256; its signatures are then checked by
pyHanko against the county CA. A file whose hash is unknown but whose signatures name one
of our documents was altered after it left the system; anything else is unknown.
"""

import hashlib
import re
from dataclasses import dataclass, field

from . import signing
from .models import Batch, DocumentVersion, Signature

AUTHENTIC, TAMPERED, UNKNOWN = "authentic", "tampered", "unknown"
_FIELD = re.compile(r"^sig-\d+-(\d+)$")


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
    result = signing.verify_pdf(pdf) if pdf.startswith(b"%PDF") else None
    signatures = list(result.signatures) if result else []
    if version is not None:
        if version.signature_count and not (result and result.ok):
            problems = [str(e) for e in (result.errors if result else ())] or [
                "signature check failed"
            ]
            return Verdict(TAMPERED, digest, version, signatures=signatures, problems=problems)
        return Verdict(AUTHENTIC, digest, version, signatures=signatures)
    if batch is not None:
        return Verdict(AUTHENTIC, digest, batch=batch)
    ours = _our_signature(signatures)
    if ours is not None:
        latest = ours.edition.document.latest
        problems = ["the file differs from every version this system produced"]
        problems += [str(e) for e in result.errors] if result else []
        problems += [f"{s.field_name}: {', '.join(s.errors)}" for s in signatures if s.errors]
        return Verdict(TAMPERED, digest, latest, signatures=signatures, problems=problems)
    return Verdict(UNKNOWN, digest, signatures=signatures)


def _our_signature(signatures) -> Signature | None:
    for info in signatures:
        match = _FIELD.match(info.field_name or "")
        if match:
            signature = (
                Signature.objects.filter(pk=int(match.group(1)))
                .select_related("edition__document")
                .first()
            )
            if signature is not None:
                return signature
    return None
