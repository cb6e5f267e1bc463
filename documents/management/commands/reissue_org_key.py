"""``manage.py reissue_org_key --code <code> --reason "…" --by <user>``: a new signing key for
an organisation whose key the county CA revoked (documents/revocation.py). Audited."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents.revocation import RevocationError, reissue_org_key


class Command(BaseCommand):
    help = (
        "Issue a new signing key to an organisation whose key was revoked (county CA): the old "
        "private key is destroyed, a new certificate issued under the same name. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="The organisation's code.")
        parser.add_argument("--reason", required=True, help="Why a new key is issued.")
        parser.add_argument("--by", required=True, help="User name of the official issuing it.")

    def handle(self, *args, code: str, reason: str, by: str, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"No user {by!r}.")
        try:
            key = reissue_org_key(user, code, reason)
        except RevocationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"new key: {key.org_name} ({key.org_code}), certificate "
            f"{format(key.certificate.serial_number, 'x')}, valid until {key.not_after:%Y-%m-%d}"
        )
