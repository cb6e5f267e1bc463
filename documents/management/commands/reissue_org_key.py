"""``manage.py reissue_org_key --code <code> --reason "…" --by <user>``: a new signing key for
an organisation whose key the county CA revoked (documents/revocation.py). Audited."""

from documents.management.key_acts import KeyActCommand
from documents.revocation import reissue_org_key


class Command(KeyActCommand):
    help = (
        "Issue a new signing key to an organisation whose key was revoked (county CA): the old "
        "private key is destroyed, a new certificate issued under the same name. Audited."
    )
    reason_help = "Why a new key is issued."

    def act(self, user, code, reason):
        return reissue_org_key(user, code, reason)

    def done(self, key):
        return (
            f"new key: {key.org_name} ({key.org_code}), certificate "
            f"{format(key.certificate.serial_number, 'x')}, valid until {key.not_after:%Y-%m-%d}"
        )
