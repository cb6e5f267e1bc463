"""``manage.py import_county sheet.xlsx [--dry-run]``: a county's regions, officials and keys.

Every row is checked first; when any is wrong, every error is listed (sheet, row, column) and
nothing is imported. ``--template out.xlsx`` writes the blank workbook to fill in instead.
Generated passwords are printed once, here and nowhere else.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from processes import onboarding


class Command(BaseCommand):
    help = "Import a county's regions, officials with their roles and signing organisations from an Excel sheet."

    def add_arguments(self, parser):
        parser.add_argument("sheet", nargs="?", help="the filled-in workbook (.xlsx)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report; import nothing"
        )
        parser.add_argument(
            "--template", metavar="OUT", help="write the blank template workbook to OUT and stop"
        )
        parser.add_argument(
            "--actor",
            default=None,
            help="username recorded in the audit trail as the importer (default: the first superuser)",
        )

    def handle(self, *args, sheet, dry_run, template, actor, **options):
        if template:
            onboarding.write_template(template)
            self.stdout.write(_("Wrote the template to %(path)s.") % {"path": template})
            return
        if not sheet:
            raise CommandError(_("Name the workbook to import, or --template OUT."))
        try:
            with open(sheet, "rb") as file:
                plan = onboarding.read_workbook(file)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(n)s errors; nothing was imported.") % {"n": len(plan.errors)})
        counts = plan.counts()
        self.stdout.write(
            _(
                "Checked: %(regions)s regions (%(regions_new)s new), %(people)s people "
                "(%(people_new)s new), %(organisations)s organisations; no errors."
            )
            % counts
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was imported."))
            return
        try:
            outcome = onboarding.import_plan(self._actor(actor), plan)
        except onboarding.ImportFailed as exc:
            raise CommandError(_("Nothing was imported: %(error)s") % {"error": exc}) from exc
        self._report(outcome)

    def _actor(self, username):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(_("No user %(name)s.") % {"name": username})
            return user
        return User.objects.filter(is_superuser=True).order_by("pk").first()

    def _report(self, outcome):
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported: %(regions)s regions, %(users)s users and %(operators)s operators "
                    "created; %(u_regions)s regions, %(u_users)s users and %(u_operators)s "
                    "operators updated; %(grants)s roles granted, %(revokes)s revoked; "
                    "%(keys)s signing keys issued."
                )
                % {
                    **outcome.created,
                    "u_regions": outcome.updated["regions"],
                    "u_users": outcome.updated["users"],
                    "u_operators": outcome.updated["operators"],
                    "grants": outcome.grants,
                    "revokes": outcome.revokes,
                    "keys": len(outcome.keys_issued),
                }
            )
        )
        if outcome.ca_created:
            self.stdout.write(_("Created the county certificate authority."))
        if outcome.ca_note:
            self.stdout.write(self.style.WARNING(outcome.ca_note))
        if outcome.passwords:
            self.stdout.write(_("Generated passwords (shown this once; hand each to its holder):"))
            for username, name, password in outcome.passwords:
                self.stdout.write(f"  {username}\t{name}\t{password}")
