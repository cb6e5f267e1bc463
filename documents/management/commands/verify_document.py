from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.parsing import Unreadable
from documents.verification import AUTHENTIC, check


class Command(BaseCommand):
    help = "Check a PDF: an unaltered document of this system? Who signed it, when? Exits 1 unless authentic."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            verdict = check(file.read_bytes())
        except Unreadable as error:
            raise CommandError(f"{file}: {error}", returncode=1) from error
        self.stdout.write(f"{file}: {verdict.status}")
        self.stdout.write(f"  sha256 {verdict.sha256}")
        if verdict.version is not None:
            version = verdict.version
            self.stdout.write(
                f"  document {version.document.number} 《{version.document.title}》 version {version.number}"
            )
        if verdict.batch is not None:
            self.stdout.write(
                f"  combined print copy of batch {verdict.batch.pk} ({verdict.batch.project.name})"
            )
        for index, sig in enumerate(verdict.signatures, 1):
            when = sig.signed_at.isoformat() if sig.signed_at else "?"
            mark = "valid" if sig.ok else "INVALID"
            self.stdout.write(
                f"  signature {index}: {sig.org_name} / {sig.signer_name} ({sig.role}) at {when}: {mark}"
            )
        for problem in verdict.problems:
            self.stdout.write(f"  problem: {problem}")
        if verdict.status != AUTHENTIC:
            raise CommandError(f"{file} is {verdict.status}", returncode=1)
