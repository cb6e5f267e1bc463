"""Applying a checked plan in one transaction: regions, operators, accounts with their roles,
and the organisations' signing keys. Every change is an audited act (the grants through
``permissions.actions``); re-importing the same sheet changes nothing, since rows are matched
by region code, username and organisation and only what differs is updated."""

import secrets
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from documents import pki
from ground import audit
from ground.acts import Act
from permissions import actions as grants
from permissions.jurisdiction import operator_ids, roles_of
from permissions.models import Region
from permissions.roles import Level
from processes.papers.parties import operator_party, organisation_for, region_government

from ..models import Operator
from .sheet import COUNTY_UNIT_KINDS, GOVERNMENT_KINDS, OPERATOR_KINDS, ImportFailed, Outcome, Plan

_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password() -> str:
    """Twelve characters from an alphabet without look-alikes (0/O, 1/l/I)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _i in range(12))


def import_plan(actor, plan: Plan, *, key_dir=None) -> Outcome:
    """Apply a plan without errors, in one transaction; raises :class:`ImportFailed` (and
    writes nothing) when an organisation's key cannot be issued."""
    if not plan.ok:
        raise ImportFailed(_("The sheet has errors; nothing was imported."))
    outcome = Outcome()
    # Argon2 takes ~0.3 s of CPU per password: hash before the transaction, so the database
    # is held only for the writes (~10 s for 600 officials, not minutes).
    started = time.perf_counter()
    passwords = {
        p.username: p.password or generate_password() for p in plan.people if p.existing is None
    }
    hashed = {username: make_password(password) for username, password in passwords.items()}
    outcome.timings["hashing_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    try:
        _write(actor, plan, outcome, hashed, passwords, key_dir)
    except IntegrityError as exc:  # e.g. a renamed region clashes with a sibling's name
        raise ImportFailed(_("The database refused a row (%(error)s).") % {"error": exc}) from exc
    outcome.timings["writing_s"] = round(time.perf_counter() - started, 2)
    return outcome


def _write(actor, plan: Plan, outcome: Outcome, hashed, passwords, key_dir) -> None:
    with transaction.atomic():
        regions = _import_regions(actor, plan, outcome)
        operators = _import_orgs(actor, plan, outcome, regions)
        _import_people(actor, plan, outcome, regions, operators, hashed)
        _issue_keys(actor, plan, outcome, regions, operators, key_dir)
        outcome.passwords = [
            (p.username, p.full_name, passwords[p.username])
            for p in plan.people
            if p.existing is None and not p.password
        ]
        codes = [r.code for r in plan.regions] + [p.region_code for p in plan.people]
        codes = [code for code in codes + [o.region_code for o in plan.orgs] if code]
        county = regions[codes[0]].county if codes else None
        if county is not None:
            audit.record(
                actor,
                Act.COUNTY_IMPORT,
                county.county,
                after={
                    "sha256": plan.digest,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "grants": outcome.grants,
                    "revokes": outcome.revokes,
                    "keys": outcome.keys_issued,
                },
            )


def _region_fields(region: Region) -> dict:
    return {"name": region.name, "code": region.code, "credit_code": region.credit_code}


def _import_regions(actor, plan: Plan, outcome: Outcome) -> dict[str, Region]:
    by_code = {r.code: r for r in Region.objects.exclude(code="")}
    order = {Level.COUNTY: 0, Level.TOWNSHIP: 1, Level.VILLAGE: 2}
    for item in sorted(plan.regions, key=lambda r: order[r.level]):
        region = item.existing
        if region is None:
            region = Region.objects.create(
                name=item.name,
                level=item.level,
                parent=by_code.get(item.parent_code),
                code=item.code,
            )
            audit.record(
                actor,
                Act.REGION_CREATE,
                region,
                after={**_region_fields(region), "level": region.level, "path": region.full_name},
            )
            outcome.created["regions"] += 1
        elif (region.name, region.code) != (item.name, item.code):
            before = _region_fields(region)
            region.name, region.code = item.name, item.code
            region.save()
            audit.record(
                actor, Act.REGION_UPDATE, region, before=before, after=_region_fields(region)
            )
            outcome.updated["regions"] += 1
        by_code[item.code] = region
    return by_code


def _import_orgs(actor, plan: Plan, outcome: Outcome, regions) -> dict:
    operators = {}
    for item in plan.orgs:
        region = regions[item.region_code]
        if item.kind in GOVERNMENT_KINDS and item.credit_code != region.credit_code:
            if item.credit_code:
                before = _region_fields(region)
                region.credit_code = item.credit_code
                region.save(update_fields=["credit_code"])
                audit.record(
                    actor, Act.REGION_UPDATE, region, before=before, after=_region_fields(region)
                )
                outcome.updated["regions"] += 1
        if item.kind not in OPERATOR_KINDS:
            continue
        fields = {
            "name": item.name,
            "kind": OPERATOR_KINDS[item.kind],
            "credit_code": item.credit_code,
            "legal_representative": item.representative,
            "phone": item.phone,
            "township": region,
        }
        operator = item.existing_operator
        if operator is None:
            operator = Operator.objects.create(**fields)
            audit.record(actor, Act.OPERATOR_CREATE, operator, after=_operator_fields(operator))
            outcome.created["operators"] += 1
        else:
            before = _operator_fields(operator)
            for name, value in fields.items():
                setattr(operator, name, value)
            if _operator_fields(operator) != before:
                operator.save()
                audit.record(
                    actor,
                    Act.OPERATOR_UPDATE,
                    operator,
                    before=before,
                    after=_operator_fields(operator),
                )
                outcome.updated["operators"] += 1
        operators[operator.name] = operator
    return operators


def _operator_fields(operator) -> dict:
    return {
        "name": operator.name,
        "kind": operator.kind,
        "credit_code": operator.credit_code,
        "legal_representative": operator.legal_representative,
        "phone": operator.phone,
        "township": operator.township_id,
    }


def _user_fields(user) -> dict:
    return {"username": user.username, "full_name": user.full_name, "phone": user.phone}


def _import_people(actor, plan: Plan, outcome: Outcome, regions, operators, hashed) -> None:
    User = get_user_model()
    for item in plan.people:
        user = item.existing
        if user is None:
            user = User(username=item.username, full_name=item.full_name, phone=item.phone)
            user.password = hashed[item.username]
            user.save()
            audit.record(actor, Act.USER_CREATE, user, after=_user_fields(user))
            outcome.created["users"] += 1
        elif (user.full_name, user.phone) != (item.full_name, item.phone):
            before = _user_fields(user)
            user.full_name, user.phone = item.full_name, item.phone
            user.save(update_fields=["full_name", "phone"])
            audit.record(actor, Act.USER_UPDATE, user, before=before, after=_user_fields(user))
            outcome.updated["users"] += 1
        if item.role is None:
            operator = operators.get(item.operator_name) or Operator.objects.get(
                name=item.operator_name
            )
            if operator.pk not in operator_ids(user):
                grants.grant_operator_access(actor, user, operator)
                outcome.grants += 1
            continue
        region = regions[item.region_code]
        held = roles_of(user)
        if not any(h.role == item.role and h.region.pk == region.pk for h in held):
            grants.grant_role(actor, user, item.role, region)
            outcome.grants += 1
        # One row, one role: a role the sheet no longer gives this person is revoked.
        for other in held:
            if not (other.role == item.role and other.region.pk == region.pk):
                grants.revoke_role(
                    actor,
                    user,
                    other.role,
                    other.region,
                    reason=_("Changed by the county import sheet."),
                )
                outcome.revokes += 1


def _issue_keys(actor, plan: Plan, outcome: Outcome, regions, operators, key_dir) -> None:
    wanted = [item for item in plan.orgs if item.issue_key]
    if not wanted:
        return
    try:
        first = regions[wanted[0].region_code]
        county = first.county
        ca = pki.create_county_ca(county.name, key_dir=key_dir)
        outcome.ca_created = ca.created
        if ca.county_name != county.name:
            outcome.ca_note = _(
                "The key directory holds the certificate authority of %(name)s."
            ) % {"name": ca.county_name}
        for item in wanted:
            region = regions[item.region_code]
            if item.kind in OPERATOR_KINDS:
                target = operators[item.name]
                party = operator_party(target)
            elif item.kind in COUNTY_UNIT_KINDS:
                target = region
                party = organisation_for(COUNTY_UNIT_KINDS[item.kind], region)
            else:
                target = region
                party = region_government(region)
            key = pki.issue_org_key(party.name, party.code, key_dir=key_dir)
            if key.created:
                audit.record(
                    actor,
                    Act.ORG_KEY_ISSUE,
                    target,
                    after={"name": party.name, "code": party.code, "sha256": key.fingerprint},
                )
                outcome.keys_issued.append(party.name)
    except pki.PKIError as exc:
        raise ImportFailed(str(exc)) from exc
