import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from documents.parsing import Unreadable
from documents.verification import (
    AUTHENTIC,
    TAMPERED,
    check,
    county_root_name,
    describe,
    local_time,
)


def yes_no(value: bool) -> str:
    return _("yes") if value else _("NO")


class Command(BaseCommand):
    help = (
        "Check a PDF: an unaltered document of this system? Who signed it, when (Asia/Shanghai)? "
        "Is each signature intact, trusted and not revoked? Exits 1 unless authentic."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print one JSON object instead of text.",
        )

    def handle(self, *args, file: Path, as_json: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            verdict = check(file.read_bytes())
        except Unreadable as error:
            raise CommandError(f"{file}: {error}", returncode=1) from error
        if as_json:
            self.stdout.write(_json({"file": str(file), **describe(verdict)}))
        else:
            self._text(file, verdict)
        if verdict.status != AUTHENTIC:
            raise CommandError(f"{file} is {verdict.status}", returncode=1)

    def _text(self, file: Path, verdict) -> None:
        meaning = {
            AUTHENTIC: _("authentic: an unaltered document of this system"),
            TAMPERED: _("ALTERED: not the document this system produced"),
        }.get(verdict.status, _("unknown: not a document of this system"))
        write = self.stdout.write
        write(f"{file}: {verdict.status} ({meaning})")
        write(f"  sha256 {verdict.sha256}")
        if verdict.version is not None:
            version = verdict.version
            title = f" 《{version.document.title}》" if verdict.status == AUTHENTIC else ""
            write(
                "  "
                + _("document %(number)s%(title)s, version %(version)s")
                % {"number": version.document.number, "title": title, "version": version.number}
            )
        if verdict.batch is not None:
            write(
                "  "
                + _("combined print copy of batch %(batch)s (%(project)s)")
                % {"batch": verdict.batch.pk, "project": verdict.batch.project.name}
            )
        root = county_root_name()
        for index, sig in enumerate(verdict.signatures, 1):
            write(
                "  "
                + _("signature %(index)s: %(organisation)s, signed by %(signer)s (%(role)s)")
                % {
                    "index": index,
                    "organisation": sig.org_name or "?",
                    "signer": sig.signer_name or "?",
                    "role": sig.role or "?",
                }
            )
            when = local_time(sig.signed_at) or "?"
            write("    " + _("signed at %(time)s (Beijing time)") % {"time": when})
            if sig.timestamped_at:
                write(
                    "    "
                    + _("trusted time-stamp: %(time)s (Beijing time)")
                    % {"time": local_time(sig.timestamped_at)}
                )
            write("    " + _("intact (not changed since signing): %s") % yes_no(sig.intact))
            write(
                "    "
                + _("trusted (certificate issued by %(root)s): %(answer)s")
                % {"root": root or _("the county CA"), "answer": yes_no(sig.trusted)}
            )
            write("    " + _("not revoked: %s") % yes_no(not sig.revoked))
        for problem in verdict.problems:
            write("  " + _("problem: %s") % problem)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
