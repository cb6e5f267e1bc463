from django.core.management.base import BaseCommand

from ground.workdays import LAST_INDEXED_YEAR, sync_calendar


class Command(BaseCommand):
    help = (
        "Bring the holiday package's days into the calendar table (days edited in the admin "
        "stay) and rebuild the working-day index; run after upgrading chinesecalendar."
    )

    def handle(self, *args, **options):
        count = sync_calendar()
        self.stdout.write(f"{count} holidays and make-up workdays, indexed to {LAST_INDEXED_YEAR}")
