import json

from django.core.management.base import BaseCommand

from processes.demo_county import demo_accounts


class Command(BaseCommand):
    help = "List the demo officials: username, password, role, level, region."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args, **options):
        rows = demo_accounts()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['username']:<36} {row['password']}  {row['role']:<12} {row['region']}"
            )
