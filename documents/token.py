"""Keys in a PKCS#11 token (an HSM; SoftHSM2 in the tests) instead of files.

With ``QIYUE_KEY_STORE=pkcs11`` the county CA's key and every organisation's key are
generated inside the token (labels ``county-ca`` and the organisation code) and never leave
it: the certificates and the CRL are still written to the key directory (they are public),
and ``key.pem`` files are not. Certificates and CRLs are built by ``cryptography`` and their
to-be-signed bytes signed by the token; PDFs are signed through pyHanko's PKCS#11 signer.
File-based keys (``QIYUE_KEY_STORE=files``, the default) stay for the demo.
"""

from __future__ import annotations

import hashlib
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .keyfiles import PKIError

CA_LABEL = "county-ca"

_lock = threading.Lock()
_sessions: dict[tuple, object] = {}


def in_use() -> bool:
    from django.conf import settings

    return getattr(settings, "QIYUE_KEY_STORE", "files") == "pkcs11"


def _session():
    """One logged-in session per module, token and PIN, kept for the process."""
    from django.conf import settings

    try:
        import pkcs11
    except ImportError as exc:  # python-pkcs11 missing
        raise PKIError(f"PKCS#11 keys need python-pkcs11: {exc}") from exc
    key = (settings.QIYUE_PKCS11_MODULE, settings.QIYUE_PKCS11_TOKEN, settings.QIYUE_PKCS11_PIN)
    with _lock:
        session = _sessions.get(key)
        if session is None:
            try:
                found = pkcs11.lib(key[0]).get_token(token_label=key[1])
                session = found.open(user_pin=key[2], rw=True)  # rw: keys are generated in it
            except Exception as exc:
                raise PKIError(f"Cannot open the PKCS#11 token {key[1]!r}: {exc}") from exc
            _sessions[key] = session
    return session


def close() -> None:
    """Close the sessions (tests, after the token was re-initialised)."""
    with _lock:
        for session in _sessions.values():
            try:
                session.close()
            except Exception:
                pass
        _sessions.clear()


def _private(label: str):
    from pkcs11 import KeyType, ObjectClass
    from pkcs11.exceptions import NoSuchKey

    try:
        return _session().get_key(
            object_class=ObjectClass.PRIVATE_KEY, key_type=KeyType.EC, label=label
        )
    except NoSuchKey as exc:
        raise PKIError(f"The token holds no private key {label!r}.") from exc


def has_key(label: str) -> bool:
    try:
        _private(label)
    except PKIError:
        return False
    return True


def generate(label: str) -> ec.EllipticCurvePublicKey:
    """A new ECDSA P-256 key pair in the token under ``label``; its public key."""
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    session = _session()
    with _lock:
        params = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters("1.2.840.10045.3.1.7")},
            local=True,
        )
        public, _private_key = params.generate_keypair(store=True, label=label)
        der = encode_ec_public_key(public)
    return serialization.load_der_public_key(der)


def destroy(label: str) -> None:
    """Delete the key pair ``label`` from the token (its private and public objects)."""
    from pkcs11 import Attribute, ObjectClass

    session = _session()
    with _lock:
        for object_class in (ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY):
            wanted = {Attribute.CLASS: object_class, Attribute.LABEL: label}
            for found in list(session.get_objects(wanted)):
                found.destroy()


def sign_tbs(label: str, tbs: bytes) -> bytes:
    """An ECDSA-with-SHA-256 signature (DER) by the token's key ``label``."""
    from pkcs11 import Mechanism
    from pkcs11.util.ec import encode_ecdsa_signature

    key = _private(label)
    digest = hashlib.sha256(tbs).digest()  # raw ECDSA over the digest: SoftHSM2 has no ECDSA_SHA256
    with _lock:
        return encode_ecdsa_signature(key.sign(digest, mechanism=Mechanism.ECDSA))


def signed_by_token(built, label: str, kind: str) -> bytes:
    """``built`` (a certificate or CRL ``cryptography`` signed with a stand-in key) with its
    signature replaced by the token's over the same to-be-signed bytes; DER."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import x509 as asn1_x509

    der = built.public_bytes(serialization.Encoding.DER)
    if kind == "certificate":
        parsed = asn1_x509.Certificate.load(der)
        tbs, field = parsed["tbs_certificate"].dump(), "signature_value"
    else:
        parsed = asn1_crl.CertificateList.load(der)
        tbs, field = parsed["tbs_cert_list"].dump(), "signature"
    parsed[field] = sign_tbs(label, tbs)
    return parsed.dump(force=True)


def stand_in_key() -> ec.EllipticCurvePrivateKey:
    """A throw-away key for ``cryptography``'s builders, whose signature the token replaces."""
    return ec.generate_private_key(ec.SECP256R1())


def signer(label: str, signing_cert, ca_cert):
    """pyHanko's PKCS#11 signer for the organisation's key ``label``."""
    from pyhanko.sign.pkcs11 import PKCS11Signer

    return PKCS11Signer(
        _session(),
        key_label=label,
        signing_cert=signing_cert,
        ca_chain=[ca_cert],
        embed_roots=False,
        use_raw_mechanism=True,  # hash here, sign the digest in the token (raw CKM_ECDSA)
    )
