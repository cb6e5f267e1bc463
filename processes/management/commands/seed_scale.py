import json
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Build a generated province for measuring at scale: regions, officials per role and "
        "region, operators, households and N projects at a realistic mix of stages (real flow "
        "runs, cloned with bulk inserts). Use an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, metavar="N")
        parser.add_argument("--counties", type=int, default=10)
        parser.add_argument("--townships", type=int, default=30, help="per county")
        parser.add_argument("--villages", type=int, default=10, help="per township")
        parser.add_argument("--seed", type=int, default=1, help="random seed of the stage mix")
        parser.add_argument(
            "--accounts-json", metavar="FILE", help="write one account per role and level here"
        )

    def handle(self, *args, projects, counties, townships, villages, seed, **options):
        from processes.scale import build

        def progress(n):
            sys.stderr.write(f"  {n} projects cloned\n")

        figures = build(projects, counties, townships, villages, seed, progress)
        if options["accounts_json"]:
            write_accounts(figures["accounts"], options["accounts_json"])
        seconds = figures["seconds"]
        self.stdout.write(
            f"Province: {figures['projects']} projects, {figures['regions']} regions, "
            f"{figures['officials']} officials, {figures['households']} households in "
            f"{seconds['total']} s (people {seconds['people']} s, templates "
            f"{seconds['templates']} s, clones {seconds['clones']} s)."
        )


def write_accounts(accounts: list[dict], path) -> None:
    """The accounts as ``demo_accounts --json`` prints them."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(accounts, out, ensure_ascii=False, indent=2)
