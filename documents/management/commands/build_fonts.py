"""``manage.py build_fonts``: prepare the PDF fonts once from the installed Chinese fonts.

Writes Song, Hei and Kai cut to GB 2312 (and what documents write beside it) plus the
rare-character font into ``VAR_DIR/fonts`` (about a minute on two cores). Rendering builds them
itself when they are missing, so this is for deployment scripts and after a font package upgrade.
Exits 1 naming the Debian packages to install when no Chinese font is found.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents import fonts


class Command(BaseCommand):
    help = "Prepare the fonts PDF documents embed (VAR_DIR/fonts) from the installed CJK fonts."

    def add_arguments(self, parser):
        parser.add_argument("--cache-dir", type=Path, help="where to write (default VAR_DIR/fonts)")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the cache is already current",
        )
        parser.add_argument("--workers", type=int, default=2, help="build processes (default 2)")

    def handle(self, *args, cache_dir=None, if_missing=False, workers=2, **options):
        try:
            if if_missing:
                prepared = fonts.prepared_fonts(cache_dir)
            else:
                prepared = fonts.build_fonts(cache_dir, workers=workers)
        except fonts.FontsMissing as error:
            raise CommandError(str(error), returncode=1) from error
        sizes = ", ".join(
            f"{fonts.FAMILIES[role]}{' Bold' if role in fonts.BOLD_ROLES else ''} "
            f"{path.stat().st_size / 1e6:.1f} MB"
            for role, path in prepared.files.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"PDF fonts ready in {prepared.directory}: {sizes}; "
                f"{len(prepared.main_chars)} characters in Song/Hei/Kai, "
                f"{len(prepared.rare_chars)} more in the rare-character font"
            )
        )
