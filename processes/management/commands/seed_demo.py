from django.core.management.base import BaseCommand

from processes.demo_county import build_demo_county
from processes.models import Project


class Command(BaseCommand):
    help = "Build the demo county 织金县 (regions, officials, operators, households, projects). Idempotent."

    def handle(self, *args, **options):
        before = Project.objects.count()
        county = build_demo_county()
        created = Project.objects.count() - before
        self.stdout.write(
            f"Demo county {county.full_name}: {Project.objects.count()} projects ({created} new)."
        )
