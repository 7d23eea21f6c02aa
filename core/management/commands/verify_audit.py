"""Check the audit trail's hash chain: exit 1 and list the first broken lines if tampered."""

from django.core.management.base import BaseCommand, CommandError

from core.audit_chain import verify


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and report any line changed, added or removed."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="problems listed at most")

    def handle(self, *args, limit, **options):
        result = verify(limit=limit)
        for seq, pk, problem in result.problems:
            self.stderr.write(f"line {seq} (id {pk}): {problem}")
        summary = (
            f"{result.lines} lines, positions {result.first}..{result.last}, "
            f"head {result.head_seq} {result.head_hash}"
        )
        if not result.ok:
            raise CommandError(f"audit chain broken ({len(result.problems)} problems); {summary}")
        self.stdout.write(f"audit chain intact: {summary}")
