"""``manage.py backup OUT.tar.gz`` (or a directory): the database, media and key directory in
one archive (qiyue/backup.py). Private keys go in encrypted with the passphrase from
``$QIYUE_BACKUP_PASSPHRASE`` or ``--passphrase-file``; without one they are left out."""

from django.core.management.base import BaseCommand, CommandError

from qiyue import backup


class Command(BaseCommand):
    help = "Write one archive of the database, media and key directory (private keys encrypted)."

    def add_arguments(self, parser):
        parser.add_argument("out", help="an archive name ending .tar.gz, or a directory")
        parser.add_argument(
            "--passphrase-file",
            help=f"file holding the passphrase that encrypts private keys (else ${backup.PASSPHRASE_ENV})",
        )
        parser.add_argument(
            "--include-private-keys-in-clear",
            action="store_true",
            help="store private keys unencrypted (keep the archive as safe as the key directory)",
        )

    def handle(self, *args, out, passphrase_file=None, include_private_keys_in_clear=False, **o):
        try:
            passphrase = backup.read_passphrase(passphrase_file)
            summary = backup.backup(
                out, passphrase=passphrase, keys_in_clear=include_private_keys_in_clear
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        rows = sum(summary.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written: {summary.path} ({summary.size:,} bytes) in "
                f"{summary.seconds:.1f} s: {rows:,} rows in {len(summary.counts)} tables, "
                f"{summary.media_files} media files, {summary.key_files} key files "
                f"(private keys {summary.private_keys})"
            )
        )
