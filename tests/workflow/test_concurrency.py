"""Races, on PostgreSQL: two officials claiming one task, an owner double-submitting a
completion, and many writers appending to the audit chain at once.

Each race lines real requests up on a ``threading.Barrier``; every thread has its own
test ``Client`` and its own database connection (closed when the thread ends), so the
requests really run as concurrent transactions. The flow's production lock is under test
unchanged: ``ProjectFlow.lock_impl = select_for_update_lock`` (``SELECT … FOR UPDATE
NOWAIT`` on the process row, retried with back-off, then ``FlowLockFailed`` → 409).
Trials of a race run a few at a time on different projects, so the loser's back-off
sleep (0.4–0.8 s on the first retry) overlaps instead of adding up.

Run with ``pytest -s`` to see each race's tally.
"""

import html
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation
from viewflow.workflow import lock
from viewflow.workflow.status import STATUS

from ground import audit
from ground.models import AuditEntry
from permissions.roles import TOWNSHIP_WORK_STATION
from processes import demo
from processes.flows import ProjectFlow
from processes.models import ImplementationMode
from workflow import actions
from workflow.exceptions import TaskUnavailable
from workflow.tasks import ScopedTask

from .. import factories as f

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: races need concurrent transactions and row locks, and SQLite "
        "ignores SELECT … FOR UPDATE (set DATABASE_URL from `scripts/pg-test-server start`)",
    ),
    pytest.mark.postgres,
    # Threads need committed data and their own connections; serialized_rollback puts back the
    # rows migrations made (the audit chain head, permissions) after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TRIALS = 50
AT_ONCE = 10  # trials raced side by side (each on its own project); 10 pairs = 20 request threads


# What a 409 page may say (workflow/exceptions.py, workflow/nodes.py); FlowLockFailed
# (the lock still held after every retry) shows TaskUnavailable's default message.
BUSY = TaskUnavailable.default_message
ALREADY_CLAIMED = "This task has already been claimed by someone else."
ALREADY_COMPLETED = "This task has already been completed."


def message_in(body, known):
    """Which kind of message the body carries, in the language the request ran in
    (zh-hans, the site default) or, untranslated, in English."""
    for kind, text in known.items():
        with translation.override(settings.LANGUAGE_CODE):
            shown = {html.escape(translation.gettext(str(text))), html.escape(str(text))}
        if any(variant in body for variant in shown):
            return kind
    return None


@pytest.fixture(autouse=True)
def _real_lock():
    """The races test the lock the flow ships with (nothing here replaces or shortens it)."""
    assert isinstance(ProjectFlow.lock_impl, lock.SelectForUpdateLock)
    assert ProjectFlow.lock_impl.nowait


@pytest.fixture(autouse=True)
def _quiet_409s():
    """django.request logs every 4xx as a warning; keep errors (a 500 would still show)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def lock_waits(monkeypatch):
    """Observe, without changing it, how often the lock's NOWAIT failed and it backed off:
    records the name of each request thread that slept before retrying."""
    waits = []

    class Clock:
        def __getattr__(self, name):
            return getattr(time, name)

        def sleep(self, seconds):
            waits.append(threading.current_thread().name)
            time.sleep(seconds)

    monkeypatch.setattr(lock, "time", Clock())
    return waits


def race(*calls, name="race"):
    """Run the calls at the same moment, each in its own thread (named ``name/i``) and
    DB connection; returns their results (or the exception each raised)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:  # a 500 re-raised by the test client lands here
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, call), name=f"{name}/{i}")
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing request hung"
    return results


def run_trials(trial, prepare):
    """``prepare(i)`` (serially, in the test's connection), then ``trial(prepared)`` for
    AT_ONCE trials at a time, each trial in its own thread; returns the trials' results."""
    results = []
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        for first in range(0, TRIALS, AT_ONCE):
            batch = [prepare(i) for i in range(first, min(first + AT_ONCE, TRIALS))]
            results += list(pool.map(lambda prepared: _closing(trial, prepared), batch))
    return results


def _closing(trial, prepared):
    try:
        return trial(prepared)
    finally:
        connection.close()


def logged_in(user, like=None):
    client = Client()
    if like is None:
        client.force_login(user)
    else:
        # The same browser session (e.g. a double-clicked submit), in a client of its own.
        client.cookies[settings.SESSION_COOKIE_NAME] = like.cookies[
            settings.SESSION_COOKIE_NAME
        ].value
    return client


def project_at_township_review(cast, i):
    """A fresh dividend project whose township review is open (NEW) in township A."""
    project = demo.start_project(
        cast.user("village_secretary", "A1"),
        name=f"并发项目{i}",
        industry="生猪养殖",
        village=cast.regions["A1"],
        mode=ImplementationMode.EQUITY_DIVIDEND,
        operator=cast.operators["A"],
        funds_amount="300000.00",
        scale="存栏500头",
    )
    demo.advance_to(project, "township_review")
    task = demo.open_task(project)
    assert (task.flow_task.name, task.status) == ("township_review", STATUS.NEW)
    return project, task


