"""Sign PDFs with the organisations' keys and verify them (PAdES with pyHanko).

Each :func:`sign_pdf` call appends one signature as an *incremental update*: the bytes
already in the file are never rewritten, so every earlier signature keeps covering the
revision it signed, and the newest signature covers the whole file. The signatures are
invisible (no widget appearance); the visible signature blocks are part of the rendered
document itself.

Long-term validation (PAdES B-LT): the same update writes the county CA's certificate and
its current CRL (documents/crl.py) into the document's DSS, before the signature, so the
signature covers them and a reader validates the file offline, years later, with the county
root alone. With ``QIYUE_TSA_URL`` each signature also gets an RFC 3161 time-stamp from the
county's time-stamping authority (B-T); without one the signing time is the signer-reported
``/M`` of the signature dictionary (taken from the workflow act). A revoked key signs
nothing (:func:`refuse_revoked`).

:func:`verify_pdf` never touches the network: the only trust root is the county CA from
:mod:`documents.pki`, certificate fetching is off, and the CRLs are those the document
embeds plus the county's current one (passed in by documents/parsing.py). A CRL out of date
at the validation moment is not held against a paper (revocation checking is soft), but a
revocation any CRL of the county lists, dated on or before the moment, always counts.

A document is ``ok`` when it has signatures, each is intact and chains to the county CA,
no revision after any of them did more than add signatures (pyHanko's difference
analysis), the last one covers the whole file, and every signature container is exactly
as :func:`sign_pdf` writes it (documents/sigcontainer.py: so that not even the unsigned
bytes of the last container can change unnoticed: every single byte of a signed file is
protected). Signatures made by other software are therefore not ``ok`` here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from . import crl, pki, tsa
from .sigcontainer import container_problem

logger = logging.getLogger(__name__)

_FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class SigningError(Exception):
    """The PDF could not be signed (bad input, field already signed, missing key …)."""


# ---------------------------------------------------------------------------- signing


class _PdfSigner(signers.PdfSigner):
    """pyHanko's PdfSigner with a caller-chosen signing time (``/M``) instead of 'now'."""

    def __init__(self, *args, signing_time: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _aware(value: dt.datetime | None) -> dt.datetime:
    from django.utils import timezone

    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _bytes_reserved(signer) -> int:
    """Room for the CMS container: the certificates it may embed plus ample space for the
    signed attributes and the signature value. A fixed size spares pyHanko's estimate, a
    dry-run signature that would double the signing time."""
    certs = [signer.signing_cert, *signer.cert_registry]
    size = 2048 + sum(len(cert.dump()) for cert in certs)
    return -(-size // 256) * 256  # pyHanko wants an even number


_TIMESTAMP_ROOM = 8192  # a time-stamp token: the TSA's certificate chain and its signature


def refuse_revoked(org_code: str) -> None:
    """A revoked key signs nothing any more (:class:`SigningError`, in the UI's language)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    certificate = pki.get_org_key(org_code).certificate
    for entry in crl.revoked():
        if entry.serial == certificate.serial_number:
            raise SigningError(
                _(
                    "The signing key of %(organisation)s was revoked on %(date)s by the county "
                    "CA; it cannot sign any more. Ask the county for a new key."
                )
                % {
                    "organisation": pki.get_org_key(org_code).org_name,
                    "date": timezone.localtime(entry.revoked_at).strftime("%Y-%m-%d %H:%M"),
                }
            )


def _supply_validation_data(writer, signer, crl_der: bytes | None) -> None:
    """PAdES B-LT: the county CA's certificate and current CRL go into the document's DSS,
    so the signature validates offline, years later. They are written in the same update
    as the signature, before it, so the signature covers them: no byte of the file is left
    unsigned (pyHanko's ``embed_validation_info`` would append the DSS after the signature,
    in an update nobody signs)."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    DocumentSecurityStore.supply_dss_in_writer(
        writer,
        None,
        certs=[signer.signing_cert, *signer.cert_registry],
        crls=[crl.as_asn1(crl_der)] if crl_der else [],
    )


def sign_pdf(pdf: bytes, **fields) -> bytes:
    """Append one PAdES signature to ``pdf`` (:func:`sign_stream`'s ``fields``); return the
    new PDF bytes."""
    out = io.BytesIO()
    sign_stream(io.BytesIO(pdf), out, **fields)
    return out.getvalue()


def sign_stream(
    source,
    output,
    *,
    org_code: str,
    field_name: str,
    signer_name: str,
    role: str,
    reason: str,
    location: str = "",
    signed_at: dt.datetime | None = None,
) -> None:
    """Append one PAdES B-B signature by ``org_code``'s key to the PDF in the seekable binary
    file ``source``, writing the result into ``output`` (seekable and readable too): pyHanko
    reads the source and hashes the output in chunks, so a file too large to hold in memory
    (a batch's print copy) is signed as well; :func:`sign_pdf` does it for bytes.

    ``field_name`` names the (new, invisible) signature field, e.g. ``act-17``; it must be
    unique within the document and consist of ASCII letters, digits, ``-`` and ``_``.
    The signature dictionary carries ``/Name`` = ``signer_name``, ``/Reason`` = ``reason``,
    ``/Location`` = ``location``, ``/ContactInfo`` = ``role`` and ``/M`` = ``signed_at``
    (default: now; a naive datetime is taken in the current Django time zone).
    """
    if not _FIELD_NAME.match(field_name or ""):
        raise SigningError(f"Invalid signature field name {field_name!r}.")
    try:
        signer = pki.load_org_signer(org_code)
        refuse_revoked(org_code)
        crl_der = crl.current_der()
    except pki.PKIError as exc:
        raise SigningError(str(exc)) from exc
    try:
        writer = IncrementalPdfFileWriter(source)
    except Exception as exc:
        raise SigningError(f"Not a readable PDF: {exc}") from exc
    existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    if field_name in existing:
        raise SigningError(f"The document already has a signature field {field_name!r}.")

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=signer_name,
        reason=reason or None,
        location=location or None,
        contact_info=role or None,
    )
    _supply_validation_data(writer, signer, crl_der)
    timestamper = tsa.timestamper()
    pdf_signer = _PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name),
        signing_time=_aware(signed_at),
    )
    reserved = _bytes_reserved(signer) + (_TIMESTAMP_ROOM if timestamper else 0)
    try:
        _run(pdf_signer.async_sign_pdf(writer, output=output, bytes_reserved=reserved))
    except Exception as exc:
        raise SigningError(f"Signing failed: {exc}") from exc


