"""Background work: Celery with Redis when a broker is configured, otherwise right after
the transaction commits, in the same process (the embedded default).

Jobs are plain functions named by dotted path, so they run the same either way.
"""

import importlib
import logging

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def run_job(path: str, *args) -> None:
    module, _, name = path.rpartition(".")
    getattr(importlib.import_module(module), name)(*args)


def enqueue(path: str, *args) -> None:
    """Run ``path(*args)`` after the current transaction commits (never inside it)."""

    def dispatch():
        if settings.CELERY_BROKER_URL:
            from .celery import run_job_task

            run_job_task.delay(path, *args)
        else:
            run_job(path, *args)

    transaction.on_commit(dispatch)