def open_human_tasks(project):
    return ScopedTask.objects.filter(
        process=project.process, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )


def outcome(response):
    if isinstance(response, BaseException):
        return f"exception {type(response).__name__}: {response}"
    return response.status_code


def report(title, tally, waits, started, trials=TRIALS):
    contended = {name.rsplit("/", 1)[0] for name in waits}
    print(f"\n{title}: {trials} trials in {time.monotonic() - started:.1f} s")
    for key, count in tally.most_common():
        print(f"  {count:3d} × " + " / ".join(key))
    print(
        "  lock contended (a request's NOWAIT failed and it backed off) in "
        f"{len(contended)}/{trials} trials, {len(waits)} back-off sleeps in all"
    )


# --- two officials claim the same task at the same moment ---------------------------


def test_two_officials_claiming_one_task_at_once_exactly_one_owns_it_the_other_is_told(
    cast, lock_waits
):
    started = time.monotonic()
    first = cast.user("township_work_station", "A")
    second = f.official(
        TOWNSHIP_WORK_STATION, cast.regions["A"], username="township_work_station_A_2"
    )
    clients = {first.pk: logged_in(first), second.pk: logged_in(second)}

    def prepare(i):
        project, task = project_at_township_review(cast, i)
        # Each trial gets its own pair of clients: a test Client must not serve two threads.
        pair = [(user, logged_in(user, like=clients[user.pk])) for user in (first, second)]
        if i % 2:
            pair.reverse()  # neither official always starts its thread first
        return project, task, pair

    def trial(prepared):
        project, task, pair = prepared
        url = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
        responses = race(
            *[lambda client=client: client.post(url) for _, client in pair], name=f"trial {task.pk}"
        )
        task.refresh_from_db()
        by_status = {outcome(r): (user, r) for (user, _), r in zip(pair, responses, strict=True)}
        if sorted(by_status, key=str) != [302, 409]:
            return (f"statuses {sorted(map(outcome, responses), key=str)}",), None
        winner, _ = by_status[302]
        body = by_status[409][1].content.decode()
        told = message_in(body, {"already claimed": ALREADY_CLAIMED, "busy (lock)": BUSY})
        owned = task.owner_id == winner.pk and task.status == STATUS.ASSIGNED
        claims = AuditEntry.objects.filter(act="task.claim", object_id=str(task.pk))
        recorded = list(claims.values_list("actor_id", flat=True)) == [winner.pk]
        return (
            "one 302 + one 409",
            f"409 says: {told}",
            f"owner is the 302 user: {owned}",
            f"one claim audited: {recorded}",
        ), winner.pk

    results = run_trials(trial, prepare)

    tally = Counter(key for key, _ in results)
    report(
        "claim race (two work-station officials of township A, one NEW task)",
        tally,
        lock_waits,
        started,
    )
    print(
        "  winners:", dict(Counter("first" if w == first.pk else "second" for _, w in results if w))
    )
    assert set(tally) <= {
        (
            "one 302 + one 409",
            f"409 says: {told}",
            "owner is the 302 user: True",
            "one claim audited: True",
        )
        for told in ("already claimed", "busy (lock)")
    }, tally
    assert sum(tally.values()) == TRIALS
    assert audit.verify_chain() is None


# --- an owner double-submits a completion ---------------------------------------------


def test_an_owner_double_submitting_a_completion_makes_exactly_one_next_task(cast, lock_waits):
    """The loser waits for the lock, then loads the task inside it and finds it DONE:
    ``wrap_execute_view`` answers 409 "already completed" (stock viewflow's ``wrap_view``
    would answer a bare 403 there, from ``can_execute``)."""
    started = time.monotonic()
    station = cast.user("township_work_station", "A")
    session = logged_in(station)

    def prepare(i):
        project, task = project_at_township_review(cast, i)
        with task.activation() as activation:
            actions.claim_task(station, activation)
        data = demo.step_data("township_review", project)
        return project, task, data, [logged_in(station, like=session) for _ in range(2)]

    def trial(prepared):
        project, task, data, clients = prepared
        url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        responses = race(
            *[lambda client=client: client.post(url, data) for client in clients],
            name=f"trial {task.pk}",
        )
        statuses = sorted(map(outcome, responses), key=str)
        if statuses != [302, 409]:
            return (f"statuses {statuses}",)
        body = next(r for r in responses if r.status_code == 409).content.decode()
        told = message_in(body, {"already completed": ALREADY_COMPLETED, "busy (lock)": BUSY})
        next_tasks = [t.flow_task.name for t in open_human_tasks(project)]
        completions = AuditEntry.objects.filter(act="task.complete", object_id=str(task.pk)).count()
        return (
            "one 302 + one 409",
            f"409 says: {told}",
            f"open tasks after: {next_tasks}",
            f"completions audited: {completions}",
        )

    results = run_trials(trial, prepare)

    tally = Counter(results)
    report(
        "double-submitted completion (owner posts township review twice at once)",
        tally,
        lock_waits,
        started,
    )
    assert set(tally) <= {
        (
            "one 302 + one 409",
            f"409 says: {told}",
            "open tasks after: ['public_notice']",
            "completions audited: 1",
        )
        for told in ("already completed", "busy (lock)")
    }, tally
    assert sum(tally.values()) == TRIALS
    assert audit.verify_chain() is None


