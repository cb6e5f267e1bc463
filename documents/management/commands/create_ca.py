"""``manage.py create_ca --county 织金县``: create the county certificate authority.

Idempotent: when the key directory already holds a CA, it is kept and described.
"""

from django.core.management.base import BaseCommand, CommandError

from documents import pki


class Command(BaseCommand):
    help = "Create the county certificate authority that issues the organisations' signing keys."

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="county name, e.g. 织金县")
        parser.add_argument(
            "--valid-years", type=int, default=20, help="validity of a new CA certificate"
        )
        parser.add_argument(
            "--key-dir",
            default=None,
            help=f"key directory (default: ${pki.KEY_DIR_ENV} or var/keys)",
        )

    def handle(self, *args, county, valid_years, key_dir, **options):
        try:
            ca = pki.create_county_ca(county, valid_years=valid_years, key_dir=key_dir)
        except pki.PKIError as exc:
            raise CommandError(str(exc)) from exc
        if ca.created:
            self.stdout.write(
                self.style.SUCCESS(f"Created the certificate authority of {ca.county_name}.")
            )
        else:
            self.stdout.write(
                f"The certificate authority of {ca.county_name} already exists; kept."
            )
            if ca.county_name != county.strip():
                self.stdout.write(
                    self.style.WARNING(f"Note: it was created for {ca.county_name}, not {county}.")
                )
        subject = ca.certificate.subject.rfc4514_string()
        self.stdout.write(f"  subject:     {subject}")
        self.stdout.write(f"  certificate: {ca.cert_path}")
        self.stdout.write(f"  private key: {ca.key_path}")
        self.stdout.write(f"  valid until: {ca.not_after:%Y-%m-%d}")
        self.stdout.write(f"  SHA-256:     {ca.fingerprint}")
