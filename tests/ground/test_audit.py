"""The audit trail: what one act sequence records, and ``manage.py verify_audit`` catching
every kind of tampering (an edited, deleted, re-numbered or forged row).

Runs on SQLite and PostgreSQL. The entries are real: the cast's role grants, then a
project started and its first two steps done over HTTP.
"""

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from ground.audit import GENESIS, display_name, entry_hash, verify_chain
from ground.models import AuditChainHead, AuditEntry
from processes import demo

from ..flowdriver import Driver


def verify_audit():
    """Run the command; returns (exit code, output) as a shell would see them."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def chain(cast):
    """A project started and its application done, its township review claimed."""
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    return project


def seqs():
    return list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))


def project_entry(project, act, nth=0):
    return AuditEntry.objects.filter(project_id=project.pk, act=act).order_by("seq")[nth]


# --- What one act sequence records --------------------------------------------------


def test_start_claim_and_complete_record_one_linked_entry_each(cast):
    driver = Driver(cast, "A1")
    secretary = cast.user("village_secretary", "A1")
    station = cast.user("township_work_station", "A")
    lead = cast.user("township_lead", "A")
    first_seq = AuditChainHead.objects.get(pk=1).seq + 1

    project = driver.start()
    application = driver.act(project, "application")
    review = driver.act(project, "township_review")

    process = project.process
    rows = list(
        AuditEntry.objects.filter(seq__gte=first_seq)
        .order_by("seq")
        .values_list(
            "seq",
            "act",
            "actor_id",
            "actor_name",
            "object_type",
            "object_id",
            "project_id",
            "reason",
        )
    )
    assert rows == [
        (
            first_seq,
            "process.start",
            secretary.pk,
            display_name(secretary),
            "processes.projectprocess",
            str(process.pk),
            project.pk,
            "",
        ),
        (
            first_seq + 1,
            "task.claim",
            secretary.pk,
            display_name(secretary),
            "viewflow.task",
            str(application.pk),
            project.pk,
            "",
        ),
        (
            first_seq + 2,
            "task.complete",
            secretary.pk,
            display_name(secretary),
            "viewflow.task",
            str(application.pk),
            project.pk,
            "",
        ),
        (
            first_seq + 3,
            "task.claim",
            station.pk,
            display_name(station),
            "viewflow.task",
            str(review.pk),
            project.pk,
            "",
        ),
        (
            first_seq + 4,
            "task.complete",
            station.pk,
            display_name(station),
            "viewflow.task",
            str(review.pk),
            project.pk,
            "同意",
        ),
    ]
    start, claim, _complete, review_claim, review_complete = AuditEntry.objects.filter(
        seq__gte=first_seq
    ).order_by("seq")
    assert (start.before, start.after) == (
        {},
        {"project": project.pk, "name": "竹荪种植项目", "mode": "direct_subsidy"},
    )
    assert (claim.before, claim.after) == (
        {"status": "NEW", "owner": None},
        {"status": "ASSIGNED", "owner": secretary.pk},
    )
    assert (review_claim.before, review_claim.after) == (
        {"status": "NEW", "owner": None},
        {"status": "ASSIGNED", "owner": station.pk},
    )
    assert review_complete.before == {
        "decision": "",
        "responsible_leader_id": None,
        "team": "",
        "policy_set": "",
    }
    assert review_complete.after == {
        "decision": "approve",
        "responsible_leader_id": lead.pk,
        "team": "乡扶贫工作站、农业服务中心、包村干部",
        "policy_set": "《织金县财政专项扶贫资金管理办法》《报账制实施细则》",
    }
    # The entries are linked: each names the hash of the one before, and the head is the last.
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.prev_hash for e in entries] == [GENESIS] + [e.hash for e in entries[:-1]]
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    assert verify_chain() is None


def test_application_completion_records_the_values_before_the_edit(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.act(project, "application")

    complete = project_entry(project, "task.complete")
    households = sorted(h.pk for h in cast.households["A1"])
    assert complete.before == {
        "implementation_plan": "",
        "performance_targets": "",
        "commitment_signed": False,
        "households": [],
    }
    assert complete.after == {
        "implementation_plan": "竹荪种植项目实施方案：选址、建设内容、进度安排。",
        "performance_targets": "带动脱贫户稳定增收。",
        "commitment_signed": True,
        "households": households,
    }


def test_an_act_that_fails_records_nothing(cast, chain):
    """A claim refused by the lock path (already claimed) writes no entry."""
    task = demo.open_task(chain)
    station = cast.user("township_work_station", "A")
    url = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
    assert cast.client(station).post(url).status_code == 302
    count = AuditEntry.objects.count()

    assert cast.client(station).post(url).status_code == 409
    assert AuditEntry.objects.count() == count
    assert verify_chain() is None


# --- verify_audit ---------------------------------------------------------------------


def test_verify_audit_exits_0_on_an_intact_chain_and_prints_a_summary(chain):
    head = AuditChainHead.objects.get(pk=1)

    code, output = verify_audit()

    assert code == 0
    assert (
        output.strip()
        == f"audit chain intact: {AuditEntry.objects.count()} entries, head {head.hash[:16]}…"
    )
    assert head.seq == AuditEntry.objects.count() > 20


def test_verify_audit_exits_0_on_an_empty_chain(db):
    assert not AuditEntry.objects.exists()
    assert verify_audit() == (0, f"audit chain intact: 0 entries, head {GENESIS[:16]}…\n")


@pytest.mark.parametrize(
    "field, value",
    [
        ("reason", "已同意（篡改）"),
        ("after", {"status": "ASSIGNED", "owner": 1}),
        ("actor_name", "someone else"),
        ("at", timezone.now()),
        ("object_id", "999999"),
    ],
)
def test_an_edited_row_breaks_the_chain_at_that_entry(chain, field, value):
    claim = project_entry(chain, "task.claim")
    AuditEntry.objects.filter(pk=claim.pk).update(**{field: value})

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{claim.seq} (row id {claim.pk}): "
        "content does not match its hash (edited)"
    )


def test_an_edited_row_whose_hash_was_recomputed_breaks_the_link_of_the_next_entry(chain):
    claim = project_entry(chain, "task.claim")
    claim.reason = "forged"
    claim.hash = entry_hash(claim.prev_hash, claim)
    claim.save(update_fields=["reason", "hash"])
    following = AuditEntry.objects.get(seq=claim.seq + 1)

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{following.seq} (row id {following.pk}): "
        "previous-hash link does not match the entry before it"
    )


def test_a_deleted_middle_row_is_named_as_missing(chain):
    claim = project_entry(chain, "task.claim")
    following = AuditEntry.objects.get(seq=claim.seq + 1)
    AuditEntry.objects.filter(pk=claim.pk).delete()

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{claim.seq} (row id {following.pk}): "
        f"entry #{claim.seq} is missing (next is #{following.seq})"
    )


def test_a_deleted_first_row_is_named_as_missing(chain):
    AuditEntry.objects.filter(seq=1).delete()

    code, message = verify_audit()

    assert code == 1
    assert message.startswith("audit chain BROKEN at entry #1 (row id ")
    assert message.endswith("entry #1 is missing (next is #2)")


def test_a_deleted_last_row_is_caught_by_the_chain_head(chain):
    last = AuditEntry.objects.order_by("seq").last()
    AuditEntry.objects.filter(pk=last.pk).delete()

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{last.seq} (chain head): "
        f"chain ends at #{last.seq - 1} but its head records #{last.seq}"
    )


def test_two_rows_swapped_out_of_order_break_the_chain_at_the_first(chain):
    claim = project_entry(chain, "task.claim")
    complete = project_entry(chain, "task.complete")
    assert complete.seq == claim.seq + 1
    # seq is unique: move one out of the way, as anyone re-ordering rows would.
    AuditEntry.objects.filter(pk=claim.pk).update(seq=10**9)
    AuditEntry.objects.filter(pk=complete.pk).update(seq=claim.seq)
    AuditEntry.objects.filter(pk=claim.pk).update(seq=complete.seq)
    assert seqs() == list(range(1, len(seqs()) + 1))

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{claim.seq} (row id {complete.pk}): "
        "previous-hash link does not match the entry before it"
    )


def test_a_row_inserted_in_the_middle_breaks_the_chain(chain):
    """Renumber the tail and slip a well-formed row in: its successor no longer links to it."""
    claim = project_entry(chain, "task.claim")
    for entry in AuditEntry.objects.filter(seq__gt=claim.seq).order_by("-seq"):
        AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)
    forged = AuditEntry(
        seq=claim.seq + 1,
        at=timezone.now(),
        actor_name="system",
        act="task.complete",
        object_type="viewflow.task",
        object_id=claim.object_id,
        project_id=chain.pk,
        before={},
        after={},
        reason="",
        prev_hash=claim.hash,
    )
    forged.hash = entry_hash(claim.hash, forged)
    forged.save()
    after_forged = AuditEntry.objects.get(seq=claim.seq + 2)

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{claim.seq + 2} (row id {after_forged.pk}): "
        "previous-hash link does not match the entry before it"
    )


def test_a_well_formed_row_appended_behind_the_heads_back_is_caught(chain):
    head = AuditChainHead.objects.get(pk=1)
    forged = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        actor_name="system",
        act="task.complete",
        object_type="viewflow.task",
        object_id="1",
        project_id=chain.pk,
        before={},
        after={},
        reason="",
        prev_hash=head.hash,
    )
    forged.hash = entry_hash(head.hash, forged)
    forged.save()

    code, message = verify_audit()

    assert code == 1
    assert message == (
        f"audit chain BROKEN at entry #{head.seq + 2} (chain head): "
        f"chain ends at #{head.seq + 1} but its head records #{head.seq}"
    )


def test_verify_audit_from_the_command_line_exits_1_on_a_break_and_0_when_intact(
    chain, monkeypatch, capsys
):
    # run_from_argv closes every connection when it is done; keep the test's open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    execute_from_command_line(["manage.py", "verify_audit"])  # returns: exit status 0
    assert capsys.readouterr().out.startswith("audit chain intact: ")

    claim = project_entry(chain, "task.claim")
    AuditEntry.objects.filter(pk=claim.pk).update(reason="edited")
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit"])
    assert exit_info.value.code == 1
    assert f"BROKEN at entry #{claim.seq} " in capsys.readouterr().err