# ---------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    signer_name: str  # /Name
    org_name: str  # signer certificate subject O
    org_code: str  # signer certificate subject serialNumber
    unit: str  # signer certificate subject OU
    role: str  # /ContactInfo
    reason: str
    location: str
    signed_at: dt.datetime | None  # signer-reported (/M); no trusted timestamp in B-B
    intact: bool  # the signed bytes hash to the signed digest
    valid: bool  # the signature verifies and the certificate chains to the county CA
    coverage: str  # "ENTIRE_FILE", "ENTIRE_REVISION", …
    modification_level: str  # of later revisions: "NONE", "FORM_FILLING" (= signatures), …
    modified_after: bool  # a later revision changed more than adding signatures
    errors: tuple[str, ...] = ()
    trusted: bool = False  # the certificate chains to the county CA and is not revoked
    revoked: bool = False  # the county CA revoked the certificate (its CRL says so)
    timestamped_at: dt.datetime | None = None  # from a trusted time-stamp, when there is one
    revision_digest: str = ""  # SHA-256 of the bytes the /ByteRange covers, as found in the file
    signed_digest: str = ""  # the message digest the CMS signed (as the signer saw the bytes)
    signed_by_county: bool = False  # the CMS verifies and its certificate is a county CA's issue

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and not self.modified_after and not self.errors


@dataclass(frozen=True)
class VerificationResult:
    signatures: list[SignatureInfo] = field(default_factory=list)
    errors: tuple[str, ...] = ()  # document-level problems
    readable: bool = True  # False: the reader could not open the file at all

    @property
    def ok(self) -> bool:
        """Signed, every signature intact and trusted, nothing but signatures added later,
        and the last signature covers the whole file."""
        return (
            bool(self.signatures)
            and not self.errors
            and all(sig.ok for sig in self.signatures)
            and self.signatures[-1].coverage == SignatureCoverageLevel.ENTIRE_FILE.name
        )

    @property
    def signer_names(self) -> list[str]:
        return [sig.signer_name for sig in self.signatures]

    @property
    def org_names(self) -> list[str]:
        return [sig.org_name for sig in self.signatures]


