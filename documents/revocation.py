"""Revoking an organisation's signing key: the county CA's act, audited.

The key stays where it is, but the county CA lists its certificate in the CRL at once, so
it signs nothing any more (documents/signing.py refuses) and every reader that checks the
CRL sees its later signatures as revoked. Signatures it made before stay valid: a paper is
checked as of when it was produced.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ground import audit
from ground.acts import Act

from . import crl, pki
from .models import KeyRevocation


class RevocationError(Exception):
    """The key cannot be revoked (no such key, already revoked, no reason given)."""


def _the_key(org_code: str, reason: str, no_reason: str):
    """Both acts' first checks: a reason given, and a key issued to ``org_code``; the reason
    (stripped), the key and its certificate's serial (hex)."""
    reason = (reason or "").strip()
    if not reason:
        raise RevocationError(no_reason)
    try:
        key = pki.get_org_key(org_code)
    except pki.PKIError as exc:
        raise RevocationError(
            _("No signing key was issued to organisation %(code)s.") % {"code": org_code}
        ) from exc
    return reason, key, format(key.certificate.serial_number, "x")


def revoke_org_key(actor, org_code: str, reason: str) -> KeyRevocation:
    """Revoke ``org_code``'s certificate: the CRL re-issued, the act recorded and audited."""
    reason, key, serial = _the_key(org_code, reason, _("Give the reason for revoking the key."))
    if KeyRevocation.objects.filter(serial=serial).exists():
        raise RevocationError(
            _("The signing key of %(organisation)s is already revoked.")
            % {"organisation": key.org_name}
        )
    with transaction.atomic():
        revocation = KeyRevocation.objects.create(
            org_code=org_code,
            org_name=key.org_name,
            serial=serial,
            fingerprint=key.fingerprint,
            reason=reason,
            revoked_at=timezone.now(),
            revoked_by=actor if actor is not None and actor.is_authenticated else None,
        )
        entry = crl.revoke(key.certificate)  # last: a failure here undoes the row
        revocation.revoked_at = entry.revoked_at
        revocation.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            Act.ORG_KEY_REVOKE,
            revocation,
            after={"name": key.org_name, "code": org_code, "serial": serial},
            reason=reason,
        )
    pki.clear_caches()
    return revocation


def reissue_org_key(actor, org_code: str, reason: str):
    """A new signing key for an organisation whose key the county CA revoked: the old private
    key destroyed, a new certificate issued under the same name, the revocation's record
    completed and the act audited. Papers that could not be signed meanwhile are produced
    again by the sweep (documents/production.py retry_failed). A key that is not revoked is
    kept: replacing a sound key is not this act."""
    reason, key, serial = _the_key(org_code, reason, _("Give the reason for issuing a new key."))
    with transaction.atomic():
        revocation = KeyRevocation.objects.select_for_update().filter(serial=serial).first()
        if revocation is None:
            raise RevocationError(
                _(
                    "The signing key of %(organisation)s is not revoked: it stays in use. "
                    "Revoke it first if it must not sign any more."
                )
                % {"organisation": key.org_name}
            )
        try:
            # The files (or the token) change only once the rules have passed; a failure
            # here (no CA key, say) leaves the old certificate and the record as they were.
            new = pki.replace_org_key(org_code)
        except pki.PKIError as exc:
            raise RevocationError(str(exc)) from exc
        revocation.replaced_at = timezone.now()
        revocation.replaced_by = actor if actor is not None and actor.is_authenticated else None
        revocation.new_serial = format(new.certificate.serial_number, "x")
        revocation.save(update_fields=["replaced_at", "replaced_by", "new_serial"])
        audit.record(
            actor,
            Act.ORG_KEY_REISSUE,
            revocation,
            before={"serial": serial},
            after={
                "name": new.org_name,
                "code": org_code,
                "serial": revocation.new_serial,
                "sha256": new.fingerprint,
            },
            reason=reason,
        )
    pki.clear_caches()
    return new
