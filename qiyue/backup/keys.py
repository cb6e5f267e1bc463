"""Media through the storage API, and the key directory, private keys sealed under a passphrase."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import storages

from .base import PASSPHRASE_ENV, SCRYPT, BackupError


def media_storages() -> dict[str, object]:
    """Every configured storage but static files, each place once."""
    chosen, seen = {}, set()
    for alias in settings.STORAGES:
        if alias == "staticfiles":
            continue
        storage = storages[alias]
        place = (type(storage).__qualname__, str(getattr(storage, "location", alias)))
        if place not in seen:
            seen.add(place)
            chosen[alias] = storage
    return chosen


def walk_storage(storage, path=""):
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # nothing stored yet
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for name in sorted(directories):
        yield from walk_storage(storage, f"{path}/{name}" if path else name)


def key_dir() -> Path:
    from documents import pki  # where documents/pki.py keeps the keys

    return pki.resolve_key_dir()


def key_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix(), path  # not .lock nor a half-written .tmp


def is_private_key(name: str, data: bytes) -> bool:
    return b"PRIVATE KEY-----" in data or PurePosixPath(name).name.endswith("key.pem")


def derive_key(passphrase: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, **SCRYPT).derive(passphrase)


def seal(secret: bytes, name: str, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return nonce + AESGCM(secret).encrypt(nonce, data, name.encode())  # the name is bound in


def open_sealed(secret: bytes, name: str, sealed: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(secret).decrypt(sealed[:12], sealed[12:], name.encode())
    except InvalidTag:
        raise BackupError(
            "The passphrase does not open this archive's private keys (wrong passphrase)."
        ) from None


def read_passphrase(passphrase_file: str | None) -> bytes | None:
    if passphrase_file:
        try:
            value = Path(passphrase_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise BackupError(f"--passphrase-file {passphrase_file}: {error.strerror}.") from None
        if not value:
            raise BackupError(f"--passphrase-file {passphrase_file} is empty.")
        return value.encode()
    value = os.environ.get(PASSPHRASE_ENV, "")
    return value.encode() if value else None
