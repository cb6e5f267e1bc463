"""The Celery app, used only when QIYUE_CELERY_BROKER_URL is set (e.g. redis://127.0.0.1:6379/0).

Run a worker with: ``celery -A workflow.celery worker -l info``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")

app = Celery("qiyue")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(
    name="qiyue.run_job",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def run_job_task(path, *args):
    import django

    django.setup()
    from workflow.jobs import run_job

    run_job(path, *args)


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
    }
