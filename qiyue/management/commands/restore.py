"""``manage.py restore ARCHIVE``: into an empty database (and empty media and key directory),
after checking every member of the archive against its manifest; then verifies the audit chain
and every paper's stored file, and prints the counts (qiyue/backup.py)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from qiyue import backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database, then verify what was restored."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a .tar.gz written by manage.py backup")
        parser.add_argument(
            "--passphrase-file",
            help=f"file holding the passphrase of the private keys (else ${backup.PASSPHRASE_ENV})",
        )
        parser.add_argument(
            "--force-replace",
            action="store_true",
            help="replace whatever the database, media and key directory already hold",
        )

    def handle(self, *args, archive, passphrase_file=None, force_replace=False, **options):
        def migrate():
            call_command("migrate", interactive=False, verbosity=0)

        try:
            summary = backup.restore(
                archive,
                passphrase=backup.read_passphrase(passphrase_file),
                force_replace=force_replace,
                migrate=migrate,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        for label, count in summary.counts.items():
            if count:
                self.stdout.write(f"  {label}: {count:,}")
        rows = sum(summary.counts.values())
        if summary.problems:
            raise CommandError(
                "restored, but the checks FAILED:\n  " + "\n  ".join(summary.problems),
                returncode=1,
            )
        call_command("verify_audit", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {summary.path} in {summary.seconds:.1f} s: {rows:,} rows in "
                f"{len(summary.counts)} tables (as archived), {summary.media_files} media files, "
                f"{summary.key_files} key files; {backup.document_file_count()} papers' files "
                "match their SHA-256"
            )
        )