# --- concurrent writers never fork the chain ------------------------------------------


def test_concurrent_writers_never_fork_the_audit_chain(cast):
    writers, each = 8, 25
    start = AuditEntry.objects.count()
    region = cast.regions["A"]
    actors = [cast.user("township_work_station", "A"), cast.user("township_lead", "A")]

    def write(w):
        def call():
            for n in range(each):
                audit.record(actors[w % 2], "region.update", region, after={"writer": w, "n": n})

        return call

    results = race(*[write(w) for w in range(writers)])

    assert results == [None] * writers, results
    entries = list(
        AuditEntry.objects.order_by("seq").values("seq", "prev_hash", "hash", "act", "after")
    )
    total = start + writers * each
    assert [e["seq"] for e in entries] == list(range(1, total + 1))
    assert len({e["prev_hash"] for e in entries}) == total  # no two entries share a parent: no fork
    assert [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    written = Counter(e["after"]["writer"] for e in entries if e["act"] == "region.update")
    assert written == {w: each for w in range(writers)}
    assert audit.verify_chain() is None
    interleaved = sum(
        1
        for a, b in zip(entries[start:], entries[start + 1 :], strict=False)
        if a["after"]["writer"] != b["after"]["writer"]
    )
    print(
        f"\naudit chain: {writers} writers × {each} records, {total} entries contiguous, "
        f"no shared prev_hash, writer switched {interleaved} times along the chain"
    )


# --- 撤回 withdraw against the next official's claim -----------------------------------


def test_withdraw_racing_the_next_claim_exactly_one_wins_and_the_state_agrees(cast, lock_waits):
    """The village secretary withdraws the application while the township station claims the
    review: the flow lock lets one through; the other is refused, and the project ends in the
    winner's state (never both a revived application and a claimed review)."""
    started = time.monotonic()
    secretary = cast.user("village_secretary", "A1")
    station = cast.user("township_work_station", "A")
    sessions = {secretary.pk: logged_in(secretary), station.pk: logged_in(station)}

    def prepare(i):
        project, review = project_at_township_review(cast, 1000 + i)
        application = ScopedTask.objects.get(
            process=project.process, flow_task__endswith=".application", status=STATUS.DONE
        )
        assert application.owner_id == secretary.pk
        return (
            project,
            application,
            review,
            [
                logged_in(secretary, like=sessions[secretary.pk]),
                logged_in(station, like=sessions[station.pk]),
            ],
        )

    def trial(prepared):
        project, application, review, (withdrawer, claimer) = prepared
        withdraw_url = f"/approvals/tasks/{application.pk}/withdraw/"
        claim_url = review.flow_task.reverse("assign", args=[review.process_id, review.pk])
        withdrawn, claimed = race(
            lambda: withdrawer.post(withdraw_url, {"reason": "材料需补充"}),
            lambda: claimer.post(claim_url),
            name=f"withdraw {review.pk}",
        )
        review.refresh_from_db()
        live = list(open_human_tasks(project).values_list("flow_task", "owner_id"))
        if outcome(withdrawn) == 302 and outcome(claimed) != 302:
            ok = live == [(application.flow_task, secretary.pk)] and review.status == "CANCELED"
            return ("withdraw won", f"claim refused {outcome(claimed)}", f"state agrees: {ok}")
        if outcome(claimed) == 302 and outcome(withdrawn) != 302:
            ok = live == [(review.flow_task, station.pk)]
            return ("claim won", f"withdraw refused {outcome(withdrawn)}", f"state agrees: {ok}")
        return (f"statuses {outcome(withdrawn)} / {outcome(claimed)}",)

    results = []
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        for first in (0, AT_ONCE):
            batch = [prepare(i) for i in range(first, first + AT_ONCE)]
            results += list(pool.map(lambda prepared: _closing(trial, prepared), batch))
    tally = Counter(results)
    report("withdraw vs. claim race", tally, lock_waits, started, trials=2 * AT_ONCE)
    assert all(len(key) == 3 and key[2] == "state agrees: True" for key in tally), tally
