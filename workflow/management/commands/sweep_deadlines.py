"""``manage.py sweep_deadlines [--date YYYY-MM-DD]``: remind, mark overdue and escalate
(workflow/supervision.py). Safe to run as often as cron likes: each level is sent once."""

import datetime

from django.core.management.base import BaseCommand

from workflow.supervision import sweep


class Command(BaseCommand):
    help = "Remind holders, mark overdue tasks and escalate to the county supervisors."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Sweep as of this day (default: today, Asia/Shanghai).",
        )

    def handle(self, *args, date=None, **options):
        result = sweep(date)
        self.stdout.write(
            f"reminders={result.reminders} overdue={result.overdue} "
            f"escalations={result.escalations} skipped={len(result.skipped)}"
        )
        if result.skipped:
            self.stderr.write(
                f"Tasks outside the holiday calendar's years: {result.skipped}. "
                "Update the chinesecalendar package."
            )
