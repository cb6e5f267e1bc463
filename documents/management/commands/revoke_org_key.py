from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents.revocation import RevocationError, revoke_org_key


class Command(BaseCommand):
    help = (
        "Revoke an organisation's signing key (county CA): its certificate is listed in the "
        "CRL at once and it signs nothing any more. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="The organisation's code.")
        parser.add_argument("--reason", required=True, help="Why the key is revoked.")
        parser.add_argument("--by", required=True, help="User name of the official revoking it.")

    def handle(self, *args, code: str, reason: str, by: str, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"No user {by!r}.")
        try:
            revocation = revoke_org_key(user, code, reason)
        except RevocationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"revoked: {revocation.org_name} ({revocation.org_code}), certificate {revocation.serial}"
        )
