"""The county CA's certificate revocation list: what a reader checks, years later, to know
that an organisation's key was not withdrawn when it signed.

The CRL lives beside the CA (``<key dir>/ca/crl.der``) and is the one record of what is
revoked: :func:`revoke` adds a certificate and issues a new CRL at once, :func:`current`
gives the CRL as it stands, issuing a fresh one (the same entries) when more than half of
its validity has passed, so the site (``/pki/county-ca.crl``, the URL every organisation
certificate names as its CRL distribution point) and the signatures (which embed it in the
document's DSS, PAdES B-LT) always carry one that is in date. Issuing needs the CA key; a
process without it (the web process in production) serves the last CRL issued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from .keyfiles import (
    PKIError,
    ca_paths,
    load_cert,
    locked,
    resolve_key_dir,
    write_private,
)

#: Where the CRL is published, below QIYUE_PUBLIC_URL (documents/urls.py serves it).
CRL_PATH = "/pki/county-ca.crl"

#: A CRL is valid this long; a fresh one is issued after half of it.
CRL_DAYS = 7


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: dt.datetime


def crl_path(root: Path) -> Path:
    return root / "ca" / "crl.der"


def distribution_point() -> x509.CRLDistributionPoints:
    """The extension every organisation certificate carries: where its CRL is."""
    from django.conf import settings

    url = settings.QIYUE_PUBLIC_URL.rstrip("/") + CRL_PATH
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _read(root: Path) -> x509.CertificateRevocationList | None:
    path = crl_path(root)
    if not path.exists():
        return None
    try:
        return x509.load_der_x509_crl(path.read_bytes())
    except ValueError as exc:
        raise PKIError(f"Cannot read the CRL {path}: {exc}") from exc


def revoked(*, key_dir=None) -> list[Revoked]:
    """Every certificate the county CA revoked, as the published CRL lists it."""
    crl = _read(resolve_key_dir(key_dir))
    if crl is None:
        return []
    return [Revoked(entry.serial_number, entry.revocation_date_utc) for entry in crl]


def is_revoked(certificate: x509.Certificate, *, key_dir=None) -> bool:
    crl = _read(resolve_key_dir(key_dir))
    return (
        crl is not None
        and crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None
    )


def _issue(root: Path, entries: list[Revoked], now: dt.datetime) -> x509.CertificateRevocationList:
    from . import pki, token

    cert_path, key_path = ca_paths(root)
    ca_cert = load_cert(cert_path)
    ca_key = pki.ca_private_key(key_path)
    previous = _read(root)
    number = 1
    if previous is not None:
        number = previous.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    for entry in entries:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial)
            .revocation_date(entry.revoked_at)
            .build()
        )
    if ca_key is not None:
        crl = builder.sign(ca_key, hashes.SHA256())
    else:  # the key is in the PKCS#11 token: it signs what cryptography built
        stand_in = builder.sign(token.stand_in_key(), hashes.SHA256())
        crl = x509.load_der_x509_crl(token.signed_by_token(stand_in, token.CA_LABEL, "crl"))
    write_private(crl_path(root), crl.public_bytes(serialization.Encoding.DER), 0o644)
    return crl


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def revoke(certificate: x509.Certificate, *, key_dir=None) -> Revoked:
    """Add ``certificate`` to the CRL and issue the new CRL now (idempotent)."""
    root = resolve_key_dir(key_dir)
    with locked(root):
        entries = revoked(key_dir=root)
        for entry in entries:
            if entry.serial == certificate.serial_number:
                return entry
        entry = Revoked(certificate.serial_number, _now())
        _issue(root, [*entries, entry], _now())
    return entry


def current(*, key_dir=None) -> x509.CertificateRevocationList | None:
    """The CRL as it stands, a fresh one issued when half its validity has passed (and the
    CA key is at hand); ``None`` before there is a CA."""
    root = resolve_key_dir(key_dir)
    cert_path, key_path = ca_paths(root)
    if not cert_path.exists():
        return None
    crl = _read(root)
    now = _now()
    stale = (
        crl is None or now >= crl.last_update_utc + (crl.next_update_utc - crl.last_update_utc) / 2
    )
    if stale and _can_issue(key_path):
        with locked(root):
            crl = _issue(root, revoked(key_dir=root), now)
    return crl


def _can_issue(key_path: Path) -> bool:
    from . import token

    return token.has_key(token.CA_LABEL) if token.in_use() else key_path.exists()


def current_der(*, key_dir=None) -> bytes | None:
    crl = current(key_dir=key_dir)
    return crl.public_bytes(serialization.Encoding.DER) if crl is not None else None


def as_asn1(der: bytes):
    from asn1crypto import crl as asn1_crl

    return asn1_crl.CertificateList.load(der)


# --- Reading CRLs when validating (documents/signing.py) -------------------------------


def _moment(moment) -> dt.datetime:
    return moment if moment is not None else dt.datetime.now(dt.UTC)


def in_date(crls: list, moment) -> list:
    """The CRLs (asn1crypto) in force at ``moment``: pyHanko refuses the rest as not fresh,
    and a paper validated years later must not fail for its embedded CRL having aged."""
    at = _moment(moment)
    kept = []
    for item in crls:
        tbs = item["tbs_cert_list"]
        this, following = tbs["this_update"].native, tbs["next_update"].native
        if this <= at and (following is None or at <= following):
            kept.append(item)
    return kept


def revoked_at(certificate, crls: list, roots: list) -> dt.datetime | None:
    """When a county CA (one of ``roots``) revoked ``certificate`` (asn1crypto), per any of
    ``crls`` whose signature verifies, however old: a revocation is for good."""
    from cryptography import x509 as cx509

    serial = certificate.serial_number
    issuers = []
    for root in roots:
        try:
            issuers.append(cx509.load_der_x509_certificate(root.dump()))
        except ValueError:
            continue
    for item in crls:
        try:
            parsed = cx509.load_der_x509_crl(item.dump())
        except ValueError:
            continue
        if not any(
            parsed.issuer == issuer.subject and parsed.is_signature_valid(issuer.public_key())
            for issuer in issuers
        ):
            continue
        entry = parsed.get_revoked_certificate_by_serial_number(serial)
        if entry is not None and certificate.issuer.dump() == _asn1_name(parsed.issuer):
            return entry.revocation_date_utc
    return None


def _asn1_name(name) -> bytes:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Name.load(name.public_bytes()).dump()


def mark_revoked(info, sig, crls: list, roots: list, moment):
    """``info`` (a SignatureInfo) as revoked, not trusted, when a CRL revoked the signer's
    certificate on or before ``moment`` (default: now)."""
    import dataclasses

    try:
        when = revoked_at(sig.signer_cert, crls, roots)
    except Exception:  # an unreadable container is reported by the validation already
        return info
    if when is None or when > _moment(moment):
        return info
    errors = info.errors
    if not info.revoked:
        errors = (*errors, "the county CA revoked the signer's certificate")
    return dataclasses.replace(info, revoked=True, trusted=False, valid=False, errors=errors)
