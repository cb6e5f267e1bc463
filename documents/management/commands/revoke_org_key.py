from documents.management.key_acts import KeyActCommand
from documents.revocation import revoke_org_key


class Command(KeyActCommand):
    help = (
        "Revoke an organisation's signing key (county CA): its certificate is listed in the "
        "CRL at once and it signs nothing any more. Audited."
    )
    reason_help = "Why the key is revoked."

    def act(self, user, code, reason):
        return revoke_org_key(user, code, reason)

    def done(self, revocation):
        return (
            f"revoked: {revocation.org_name} ({revocation.org_code}), "
            f"certificate {revocation.serial}"
        )
