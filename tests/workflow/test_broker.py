"""Background work through a real broker: a Redis server (scripts/redis-test-server, its URL in
QIYUE_TEST_REDIS_URL) and a real ``celery -A qiyue.celery worker`` process, on PostgreSQL.

The worker is a separate process, so it works on the test database through its own
connection (``transaction=True``: the data is committed) and writes papers where this
process reads them (the same key, media and font directories). Nothing waits a fixed time:
each test polls the database until the work is done, with a deadline.

Without QIYUE_TEST_REDIS_URL the tests are skipped, except under CI (``CI`` set), where they
fail: a missing Redis must never pass for a working broker.
"""

import datetime
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from documents import production, signing
from documents.models import Batch, Document, DocumentKind, DocumentVersion
from ground.models import AuditEntry
from processes import demo
from processes.models import Beneficiary, ImplementationMode
from workflow.models import DeadlineAlert

from .. import factories as f
from ..flowdriver import Driver

REDIS_URL = os.environ.get("QIYUE_TEST_REDIS_URL", "")
IN_CI = bool(os.environ.get("CI"))
BASE_DIR = Path(django_settings.BASE_DIR)
DEADLINE = 60  # seconds any one piece of background work may take here

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a database it can share: run on PostgreSQL",
    ),
    pytest.mark.skipif(
        not REDIS_URL and not IN_CI,
        reason="no Redis: set QIYUE_TEST_REDIS_URL from `scripts/redis-test-server start`",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def until(condition, what, timeout=DEADLINE):
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds saying ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Workers:
    """Real Celery worker processes on this test's own queue, each in its own process group
    (so a kill takes its paper-rendering children with it)."""

    def __init__(self, tmp_path, queue):
        self.tmp_path, self.queue, self.running, self.started = tmp_path, queue, [], 0
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "QIYUE_CELERY_BROKER_URL": REDIS_URL,
            "QIYUE_CELERY_QUEUE": queue,
            "QIYUE_CELERY_VISIBILITY_TIMEOUT": "3",  # a killed worker's job is back in seconds
            "QIYUE_VAR_DIR": str(tmp_path / "var"),
            "QIYUE_KEY_DIR": os.environ["QIYUE_KEY_DIR"],  # this test's keys (conftest)
            "QIYUE_FONT_CACHE_DIR": str(django_settings.QIYUE_FONT_CACHE_DIR),
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> subprocess.Popen:
        self.started += 1
        log = self.tmp_path / f"worker-{self.started}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "qiyue.celery",
                "worker",
                "-P",
                "solo",
                "-c",
                "1",
                "-l",
                "info",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{self.started}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        until(lambda: b" ready." in log.read_bytes() or process.poll() is not None, "worker up")
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        return process

    def kill(self, process) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.running:
            self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-2000:]
            for p in sorted(self.tmp_path.glob("worker-*.log"))
        )


