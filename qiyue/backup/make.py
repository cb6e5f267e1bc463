"""``manage.py backup``: write the archive and its manifest."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from ground.files import sha256_of

from .base import (
    FORMAT_VERSION,
    MANIFEST,
    PASSPHRASE_CHECK,
    PASSPHRASE_ENV,
    SCRYPT,
    BackupError,
    Summary,
)
from .keys import derive_key, is_private_key, key_dir, key_files, media_storages, seal, walk_storage
from .tables import applied_migrations, dump_table, member_name, tables


def _app_version() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("qiyue")
    except PackageNotFoundError:
        number = ""
    try:
        commit = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    return {"version": number, "commit": commit}


def _archive_path(out: Path) -> Path:
    if out.is_dir() or str(out).endswith("/"):
        stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return out / f"qiyue-backup-{stamp}.tar.gz"
    if not out.name.endswith((".tar.gz", ".tgz")):
        raise BackupError(f"{out}: name the archive *.tar.gz, or give a directory.")
    return out


def backup(
    out, *, passphrase: bytes | None = None, keys_in_clear: bool = False, using=DEFAULT_DB_ALIAS
) -> Summary:
    started = time.monotonic()
    path = _archive_path(Path(out))
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = Summary(path=path)
    manifest = {
        "format": FORMAT_VERSION,
        "app": _app_version(),
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "database": {"vendor": connections[using].vendor},
        "migrations": applied_migrations(using),
        "counts": {},
        "tables": [],
        "media": [],
        "keys": [],
        "private_keys_omitted": [],
        "members": {},
    }
    if not manifest["migrations"]:
        raise BackupError(
            f"The database {connections[using].settings_dict['NAME']} has no tables "
            "(never migrated): nothing to back up. Is DATABASE_URL or QIYUE_VAR_DIR right?"
        )
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".qiyue-backup-") as staging:
        staging = Path(staging)

        def add(name: str, data: bytes | None = None):
            """A member: ``data``, or the file already written at ``staging / name``."""
            target = staging / name
            if data is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            manifest["members"][name] = {"sha256": sha256_of(target), "size": target.stat().st_size}

        _dump_database(manifest, staging, add, using)
        for alias, storage in media_storages().items():
            for name in walk_storage(storage):
                with storage.open(name, "rb") as handle:
                    add(f"media/{alias}/{name}", handle.read())
                manifest["media"].append({"storage": alias, "name": name})
        _add_keys(manifest, add, passphrase, keys_in_clear, summary)

        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(body))
                for name in manifest["members"]:
                    tar.add(staging / name, arcname=name, recursive=False)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    summary.counts = manifest["counts"]
    summary.media_files = len(manifest["media"])
    summary.key_files = len(manifest["keys"])
    summary.size = path.stat().st_size
    summary.seconds = time.monotonic() - started
    return summary


def _dump_database(manifest, staging: Path, add, using):
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not connection.savepoint_ids:
            with connection.cursor() as cursor:  # one snapshot of every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in tables():
            name = member_name(model)
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8") as out:
                count = dump_table(model, out)
            manifest["counts"][model._meta.label_lower] = count
            manifest["tables"].append({"model": model._meta.label_lower, "member": name})
            add(name)


def _add_keys(manifest, add, passphrase, keys_in_clear, summary):
    root = key_dir()
    secret = None
    if passphrase and not keys_in_clear:
        salt = os.urandom(16)
        secret = derive_key(passphrase, salt)
        manifest["encryption"] = {
            "cipher": "AES-256-GCM",
            "kdf": "scrypt",
            **SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "check": base64.b64encode(seal(secret, "check", PASSPHRASE_CHECK)).decode(),
        }
    private_seen = False
    for relative, path in key_files(root):
        data = path.read_bytes()
        mode = path.stat().st_mode & 0o777
        if not is_private_key(relative, data):
            add(f"keys/{relative}", data)
            manifest["keys"].append({"path": relative, "mode": mode, "private": ""})
            continue
        private_seen = True
        if keys_in_clear:
            add(f"keys/{relative}", data)
            manifest["keys"].append({"path": relative, "mode": mode, "private": "clear"})
        elif secret is not None:
            member = f"keys/{relative}.sealed"
            add(member, seal(secret, relative, data))
            manifest["keys"].append({"path": relative, "mode": mode, "private": "encrypted"})
        else:
            manifest["private_keys_omitted"].append(relative)
    if manifest["private_keys_omitted"]:
        summary.private_keys = "omitted"
        summary.warnings.append(
            f"{len(manifest['private_keys_omitted'])} private key(s) left out "
            f"({', '.join(manifest['private_keys_omitted'])}): without them a restored site "
            f"cannot sign. Set {PASSPHRASE_ENV} or give --passphrase-file to include them "
            "encrypted."
        )
    elif private_seen:
        summary.private_keys = "clear" if keys_in_clear else "encrypted"
    if keys_in_clear and private_seen:
        summary.warnings.append(
            "Private keys are in this archive IN THE CLEAR: keep it as safe as the key directory."
        )
