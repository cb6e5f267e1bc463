"""``manage.py restore``: check every member against the manifest, then restore into an empty database."""

from __future__ import annotations

import base64
import hashlib
import json
import tarfile
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from ground.files import sha256_of

from .base import FORMAT_VERSION, MANIFEST, PASSPHRASE_ENV, BackupError, Summary
from .keys import derive_key, key_dir, key_files, media_storages, open_sealed, walk_storage
from .tables import applied_migrations, code_migrations, load_table, tables


def _unpack(archive: Path, into: Path) -> dict:
    """Extract and check every member against the manifest; raise before anything is used."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable backup archive: {error}") from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive} has no readable {MANIFEST}: {error}") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} is backup format {manifest.get('format')!r}; this version reads "
            f"format {FORMAT_VERSION}."
        )
    expected = manifest["members"]
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if present - set(expected):
        raise BackupError(
            f"{archive} holds members its manifest does not list: {sorted(present - set(expected))}"
        )
    bad = []
    for name, entry in expected.items():
        target = into / name
        if not target.is_file():
            bad.append(f"{name} (missing)")
        elif sha256_of(target) != entry["sha256"]:
            bad.append(f"{name} (SHA-256 differs from the manifest)")
    if bad:
        raise BackupError(
            f"{archive} is damaged; nothing was restored. Bad members: {', '.join(bad)}"
        )
    return manifest


def target_contents(using=DEFAULT_DB_ALIAS) -> list[str]:
    """What the target already holds that a restore would replace (empty: safe to restore)."""
    from django.contrib.auth import get_user_model

    from ground.models import AuditEntry

    found = []
    users, entries = get_user_model()._base_manager.using(using), AuditEntry.objects.using(using)
    if users.exists():
        found.append(f"{users.count()} user account(s)")
    if entries.exists():
        found.append(f"{entries.count()} audit entries")
    for alias, storage in media_storages().items():
        stored = sum(1 for _ in walk_storage(storage))
        if stored:
            found.append(f"{stored} file(s) in storage {alias!r}")
    keys = sum(1 for _ in key_files(key_dir()))
    if keys:
        found.append(f"{keys} file(s) in the key directory {key_dir()}")
    return found


def restore(
    archive,
    *,
    passphrase: bytes | None = None,
    force_replace: bool = False,
    using=DEFAULT_DB_ALIAS,
    migrate=None,
) -> Summary:
    started = time.monotonic()
    archive = Path(archive)
    summary = Summary(path=archive)
    with tempfile.TemporaryDirectory(prefix=".qiyue-restore-") as unpacked:
        unpacked = Path(unpacked)
        manifest = _unpack(archive, unpacked)
        code = code_migrations()
        if set(map(tuple, manifest["migrations"])) != set(map(tuple, code)):
            commit = manifest["app"].get("commit") or "unknown"
            raise BackupError(
                "The archive was made by another version of Qiyue (its migrations differ from "
                f"this checkout's): restore it with commit {commit[:12]}, then upgrade."
            )
        keys = _open_keys(manifest, unpacked, passphrase, summary)
        if migrate is not None:
            migrate()  # the schema, in a database that has none yet
        if set(map(tuple, applied_migrations(using))) != set(map(tuple, code)):
            raise BackupError("The target database's migrations are not this checkout's.")
        present = target_contents(using)
        if present and not force_replace:
            raise BackupError(
                f"The target is not empty ({'; '.join(present)}); nothing was restored. "
                "Restore into a new empty database, or give --force-replace to replace it all."
            )
        connection = connections[using]
        models_in_order = tables()
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:  # what migrate wrote: content types, the chain head
                for sql in connection.ops.sql_flush(
                    no_style(),
                    [m._meta.db_table for m in models_in_order],
                    allow_cascade=True,
                ):
                    cursor.execute(sql)
            by_label = {m._meta.label_lower: m for m in models_in_order}
            for table in manifest["tables"]:
                model = by_label.get(table["model"])
                if model is None:
                    raise BackupError(f"This version has no table {table['model']}.")
                with open(unpacked / table["member"], encoding="utf-8") as lines:
                    summary.counts[table["model"]] = load_table(model, lines, using)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models_in_order):
                    cursor.execute(sql)
            _restore_media(manifest, unpacked, force_replace, summary)
            _restore_keys(keys, force_replace, summary)
    from documents import pki

    pki.clear_caches()
    summary.problems = check_restored(manifest["counts"], summary.counts, using)
    summary.seconds = time.monotonic() - started
    return summary


def _open_keys(manifest, unpacked: Path, passphrase, summary) -> list[tuple[str, int, bytes]]:
    """The key files to write, decrypted in memory (a wrong passphrase stops here)."""
    sealed = [k for k in manifest["keys"] if k["private"] == "encrypted"]
    secret = None
    if sealed:
        if not passphrase:
            raise BackupError(
                f"The archive's private keys are encrypted: set {PASSPHRASE_ENV} or give "
                "--passphrase-file."
            )
        encryption = manifest["encryption"]
        secret = derive_key(passphrase, base64.b64decode(encryption["salt"]))
        open_sealed(secret, "check", base64.b64decode(encryption["check"]))
    files = []
    for entry in manifest["keys"]:
        if entry["private"] == "encrypted":
            data = open_sealed(
                secret, entry["path"], (unpacked / f"keys/{entry['path']}.sealed").read_bytes()
            )
        else:
            data = (unpacked / f"keys/{entry['path']}").read_bytes()
        files.append((entry["path"], entry["mode"], data))
    if manifest["private_keys_omitted"]:
        summary.warnings.append(
            "The archive holds no private keys "
            f"({', '.join(manifest['private_keys_omitted'])}): papers verify, but this site "
            "cannot sign until they are put back into the key directory."
        )
    summary.key_files = len(files)
    return files


def _restore_media(manifest, unpacked: Path, force_replace: bool, summary):
    chosen = media_storages()
    for entry in manifest["media"]:
        storage = chosen.get(entry["storage"]) or storages["default"]
        name = entry["name"]
        if force_replace and storage.exists(name):
            storage.delete(name)
        data = (unpacked / f"media/{entry['storage']}/{name}").read_bytes()
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise BackupError(f"Storage kept {name} as {saved}; the target storage is not empty.")
        summary.media_files += 1


def _restore_keys(files, force_replace: bool, summary):
    from documents import keyfiles

    root = key_dir()
    for relative, mode, data in files:
        target = root / relative
        if target.exists() and not force_replace:
            raise BackupError(f"{target} exists; the key directory is not empty.")
        keyfiles.write_private(target, data, mode)  # atomic, never briefly world-readable


def check_restored(expected: dict[str, int], loaded: dict[str, int], using=DEFAULT_DB_ALIAS):
    """After a restore: counts as archived, the audit chain intact, every paper's file hashing
    to its recorded SHA-256. Returns the problems found (none: the restore is whole)."""
    from ground.audit import verify_chain

    problems = [
        f"{label}: {loaded.get(label)} rows restored, {count} archived"
        for label, count in expected.items()
        if loaded.get(label) != count
    ]
    broken = verify_chain()
    if broken is not None:
        problems.append(f"audit chain broken at entry #{broken.seq}: {broken.problem}")
    problems += stored_file_problems()
    return problems


def stored_file_problems() -> list[str]:
    """Produced papers (documents app) whose stored file is missing or not the recorded bytes."""
    version_model = apps.get_model("documents", "DocumentVersion")
    batch_model = apps.get_model("documents", "Batch")
    problems = []
    checks = [
        (f"version {v.pk}", v.pdf, v.sha256)
        for v in version_model.objects.filter(status="ready").exclude(pdf="")
    ] + [
        (f"batch {b.pk}", b.combined, b.combined_sha256)
        for b in batch_model.objects.exclude(combined="")
    ]
    for label, file, sha256 in checks:
        try:
            with file.open("rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            problems.append(f"document {label}: file {file.name} is missing")
            continue
        if digest != sha256:
            problems.append(f"document {label}: file {file.name} does not match its SHA-256")
    return problems


def document_file_count() -> int:
    version_model = apps.get_model("documents", "DocumentVersion")
    return version_model.objects.filter(status="ready").exclude(pdf="").count()
