"""``manage.py verify_audit``: walk the audit hash chain and report the first break.

Exits 0 on an intact chain, printing one summary line (entries, head hash). When a row
was edited, deleted or inserted out of order it exits 1, naming the first bad entry
(its sequence number, the row where the walk failed, and the problem).
"""

from django.core.management.base import BaseCommand, CommandError

from ground.audit import GENESIS, verify_chain
from ground.models import AuditChainHead, AuditEntry


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 naming the first bad entry if it is broken."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="rows fetched per round trip while walking the chain",
        )

    def handle(self, *args, batch_size=2000, **options):
        broken = verify_chain(batch_size=batch_size)
        if broken is not None:
            row = f"row id {broken.entry_id}" if broken.entry_id is not None else "chain head"
            # run_from_argv prints this to stderr as "CommandError: …" and exits with returncode.
            raise CommandError(
                f"audit chain BROKEN at entry #{broken.seq} ({row}): {broken.problem}", returncode=1
            )
        head = (
            AuditChainHead.objects.filter(pk=1).first() or AuditEntry.objects.order_by("seq").last()
        )
        count, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
        self.stdout.write(
            self.style.SUCCESS(f"audit chain intact: {count} entries, head {head_hash[:16]}…")
        )
