from django.core.management.base import BaseCommand

from documents.production import retry_failed


class Command(BaseCommand):
    help = "Produce again every document version whose production failed (e.g. from cron)."

    def handle(self, *args, **options):
        count = retry_failed()
        self.stdout.write(f"{count} document(s) produced again.")