def validation_context(
    roots: list | None = None,
    moment: dt.datetime | None = None,
    crls: list | None = None,
    certs: list | None = None,
) -> ValidationContext:
    """Offline validation against the county CA only (see the module docstring), with the
    CRLs given (the county's current one, those embedded in the document's DSS): a revoked
    certificate is revoked; where no CRL is at hand the check is soft (B-B papers of old)."""
    return ValidationContext(
        trust_roots=pki.trust_roots() if roots is None else roots,
        moment=moment,
        crls=crls or [],
        other_certs=certs or [],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def embedded_validation_data(reader) -> tuple[list, list]:
    """The CRLs and certificates in the document's DSS (PAdES B-LT), or none."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], []
    crls = [
        asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
        for ref in dss.crls
    ]
    return crls, list(dss.load_certs())


def _text(sig_object, key: str) -> str:
    value = sig_object.get(key)
    return str(value) if value is not None else ""


def _subject(cert, attr: str) -> str:
    value = cert.subject.native.get(attr, "")
    if isinstance(value, list):  # multi-valued attribute
        value = ", ".join(str(v) for v in value)
    return str(value)


async def _validate_all(pdf: bytes, embedded, roots: list, moment, crls, certs):
    vc = validation_context(roots, moment, crls, certs)
    return [
        await _validate_one(pdf, sig, vc, roots)  # one at a time: they share the reader
        for sig in embedded
    ]


async def _validate_one(pdf: bytes, sig, vc, roots: list) -> SignatureInfo:
    sig_object = sig.sig_object
    errors: list[str] = []
    intact = valid = trusted = revoked = False
    timestamped_at = None
    coverage = SignatureCoverageLevel.UNCLEAR.name
    level = ModificationLevel.OTHER.name
    modified_after = True
    org_name = org_code = unit = ""
    revision_digest, signed_digest = _digests(sig)
    signed_by_county = _signed_by_county(sig, roots)
    try:
        cert = sig.signer_cert
        org_name = _subject(cert, "organization_name")
        org_code = _subject(cert, "serial_number")
        unit = _subject(cert, "organizational_unit_name")
    except Exception as exc:  # unparseable CMS
        errors.append(f"unreadable signature container: {exc}")
    if not errors:
        try:
            status = await async_validate_pdf_signature(sig, signer_validation_context=vc)
        except Exception as exc:
            errors.append(f"validation failed: {exc}")
        else:
            intact = bool(status.intact)
            valid = bool(status.valid and status.trusted)
            trusted, revoked = bool(status.trusted), bool(status.revoked)
            if status.timestamp_validity is not None and status.timestamp_validity.trusted:
                timestamped_at = status.timestamp_validity.timestamp
            coverage = status.coverage.name if status.coverage else coverage
            mod_level = status.modification_level
            level = mod_level.name if mod_level is not None else level
            if isinstance(status.diff_result, DiffResult) or status.diff_result is None:
                modified_after = not (
                    status.docmdp_ok
                    and mod_level is not None
                    and mod_level <= ModificationLevel.FORM_FILLING
                )
            else:  # SuspiciousModification
                errors.append(f"modified after signing: {status.diff_result}")
            if status.revoked:
                errors.append("the county CA revoked the signer's certificate")
            elif not status.trusted:
                errors.append("the signer's certificate does not chain to the county CA")
            if not status.intact:
                errors.append("the signed bytes were changed")
            elif not status.valid:
                errors.append("the signature does not verify")
            problem = container_problem(pdf, sig, roots)
            if problem:
                intact = False
                errors.append(problem)
    try:
        signed_at = sig.self_reported_timestamp
    except Exception:
        signed_at = None
    return SignatureInfo(
        field_name=str(sig.field_name),
        signer_name=_text(sig_object, "/Name"),
        org_name=org_name,
        org_code=org_code,
        unit=unit,
        role=_text(sig_object, "/ContactInfo"),
        reason=_text(sig_object, "/Reason"),
        location=_text(sig_object, "/Location"),
        signed_at=signed_at,
        intact=intact,
        valid=valid,
        coverage=coverage,
        modification_level=level,
        modified_after=modified_after,
        errors=tuple(errors),
        trusted=trusted,
        revoked=revoked,
        timestamped_at=timestamped_at,
        revision_digest=revision_digest,
        signed_digest=signed_digest,
        signed_by_county=signed_by_county,
    )


def _digests(sig) -> tuple[str, str]:
    """The SHA-256 of the signature's /ByteRange bytes, and the digest its CMS signed."""
    try:
        revision = sig.compute_digest("sha256").hex()
    except Exception:
        revision = ""
    try:
        attrs = sig.signer_info["signed_attrs"]
        found = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
        signed = found[0].hex() if len(found) == 1 and sig.md_algorithm == "sha256" else ""
    except Exception:
        signed = ""
    return revision, signed


def _signed_by_county(sig, roots: list) -> bool:
    """The CMS signature over its signed attributes verifies with the signer's certificate,
    and a county CA issued that certificate: whatever happened to the PDF bytes since, the
    signed digest is what our key signed. (No integrity or validity-period check here.)"""
    from cryptography import x509 as cx509
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    try:
        cert = sig.signer_cert
        _, valid = validate_sig_integrity(sig.signer_info, cert, "data", b"")
        if not valid:
            return False
        issued = cx509.load_der_x509_certificate(cert.dump())
        for root in roots:
            try:
                issued.verify_directly_issued_by(cx509.load_der_x509_certificate(root.dump()))
                return True
            except Exception:
                continue
    except Exception:
        return False
    return False


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def revision_digests(pdf: bytes) -> list[str]:
    """For a PDF we just signed: each signature's /ByteRange SHA-256, in signing order.

    Read from the signature dictionaries as :func:`sign_pdf` writes them (plain objects, one
    per incremental update, in file order), not by parsing the file: pyHanko's reader took
    6.5 ms of a household agreement's 0.1 s. Not for files from elsewhere (a /ByteRange
    could hide in an object stream there): :func:`verify_pdf` reads those."""
    digests = []
    for match in _BYTE_RANGE.finditer(pdf):
        start, length, resume, rest = (int(number) for number in match.groups())
        covered = hashlib.sha256(pdf[start : start + length])
        covered.update(pdf[resume : resume + rest])
        digests.append(covered.hexdigest())
    return digests


def _run(coro):
    """Run a coroutine to completion, also when called from inside an event loop."""
    try:
        asyncio.get_running_loop()
        in_loop = True
    except RuntimeError:
        in_loop = False
    if not in_loop:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def verify_pdf(
    pdf: bytes,
    *,
    moment: dt.datetime | None = None,
    roots: list | None = None,
    crls: list | None = None,
) -> VerificationResult:
    """Validate every signature in ``pdf`` offline against the county CA.

    Certificates are checked for validity at ``moment`` (default: now). B-B signatures
    carry no trusted time, so once an organisation's certificate has expired its
    signatures no longer validate "now"; pass the time the document was stored (known
    from the database) to check them as of then. ``roots`` (default: the county CA) and
    ``crls`` (default: none but those the document embeds) let a child process that has no
    Django settings validate (:mod:`documents.parsing`).
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        embedded = reader.embedded_regular_signatures
        embedded_crls, certs = embedded_validation_data(reader)
    except Exception as exc:
        return VerificationResult(errors=(f"not a readable PDF: {exc}",), readable=False)
    if not embedded:
        return VerificationResult(errors=("the document is not signed",))
    roots = pki.trust_roots() if roots is None else roots
    all_crls = [*(crls or []), *embedded_crls]
    try:
        signatures = _run(
            _validate_all(pdf, embedded, roots, moment, crl.in_date(all_crls, moment), certs)
        )
        signatures = [
            crl.mark_revoked(info, sig, all_crls, roots, moment)
            for info, sig in zip(signatures, embedded, strict=True)
        ]
    except Exception as exc:  # pragma: no cover - defensive
        logger.exception("PDF verification failed")
        return VerificationResult(errors=(f"verification failed: {exc}",))
    return VerificationResult(signatures=signatures)
