"""Where the county's keys live and how they are written and read: the key directory, a
writers' lock, private files written atomically, PEM with optional PKCS#8 encryption.

The layout and the rules (never inside the source tree, owner-only modes, the passphrase
in ``$QIYUE_KEY_PASSPHRASE``) are described in documents/pki.py, which issues the keys.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEY_DIR_ENV = "QIYUE_KEY_DIR"
PASSPHRASE_ENV = "QIYUE_KEY_PASSPHRASE"

_ORG_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class PKIError(Exception):
    """The key directory or its contents are missing, inconsistent or unreadable."""


def resolve_key_dir(override: str | os.PathLike | None = None) -> Path:
    """The key directory: the argument, else ``$QIYUE_KEY_DIR`` as it is now (tests and
    commands may set it after start-up), else ``settings.QIYUE_KEY_DIR`` (read from the
    environment at start-up; ``VAR_DIR/keys`` by default). A configured relative path starts at
    the checkout, not at whatever directory the server was started in."""
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    if override is not None:  # a command's --key-dir: relative to where it is typed
        path = Path(override).expanduser().resolve()
    else:
        configured = os.environ.get(KEY_DIR_ENV) or getattr(settings, "QIYUE_KEY_DIR", "")
        path = Path(configured) if configured else Path(settings.VAR_DIR) / "keys"
        path = (base / path.expanduser()).resolve()
    if path.is_relative_to(base) and not path.is_relative_to(base / "var"):
        raise PKIError(
            f"Key directory {path} is inside the source tree; keys must never be committed. "
            f"Use {base / 'var'} or a directory outside the tree (set {KEY_DIR_ENV})."
        )
    return path


def ca_paths(root: Path) -> tuple[Path, Path]:
    return root / "ca" / "ca.cert.pem", root / "ca" / "ca.key.pem"


def org_paths(root: Path, org_code: str) -> tuple[Path, Path]:
    _check_org_code(org_code)
    return root / "orgs" / org_code / "cert.pem", root / "orgs" / org_code / "key.pem"


def _check_org_code(org_code: str) -> None:
    if not _ORG_CODE.match(org_code or ""):
        raise PKIError(
            f"Invalid organisation code {org_code!r}: use letters, digits, '-' or '_' "
            "(a unified social credit code or a region code)."
        )


@contextlib.contextmanager
def locked(root: Path):
    """Serialise writers (several processes may seed keys at once)."""
    _mkdir_private(root)
    with open(root / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mkdir_private(path: Path) -> None:
    """Create ``path`` and any missing parents, each accessible to the owner only."""
    if path.is_dir():
        return
    _mkdir_private(path.parent)
    with contextlib.suppress(FileExistsError):  # another process was quicker
        path.mkdir(mode=0o700)


def write_private(path: Path, data: bytes, mode: int) -> None:
    """Write atomically with the given permissions (never briefly world-readable)."""
    _mkdir_private(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.replace(tmp, path)


def _passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode() if value else None


#: PBKDF2-HMAC-SHA256 rounds for encrypted keys (OWASP 2023); ~70 ms per key load, cached.
KDF_ROUNDS = 600_000


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    passphrase = _passphrase()
    if not passphrase:
        return _pem("PRIVATE KEY", der)
    return _pem("ENCRYPTED PRIVATE KEY", _encrypt_pkcs8(der, passphrase))


def _encrypt_pkcs8(der: bytes, passphrase: bytes) -> bytes:
    """PKCS#8 EncryptedPrivateKeyInfo: PBES2, PBKDF2-HMAC-SHA256 and AES-256-CBC.

    `cryptography`'s own PKCS#8 encryption uses only 2048 PBKDF2 rounds and cannot be
    told otherwise; this is the same format (OpenSSL and `cryptography` read it) with
    :data:`KDF_ROUNDS`.
    """
    from asn1crypto import algos, keys
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    salt, iv = os.urandom(16), os.urandom(16)
    secret = PBKDF2HMAC(hashes.SHA256(), 32, salt, KDF_ROUNDS).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(der) + padder.finalize()) + encryptor.finalize()
    return keys.EncryptedPrivateKeyInfo(
        {
            "encryption_algorithm": {
                "algorithm": "pbes2",
                "parameters": {
                    "key_derivation_func": {
                        "algorithm": "pbkdf2",
                        "parameters": {
                            "salt": algos.Pbkdf2Salt(name="specified", value=salt),
                            "iteration_count": KDF_ROUNDS,
                            "prf": {"algorithm": "sha256"},
                        },
                    },
                    "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv},
                },
            },
            "encrypted_data": ciphertext,
        }
    ).dump()


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        b"\n".join([f"-----BEGIN {label}-----".encode(), *lines, f"-----END {label}-----".encode()])
        + b"\n"
    )


def load_key(path: Path):
    data = path.read_bytes()
    encrypted = b"ENCRYPTED PRIVATE KEY" in data
    passphrase = _passphrase()
    if encrypted and not passphrase:
        raise PKIError(f"{path} is encrypted; set {PASSPHRASE_ENV} to its passphrase.")
    try:
        return serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except ValueError as exc:
        raise PKIError(f"Cannot read private key {path}: {exc}") from exc


def load_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PKIError(f"Cannot read certificate {path}: {exc}") from exc
