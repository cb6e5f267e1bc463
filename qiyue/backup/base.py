"""What the archive is: its format version, its errors, the summary a run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PASSPHRASE_ENV = "QIYUE_BACKUP_PASSPHRASE"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # ~0.1 s and 32 MiB per derivation
PASSPHRASE_CHECK = b"qiyue backup passphrase check"
ROWS_PER_BATCH = 2000


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
