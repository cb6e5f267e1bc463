"""One archive that holds a deployment: database, media and the key directory.

``manage.py backup OUT`` writes a ``.tar.gz`` whose first member, ``manifest.json``, records
the format version, the app version and commit, the time, the database vendor, the applied
migrations, the row count of every table and the SHA-256 of every other member.
``manage.py restore ARCHIVE`` checks every member against the manifest before it writes
anything, then restores into an empty database in one transaction.

The database goes in as one JSON-lines member per table (every concrete table, including
m2m tables, viewflow's process and task rows and guardian's object permissions), each row
with its primary key, in foreign-key order. Why not the alternatives:

- ``dumpdata``/``loaddata`` loses data: its JSON encoder cuts datetimes to milliseconds, and
  the audit chain hashes each entry's time to the microsecond, so ``verify_audit`` would fail
  on every restored entry; m2m rows get new ids.
- ``pg_dump -Fc`` and SQLite's backup API are exact but tie the archive to one vendor (and
  ``pg_dump`` to a client no older than the server). A county starts on the embedded SQLite
  and moves to PostgreSQL as it grows: this archive restores into either.

Values are written exactly (datetimes to the microsecond with their offset, decimals as
strings, bytes as base64) and read back through each field's ``to_python``; rows are
inserted raw (no ``auto_now``, no signals), and PostgreSQL's sequences are reset after.

Media come through the storage API (every storage in ``STORAGES`` but static files), so an
S3-compatible storage is backed up the same way. Private keys are never in the archive in
the clear unless asked: with a passphrase each is sealed with AES-256-GCM under a key derived
by scrypt; with neither, they are left out and the command says so.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.duration import duration_string

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PASSPHRASE_ENV = "QIYUE_BACKUP_PASSPHRASE"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # ~0.1 s and 32 MiB per derivation
_CHECK = b"qiyue backup passphrase check"
_CHUNK = 2000


class BackupError(Exception):
    """The archive or the target cannot be used; the message says why, and nothing was written."""


@dataclass
class Summary:
    path: Path
    size: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    key_files: int = 0
    private_keys: str = "omitted"  # "encrypted", "clear" or "omitted"
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # after a restore: checks that failed


# ---------------------------------------------------------------------------- tables


def tables() -> list[type[models.Model]]:
    """Every table Django manages, parents before the rows that point at them."""
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    by_table = {m._meta.db_table: m for m in candidates}
    ordered, placed, visiting = [], set(), set()

    def place(model):
        if model in placed or model in visiting:  # a cycle: deferred constraints carry it
            return
        visiting.add(model)
        for f in model._meta.local_concrete_fields:
            target = getattr(f.remote_field, "model", None) if f.remote_field else None
            if target is not None and target._meta.db_table in by_table:
                place(by_table[target._meta.db_table])
        visiting.discard(model)
        placed.add(model)
        ordered.append(model)

    for model in sorted(candidates, key=lambda m: m._meta.label_lower):
        place(model)
    return ordered


def _encode(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # microseconds and offset kept
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(f, value):
    if value is None or isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def _dump_table(model, out) -> int:
    # Its own table's columns: a child of multi-table inheritance leaves its parent's to it.
    fields = model._meta.local_concrete_fields
    names = [f.attname for f in fields]
    out.write(json.dumps({"table": model._meta.label_lower, "columns": names}) + "\n")
    # A third-party field (viewflow's flow and task references, tokens) is written as its
    # database value; Django's own fields as their value, exactly.
    prepare = [
        None if type(f).__module__.startswith("django.") else f.get_prep_value for f in fields
    ]
    count = 0
    rows = model._base_manager.order_by("pk").values_list(*names)
    for row in rows.iterator(chunk_size=_CHUNK):
        values = [
            _encode(v if p is None or v is None else p(v))
            for p, v in zip(prepare, row, strict=True)
        ]
        out.write(json.dumps(values, ensure_ascii=False) + "\n")
        count += 1
    return count


def _load_table(model, lines, using) -> int:
    header = json.loads(next(lines))
    by_name = {f.attname: f for f in model._meta.local_concrete_fields}
    if header["table"] != model._meta.label_lower or set(header["columns"]) != set(by_name):
        raise BackupError(
            f"Table {model._meta.label_lower}: the archive's columns {header['columns']} "
            "are not this version's; restore with the version that made the archive."
        )
    columns = [by_name[name] for name in header["columns"]]
    batch_size = max(1, 900 // len(columns))  # SQLite's bound-parameter limit
    count, batch = 0, []
    for line in lines:
        values = json.loads(line)
        batch.append(
            model(**{f.attname: _decode(f, v) for f, v in zip(columns, values, strict=True)})
        )
        if len(batch) >= batch_size:
            model._base_manager.using(using)._insert(batch, fields=columns, raw=True, using=using)
            count, batch = count + len(batch), []
    if batch:
        model._base_manager.using(using)._insert(batch, fields=columns, raw=True, using=using)
        count += len(batch)
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _member(model) -> str:
    return f"db/{model._meta.label_lower}.jsonl"


def applied_migrations(using=DEFAULT_DB_ALIAS) -> list[list[str]]:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.applied_migrations)


def _code_migrations() -> list[list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.graph.nodes)


# ---------------------------------------------------------------------------- media and keys


def _media_storages() -> dict[str, object]:
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


def _walk(storage, path=""):
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # nothing stored yet
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for name in sorted(directories):
        yield from _walk(storage, f"{path}/{name}" if path else name)


def _key_dir() -> Path:
    from documents import pki  # where documents/pki.py keeps the keys

    return pki.resolve_key_dir()


def _key_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix(), path  # not .lock nor a half-written .tmp


def is_private_key(name: str, data: bytes) -> bool:
    return b"PRIVATE KEY-----" in data or PurePosixPath(name).name.endswith("key.pem")


def _derive(passphrase: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase)


def _seal(secret: bytes, name: str, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return nonce + AESGCM(secret).encrypt(nonce, data, name.encode())  # the name is bound in


def _open(secret: bytes, name: str, sealed: bytes) -> bytes:
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


# ---------------------------------------------------------------------------- backup


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
            manifest["members"][name] = {"sha256": _sha256(target), "size": target.stat().st_size}

        _dump_database(manifest, staging, add, using)
        for alias, storage in _media_storages().items():
            for name in _walk(storage):
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
            name = _member(model)
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8") as out:
                count = _dump_table(model, out)
            manifest["counts"][model._meta.label_lower] = count
            manifest["tables"].append({"model": model._meta.label_lower, "member": name})
            add(name)


def _add_keys(manifest, add, passphrase, keys_in_clear, summary):
    root = _key_dir()
    secret = None
    if passphrase and not keys_in_clear:
        salt = os.urandom(16)
        secret = _derive(passphrase, salt)
        manifest["encryption"] = {
            "cipher": "AES-256-GCM",
            "kdf": "scrypt",
            **_SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "check": base64.b64encode(_seal(secret, "check", _CHECK)).decode(),
        }
    private_seen = False
    for relative, path in _key_files(root):
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
            add(member, _seal(secret, relative, data))
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


# ---------------------------------------------------------------------------- restore


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
        elif _sha256(target) != entry["sha256"]:
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
    for alias, storage in _media_storages().items():
        stored = sum(1 for _ in _walk(storage))
        if stored:
            found.append(f"{stored} file(s) in storage {alias!r}")
    keys = sum(1 for _ in _key_files(_key_dir()))
    if keys:
        found.append(f"{keys} file(s) in the key directory {_key_dir()}")
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
        code = _code_migrations()
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
                    summary.counts[table["model"]] = _load_table(model, lines, using)
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
        secret = _derive(passphrase, base64.b64decode(encryption["salt"]))
        _open(secret, "check", base64.b64decode(encryption["check"]))
    files = []
    for entry in manifest["keys"]:
        if entry["private"] == "encrypted":
            data = _open(
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
    chosen = _media_storages()
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

    root = _key_dir()
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
