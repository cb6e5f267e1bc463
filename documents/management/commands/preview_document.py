from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.models import DocumentKind
from documents.preview import render_sample_pdf


class Command(BaseCommand):
    help = "Render one kind of paper from sample data to a PDF, to check its template."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=DocumentKind.values)
        parser.add_argument("out", type=Path)

    def handle(self, *args, kind, out, **options):
        try:
            out.write_bytes(render_sample_pdf(kind))
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{out}: {DocumentKind(kind).label}")
