"""What ``revoke_org_key`` and ``reissue_org_key`` share: the organisation's code, the reason and
the official acting (``--by``), the act called with them, its refusal as the command's error."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents.revocation import RevocationError


class KeyActCommand(BaseCommand):
    reason_help = "Why."

    def act(self, user, code: str, reason: str):
        raise NotImplementedError

    def done(self, result) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="The organisation's code.")
        parser.add_argument("--reason", required=True, help=self.reason_help)
        parser.add_argument("--by", required=True, help="User name of the official acting.")

    def handle(self, *args, code: str, reason: str, by: str, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"No user {by!r}.")
        try:
            result = self.act(user, code, reason)
        except RevocationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.done(result))
