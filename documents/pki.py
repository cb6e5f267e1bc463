"""The county certificate authority and the organisations' signing keys.

One self-signed root per deployment ("<county> 数字证书认证中心") issues one signing
certificate per organisation (township government, village committee, co-operative,
company …). The keys live outside the git tree::

    <key dir>/ca/ca.key.pem          county CA private key (PKCS#8 PEM, mode 0600)
    <key dir>/ca/ca.cert.pem         county CA certificate (the trust root)
    <key dir>/orgs/<code>/key.pem    organisation private key (PKCS#8 PEM, mode 0600)
    <key dir>/orgs/<code>/cert.pem   organisation certificate issued by the county CA
    <key dir>/orgs/<code>/retired/<serial>.pem   certificates replaced after a revocation
                                     (replace_org_key; their private keys are destroyed)

``<key dir>`` is ``$QIYUE_KEY_DIR`` if set, else ``settings.QIYUE_KEY_DIR`` (by default
``settings.VAR_DIR / "keys"``); a relative path is taken from the checkout; a directory
inside the source tree other than ``var/`` (which is git-ignored) is refused. When
``$QIYUE_KEY_PASSPHRASE`` is set, new private keys are written encrypted with it (PKCS#8
PBES2) and existing encrypted keys are decrypted with it.

Key type: ECDSA P-256 with SHA-256. Generating a key takes ~0.01 ms (RSA-3072: ~0.2 s,
sometimes over a second, which adds up when the demo seed and the tests issue many keys),
signing ~0.04 ms (RSA-3072: ~0.7 ms), verifying ~0.05 ms (RSA: ~0.04 ms) — all negligible
next to pyHanko's PDF parsing and difference analysis — and certificates and signatures are
a fraction of the size. PAdES, pyHanko and the common PDF readers support it. (China's own
SM2 is not supported by pyHanko.)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from . import crl, token
from .keyfiles import KEY_DIR_ENV as KEY_DIR_ENV  # the variables pki's callers set
from .keyfiles import PASSPHRASE_ENV as PASSPHRASE_ENV
from .keyfiles import (
    PKIError,
    ca_paths,
    key_pem,
    load_cert,
    load_key,
    locked,
    org_paths,
    resolve_key_dir,
    write_private,
)

log = logging.getLogger(__name__)


#: id-kp-documentSigning (RFC 9336).
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_CLOCK_SKEW = dt.timedelta(hours=1)  # not-before a little in the past, for clock skew

_cache_lock = threading.Lock()
_signers: dict[tuple[str, str], object] = {}
_roots: dict[str, list] = {}


@dataclass(frozen=True)
class CAInfo:
    county_name: str
    cert_path: Path
    key_path: Path
    certificate: x509.Certificate
    created: bool  # False when it already existed

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc


@dataclass(frozen=True)
class OrgKey:
    org_name: str
    org_code: str
    unit: str
    cert_path: Path
    key_path: Path
    certificate: x509.Certificate
    created: bool  # False when it already existed

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint, colon-separated upper-case hex."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _subject_value(name: x509.Name, oid) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _years(start: dt.datetime, years: int) -> dt.datetime:
    return start + dt.timedelta(days=365 * years + years // 4)


# ---------------------------------------------------------------------------- the CA


def create_county_ca(county_name: str, *, valid_years: int = 20, key_dir=None) -> CAInfo:
    """Create the county's root certificate authority, or return the existing one.

    One CA per key directory (deployment): if a CA exists it is returned as it is, even
    when it was created for another county name (check ``.county_name``).
    """
    county_name = (county_name or "").strip()
    if not county_name:
        raise PKIError("A county name is required.")
    root = resolve_key_dir(key_dir)
    cert_path, key_path = ca_paths(root)
    with locked(root):
        if cert_path.exists() or key_path.exists():
            info = _read_ca(root)
            if info.county_name != county_name:
                log.warning(
                    "Key directory %s already holds the CA of %s; not creating one for %s",
                    root,
                    info.county_name,
                    county_name,
                )
            return info

        key, public = _new_key(token.CA_LABEL)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, county_name),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{county_name} 数字证书认证中心"),
            ]
        )
        start = _now() - _CLOCK_SKEW
        ski = x509.SubjectKeyIdentifier.from_public_key(public)
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(_years(start, valid_years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                critical=False,
            )
        )
        cert = _signed(builder, key, token.CA_LABEL)
        if key is not None:
            write_private(key_path, key_pem(key), 0o600)
        write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    clear_caches()
    return CAInfo(county_name, cert_path, key_path, cert, created=True)


def _read_ca(root: Path) -> CAInfo:
    cert_path, key_path = ca_paths(root)
    if not cert_path.exists():
        raise PKIError(
            f"No county CA in {root}; run `python manage.py create_ca --county <县名>` first."
        )
    cert = load_cert(cert_path)
    county = _subject_value(cert.subject, NameOID.ORGANIZATION_NAME)
    return CAInfo(county, cert_path, key_path, cert, created=False)


def get_ca(*, key_dir=None) -> CAInfo:
    """The existing county CA (raises :class:`PKIError` if there is none)."""
    return _read_ca(resolve_key_dir(key_dir))


# ---------------------------------------------------------------------------- organisations


def issue_org_key(
    org_name: str,
    org_code: str,
    *,
    unit: str = "",
    key_dir=None,
    valid_years: int = 5,
) -> OrgKey:
    """Issue an organisation's signing key and certificate, or return the existing one.

    Idempotent per ``org_code``; raises :class:`PKIError` if the code is already issued to
    an organisation of another name, or if there is no county CA yet.
    """
    org_name = (org_name or "").strip()
    unit = (unit or "").strip()
    if not org_name:
        raise PKIError("An organisation name is required.")
    root = resolve_key_dir(key_dir)
    cert_path, _key_path = org_paths(root, org_code)
    with locked(root):
        if cert_path.exists():
            existing = _read_org(root, org_code)
            if existing.org_name != org_name:
                raise PKIError(
                    f"Code {org_code} was already issued to {existing.org_name}, not {org_name}."
                )
            return existing
        issued = _issue_locked(root, org_name, org_code, unit, valid_years)
    _forget_signer(root, org_code)
    return issued


def replace_org_key(org_code: str, *, key_dir=None, valid_years: int = 5) -> OrgKey:
    """A new key and certificate for an organisation that has one, under the same name and
    unit: the old private key is destroyed (its file removed, or its object deleted from the
    token), and the old certificate moved to ``orgs/<code>/retired/<serial>.pem`` for the
    record. Papers it signed keep their signatures (each carries its certificate). Whether
    the replacement is allowed (a revoked key) is the caller's rule
    (documents/revocation.py)."""
    root = resolve_key_dir(key_dir)
    cert_path, key_path = org_paths(root, org_code)
    with locked(root):
        old = _read_org(root, org_code)
        ca_private_key(_read_ca(root).key_path)  # the CA can issue: checked before anything goes
        retired = cert_path.parent / "retired"
        retired.mkdir(mode=0o700, exist_ok=True)
        os.replace(cert_path, retired / f"{format(old.certificate.serial_number, 'x')}.pem")
        if token.in_use():
            token.destroy(org_code)
        else:
            key_path.unlink(missing_ok=True)
        issued = _issue_locked(root, old.org_name, org_code, old.unit, valid_years)
    _forget_signer(root, org_code)
    return issued


def _issue_locked(root: Path, org_name: str, org_code: str, unit: str, valid_years: int):
    """A new key and certificate for ``org_code`` (no certificate there); under the lock."""
    cert_path, key_path = org_paths(root, org_code)
    ca = _read_ca(root)
    ca_key = ca_private_key(ca.key_path)
    key, public = _new_key(org_code)
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs += [
        x509.NameAttribute(NameOID.COMMON_NAME, org_name),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, org_code),
    ]
    start = _now() - _CLOCK_SKEW
    not_after = min(_years(start, valid_years), ca.certificate.not_valid_after_utc)
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski.value),
            critical=False,
        )
        .add_extension(crl.distribution_point(), critical=False)
    )
    cert = _signed(builder, ca_key, token.CA_LABEL)
    if key is not None:
        write_private(key_path, key_pem(key), 0o600)
    write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return OrgKey(org_name, org_code, unit, cert_path, key_path, cert, created=True)


def _read_org(root: Path, org_code: str) -> OrgKey:
    cert_path, key_path = org_paths(root, org_code)
    if not cert_path.exists():
        raise PKIError(
            f"No signing key for organisation {org_code} in {root}; run "
            f"`python manage.py issue_org_key --name <名称> --code {org_code}` first."
        )
    cert = load_cert(cert_path)
    return OrgKey(
        org_name=_subject_value(cert.subject, NameOID.ORGANIZATION_NAME),
        org_code=org_code,
        unit=_subject_value(cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        cert_path=cert_path,
        key_path=key_path,
        certificate=cert,
        created=False,
    )


def get_org_key(org_code: str, *, key_dir=None) -> OrgKey:
    """The existing key of an organisation (raises :class:`PKIError` if not issued)."""
    return _read_org(resolve_key_dir(key_dir), org_code)


def has_org_key(org_code: str, *, key_dir=None) -> bool:
    cert_path, key_path = org_paths(resolve_key_dir(key_dir), org_code)
    if token.in_use():
        return cert_path.exists() and token.has_key(org_code)
    return cert_path.exists() and key_path.exists()


# ---------------------------------------------------------------------------- key stores


def _new_key(label: str):
    """A new key: ``(private key, public key)`` from files, ``(None, public key)`` when it
    was generated in the PKCS#11 token (documents/token.py) under ``label``."""
    if token.in_use():
        return None, token.generate(label)
    key = ec.generate_private_key(ec.SECP256R1())
    return key, key.public_key()


