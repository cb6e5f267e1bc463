"""Background work: Celery with Redis when a broker is configured, otherwise right after
the transaction commits, in the same process (the embedded default).

Jobs are plain functions named by dotted path, so they run the same either way.
"""

import importlib
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def run_job(path: str, *args) -> None:
    module, _, name = path.rpartition(".")
    getattr(importlib.import_module(module), name)(*args)


@shared_task(
    name="qiyue.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def run_job_task(path, *args):
    """A job sent to the broker, run by a worker (the app is qiyue/celery.py)."""
    run_job(path, *args)


def enqueue(path: str, *args) -> None:
    """Run ``path(*args)`` after the current transaction commits (never inside it)."""

    def dispatch():
        if settings.CELERY_BROKER_URL:
            run_job_task.delay(path, *args)
        else:
            run_job(path, *args)

    transaction.on_commit(dispatch)
