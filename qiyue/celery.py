"""The Celery app, used only when QIYUE_CELERY_BROKER_URL is set (e.g. redis://127.0.0.1:6379/0).

Run a worker with ``celery -A qiyue.celery worker -l info`` and, once per site, the
scheduler with ``celery -A qiyue.celery beat`` (README, "Broker and workers").

A job is acknowledged only when it has finished (``acks_late``), and a job whose worker
died is redone (``reject_on_worker_lost``; a killed worker's jobs come back after the
visibility timeout): the jobs are idempotent (documents/production.py), so running one
twice never doubles a paper.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiyue.settings")

app = Celery("qiyue")
app.config_from_object("django.conf:settings", namespace="CELERY")
# qiyue.run_job, the task every background job goes through, is ground/jobs.py's.
app.autodiscover_tasks(["ground"], related_name="jobs")


@app.task(name="qiyue.sweep_deadlines")
def sweep_deadlines_task():
    """Celery beat's daily deadline sweep (settings.CELERY_BEAT_SCHEDULE)."""
    import django

    django.setup()
    from workflow.supervision import sweep

    result = sweep()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "escalations": result.escalations,
        **result.counts,  # what the sweep hooks reported (settings.QIYUE_SWEEP_HOOKS)
    }


@app.task(name="qiyue.produce_stale_papers")
def produce_stale_papers_task():
    """Celery beat, every QIYUE_STALE_PAPER_MINUTES: papers and batches a stopped producer
    left pending are produced again (documents/production.py)."""
    import django

    django.setup()
    from documents.production import pick_up_stale

    return pick_up_stale()