def ca_private_key(key_path: Path):
    """The county CA's key to sign with: from its file, or ``None`` when it is in the token."""
    if token.in_use():
        if not token.has_key(token.CA_LABEL):
            raise PKIError("The county CA's private key is not in the PKCS#11 token.")
        return None
    if not key_path.exists():
        raise PKIError(f"The county CA's private key {key_path} is missing.")
    return load_key(key_path)


def _signed(builder, ca_key, label: str) -> x509.Certificate:
    """The certificate ``builder`` describes, signed by ``ca_key`` or the token's ``label``."""
    if ca_key is not None:
        return builder.sign(ca_key, hashes.SHA256())
    stand_in = builder.sign(token.stand_in_key(), hashes.SHA256())
    return x509.load_der_x509_certificate(token.signed_by_token(stand_in, label, "certificate"))


# ---------------------------------------------------------------------------- pyHanko glue


def load_org_signer(org_code: str, *, key_dir=None):
    """A :class:`pyhanko.sign.signers.SimpleSigner` for the organisation (cached per process)."""
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    root = resolve_key_dir(key_dir)
    cache_key = (str(root), org_code)
    with _cache_lock:
        signer = _signers.get(cache_key)
    if signer is not None:
        return signer

    org = _read_org(root, org_code)
    ca = _read_ca(root)
    if token.in_use():  # the key never leaves the token
        signer = token.signer(org_code, _asn1_cert(org.certificate), _asn1_cert(ca.certificate))
        with _cache_lock:
            _signers[cache_key] = signer
        return signer
    if not org.key_path.exists():
        raise PKIError(f"The private key of organisation {org_code} ({org.key_path}) is missing.")
    signer = SimpleSigner(
        signing_cert=_asn1_cert(org.certificate),
        signing_key=_asn1_key(load_key(org.key_path)),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(ca.certificate)]),
        embed_roots=False,  # validators have the root already; keeps the container small
    )
    with _cache_lock:
        _signers[cache_key] = signer
    return signer


def trust_roots(*, key_dir=None) -> list:
    """The county CA certificate(s) to validate signatures against (asn1crypto certificates).

    Empty when no CA exists yet (then no signature validates).
    """
    root = resolve_key_dir(key_dir)
    with _cache_lock:
        cached = _roots.get(str(root))
    if cached is not None:
        return list(cached)
    cert_path, _ = ca_paths(root)
    roots = [_asn1_cert(load_cert(cert_path))] if cert_path.exists() else []
    if roots:  # don't cache "no CA yet": it may be created in a moment
        with _cache_lock:
            _roots[str(root)] = roots
    return list(roots)


def _asn1_cert(cert: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):
    from asn1crypto import keys as asn1_keys

    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _forget_signer(root: Path, org_code: str) -> None:
    with _cache_lock:
        _signers.pop((str(root), org_code), None)


def clear_caches() -> None:
    """Forget cached signers and trust roots (tests; after keys were replaced on disk)."""
    with _cache_lock:
        _signers.clear()
        _roots.clear()