@pytest.fixture
def workers(tmp_path, settings):
    """Jobs of this test go to Redis, on a queue of its own, and a real worker takes them."""
    if not REDIS_URL:
        pytest.fail("CI: QIYUE_TEST_REDIS_URL is not set; scripts/test.sh starts Redis for this")
    from qiyue.celery import app

    queue = f"qiyue-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = REDIS_URL  # ground/jobs.py: jobs go to the broker
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # where the worker stores the papers
    saved = {k: app.conf[k] for k in ("broker_url", "task_default_queue", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_default_queue=queue, task_always_eager=False)
    pool = Workers(tmp_path, queue)
    try:
        yield pool
    finally:
        pool.stop_all()
        app.conf.update(saved)
        with app.connection_for_write() as conn:  # drop what this test left queued
            conn.default_channel.client.delete(queue)


def linkage_project(cast, households=0):
    """A dividend project at its benefit-linkage agreements, with ``households`` more on the roster."""
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    demo.advance_to(project, "benefit_linkage_agreements")
    for household in f.HouseholdFactory.create_batch(households, village=cast.regions["A1"]):
        Beneficiary.objects.create(project=project, household=household)
    return driver, project


def papers_of(batch):
    return DocumentVersion.objects.filter(edition__batches=batch)


def assert_each_paper_produced_once(batch, signer):
    """Every paper of the batch: one version, READY, its stored hash that of its file, and
    the signature valid; the batch complete with its combined print file."""
    batch.refresh_from_db()
    documents = Document.objects.filter(editions__batches=batch)
    assert documents.count() == batch.total
    for document in documents:
        (version,) = document.versions.all()  # no duplicate versions
        assert version.status == DocumentVersion.Status.READY, version.error
        with version.pdf.open("rb") as file:
            pdf = file.read()
        assert hashlib.sha256(pdf).hexdigest() == version.sha256
        assert signing.verify_pdf(pdf).signer_names == [signer.get_full_name()]
    assert (batch.done, batch.failed) == (batch.total, 0)
    assert batch.finished_at is not None and batch.combined_sha256
    with batch.combined.open("rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == batch.combined_sha256


def test_a_household_agreement_batch_goes_through_the_broker_and_finishes(cast, workers):
    workers.start()
    driver, project = linkage_project(cast)
    started = time.monotonic()

    driver.act(project, "benefit_linkage_agreements")  # the operator signs: jobs to Redis

    batch = Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)
    assert batch.finished_at is None  # the act answered; the worker produces the papers
    until(lambda: Batch.objects.get(pk=batch.pk).finished_at, f"batch done\n{workers.logs()}")
    print(f"\n{batch.total}-paper batch through the broker: {time.monotonic() - started:.1f} s")
    assert_each_paper_produced_once(batch, cast.user("operator", "A"))
    entrustment = Document.objects.get(project=project, kind=DocumentKind.ENTRUSTMENT).latest
    until(
        lambda: DocumentVersion.objects.get(pk=entrustment.pk).status == "ready",
        "the countersigned entrustment produced",
    )


def test_the_deadline_sweep_through_the_broker_acts_and_takes_up_a_lost_batch(
    cast, workers, monkeypatch
):
    from qiyue.celery import app

    driver, project = linkage_project(cast)
    with monkeypatch.context() as lost:  # the web process died before handing the batch on
        lost.setattr(production, "in_background", lambda *args: None)
        driver.act(project, "benefit_linkage_agreements")
    batch = Batch.objects.get(project=project)
    Batch.objects.filter(pk=batch.pk).update(
        touched_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    review = Driver(cast, "A2")
    late = review.start(mode=ImplementationMode.DIRECT_SUBSIDY, name="大寨村竹荪项目")
    review.run(late, until="township_review")
    task = review.open_task(late)
    type(task).objects.filter(pk=task.pk).update(
        created=datetime.datetime(2025, 9, 26, 9, tzinfo=datetime.UTC)
    )
    workers.start()

    app.send_task("qiyue.sweep_deadlines")

    until(lambda: DeadlineAlert.objects.filter(task=task).count() == 3, "the sweep's alerts")
    assert sorted(
        AuditEntry.objects.filter(act__startswith="deadline.", object_id=str(task.pk)).values_list(
            "act", flat=True
        )
    ) == ["deadline.escalate", "deadline.overdue", "deadline.remind"]
    until(lambda: Batch.objects.get(pk=batch.pk).finished_at, f"lost batch\n{workers.logs()}")
    assert_each_paper_produced_once(batch, cast.user("operator", "A"))


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(cast, workers):
    first = workers.start()
    driver, project = linkage_project(cast, households=7)  # 3 + 7 = 10 papers
    driver.act(project, "benefit_linkage_agreements")
    batch = Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)
    ready = papers_of(batch).filter(status=DocumentVersion.Status.READY)
    until(lambda: ready.exists(), f"a first paper\n{workers.logs()}")

    workers.kill(first)  # SIGKILL: no goodbye, the job is still unacknowledged in Redis

    before = ready.count()
    assert 0 < before < batch.total, f"killed with {before} of {batch.total} done"
    started = time.monotonic()
    workers.start()
    until(lambda: Batch.objects.get(pk=batch.pk).finished_at, f"batch resumed\n{workers.logs()}")
    print(
        f"\nkilled after {before}/{batch.total} papers; the second worker finished the batch"
        f" in {time.monotonic() - started:.1f} s; versions: {papers_of(batch).count()}"
    )
    assert_each_paper_produced_once(batch, cast.user("operator", "A"))
