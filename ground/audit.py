"""The audit trail: every state-changing act appends one hash-chained entry.

Action functions call :func:`record` inside their transaction, so the entry commits or
rolls back with the change it describes. Writers serialise on the chain head row
(``SELECT … FOR UPDATE``), which keeps the chain linear under concurrent acts.
"""

import datetime
import decimal
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .acts import Act
from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def canonical(data) -> str:
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def jsonable(data):
    """Round-trip through canonical JSON so stored values equal what was hashed."""
    return json.loads(canonical(data))


def entry_content(entry: AuditEntry) -> dict:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "act": entry.act,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "project_id": entry.project_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
    }


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical(entry_content(entry))).encode()).hexdigest()


def display_name(user) -> str:
    if user is None:
        return "system"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def _locked_head() -> AuditChainHead:
    """The chain's tip, locked. Migration 0002 creates it; a database emptied since (``manage.py
    flush``, a flushed test database) gets it back only while it holds no entry at all, since a
    chain with entries and no head has lost its tip."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if AuditEntry.objects.exists():
            raise AuditChainHead.DoesNotExist("the audit chain's head is missing")
        head, _created = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record(
    actor, act: Act, obj, *, project_id=None, before=None, after=None, reason=""
) -> AuditEntry:
    """Append an audit entry for ``act`` by ``actor`` on ``obj``. Call inside the act's transaction.
    An act not named in ``ground.acts.Act`` is refused (ValueError) before anything is written."""
    act = Act(act)
    # No savepoint of its own (two statements fewer per act): called inside the act's
    # transaction, which an error here rolls back whole anyway.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_name=display_name(actor),
            act=act,
            object_type=obj._meta.concrete_model._meta.label_lower,
            object_id=str(obj.pk),
            project_id=project_id,
            before=jsonable(before or {}),
            after=jsonable(after or {}),
            reason=reason or "",
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(head.hash, entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class ChainBreak:
    seq: int
    entry_id: int | None
    problem: str


def verify_chain(batch_size: int = 2000) -> ChainBreak | None:
    """Walk the chain in order; return the first break, or None when it is intact."""
    prev_hash, expected_seq = GENESIS, 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainBreak(
                expected_seq, entry.pk, f"entry #{expected_seq} is missing (next is #{entry.seq})"
            )
        if entry.prev_hash != prev_hash:
            return ChainBreak(
                entry.seq, entry.pk, "previous-hash link does not match the entry before it"
            )
        if entry_hash(prev_hash, entry) != entry.hash:
            return ChainBreak(entry.seq, entry.pk, "content does not match its hash (edited)")
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None and last_seq:
        return ChainBreak(last_seq + 1, None, "the chain head row is missing")
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return ChainBreak(
            last_seq + 1, None, f"chain ends at #{last_seq} but its head records #{head.seq}"
        )
    return None
