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

from .base import FORMAT_VERSION, MANIFEST, PASSPHRASE_ENV, BackupError, Summary
from .keys import is_private_key, read_passphrase
from .make import backup
from .restore import (
    check_restored,
    document_file_count,
    restore,
    stored_file_problems,
    target_contents,
)
from .tables import applied_migrations, tables

__all__ = [
    "BackupError",
    "FORMAT_VERSION",
    "MANIFEST",
    "PASSPHRASE_ENV",
    "Summary",
    "applied_migrations",
    "backup",
    "check_restored",
    "document_file_count",
    "is_private_key",
    "read_passphrase",
    "restore",
    "stored_file_problems",
    "tables",
    "target_contents",
]
