"""``manage.py issue_org_key --name 织金县珠藏镇人民政府 --code <code>``: an organisation's key.

The county CA (``create_ca``) must exist. Idempotent per code: an existing key is kept.
"""

from django.core.management.base import BaseCommand, CommandError

from documents import pki


class Command(BaseCommand):
    help = (
        "Issue an organisation's signing key and certificate from the county certificate authority."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", required=True, help="organisation name, e.g. 织金县珠藏镇人民政府"
        )
        parser.add_argument(
            "--code",
            required=True,
            help="unified social credit code or region code (letters, digits, - _)",
        )
        parser.add_argument("--unit", default="", help="organisational unit (optional)")
        parser.add_argument(
            "--valid-years", type=int, default=5, help="validity of a new certificate"
        )
        parser.add_argument(
            "--key-dir",
            default=None,
            help=f"key directory (default: ${pki.KEY_DIR_ENV} or var/keys)",
        )

    def handle(self, *args, name, code, unit, valid_years, key_dir, **options):
        try:
            org = pki.issue_org_key(name, code, unit=unit, key_dir=key_dir, valid_years=valid_years)
            ca = pki.get_ca(key_dir=key_dir)
        except pki.PKIError as exc:
            raise CommandError(str(exc)) from exc
        if org.created:
            self.stdout.write(
                self.style.SUCCESS(f"Issued a signing key to {org.org_name} ({org.org_code}).")
            )
        else:
            self.stdout.write(f"{org.org_name} ({org.org_code}) already has a signing key; kept.")
        self.stdout.write(f"  subject:     {org.certificate.subject.rfc4514_string()}")
        self.stdout.write(f"  issuer:      {org.certificate.issuer.rfc4514_string()}")
        self.stdout.write(f"  certificate: {org.cert_path}")
        self.stdout.write(f"  private key: {org.key_path}")
        self.stdout.write(f"  valid until: {org.not_after:%Y-%m-%d}")
        self.stdout.write(f"  SHA-256:     {org.fingerprint}")
        self.stdout.write(f"  CA SHA-256:  {ca.fingerprint}")
