from django.core.management.base import BaseCommand

from documents.production import resume_stale_batches, retry_failed


class Command(BaseCommand):
    help = (
        "Produce again every document version whose production failed or was left pending, "
        "and finish every household-agreement batch left unfinished (e.g. from cron)."
    )

    def handle(self, *args, **options):
        batches = resume_stale_batches(inline=True)
        count = retry_failed()
        self.stdout.write(f"{batches} batch(es) finished, {count} document(s) produced again.")
