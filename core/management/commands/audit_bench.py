"""Measure the audit trail at volume (never on a production database).

    manage.py audit_bench [--lines 10000000] [--rounds 5]

Fills ``core_auditevent`` up to ``--lines`` lines with set-based SQL (``generate_series``, in
batches of 500,000; 50,000 distinct records, lines spread over the last 20 days, so mostly in
this month's partition; the filler skips the chain trigger, bench only), then measures,
interleaved over ``--rounds`` rounds, through the real triggers:

- **insert, one line** (``core.audit.record``, as a page view writes it), 1,000 in a row;
- **insert, COPY** (``core.audit.record_many``, as an import or a list page), 10 × 1,000 rows;
- **"who accessed this record"**: the first page (50 lines) of one record's trail as the
  access-log page reads it, 200 random records;
- **baselines**: ``SELECT 1`` 1,000 times (the round trip), and one row inserted into a plain
  table in its own transaction 1,000 times (the cost of a commit).

It prints the median and spread (min-max) over the rounds of each, per line or per query.
"""

from __future__ import annotations

import random
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core import audit
from core.models import AuditEvent

FILL = """
INSERT INTO core_auditevent (created_at, username, action, object_type, object_id,
    organisation_id, ip_address, path)
SELECT now() - (g %% 1728000) * interval '1 second', 'bench' || (g %% 300), 'read',
    'baom.beneficiary', 'bench-' || (g %% 50000), NULL, '10.0.0.1', '/beneficiaries/'
FROM generate_series(%s, %s) AS g
"""


class Record:
    """Stands for a beneficiary in record_many (label and public id only)."""

    class _meta:
        label_lower = "baom.beneficiary"

    def __init__(self, n):
        self.pk = n
        self.uuid = f"bench-copy-{n}"


class Command(BaseCommand):
    help = "Audit trail at volume: insert rate and 'who accessed this record' (bench only)."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=10_000_000)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, lines, rounds, **options):
        from core.audit_chain import ensure_partitions

        ensure_partitions(3)
        have = AuditEvent.objects.count()
        start = time.perf_counter()
        batch = 500_000
        while have < lines:
            n = min(batch, lines - have)
            with transaction.atomic(), connection.cursor() as cursor:
                # Filler lines skip the chain trigger (bench only: 10M lines through the
                # per-line trigger take half an hour on 2 cores; the measured inserts below
                # go through it).
                cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_chain")
                cursor.execute(FILL, [have + 1, have + n])
                cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_chain")
            have += n
            self.stdout.write(f"  {have:,} lines", ending="\r")
            self.stdout.flush()
        filled = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditevent")
        self.stdout.write(f"{have:,} lines in the trail (filled in {filled:.0f} s)")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_plain (id bigserial, t text)")
        results = {"single": [], "copy": [], "who": [], "baseline": [], "plain": []}
        rng = random.Random(18)  # noqa: S311 - picks records to read, not a secret
        for _round in range(rounds):
            results["baseline"].append(self._baseline())
            results["plain"].append(self._plain())
            results["single"].append(self._single())
            results["copy"].append(self._copy())
            results["who"].append(self._who(rng))
        self.stdout.write(f"\n{'measure':<46}{'median':>12}{'min-max':>22}")
        labels = {
            "baseline": "SELECT 1 (ms per query)",
            "plain": "insert one row, plain table, own transaction",
            "single": "insert one line, record() (ms per line)",
            "copy": "insert by COPY, record_many() (ms per line)",
            "who": "who accessed this record, 50 lines (ms/query)",
        }
        for key, label in labels.items():
            values = results[key]
            spread = f"{min(values):.3f}-{max(values):.3f}"
            self.stdout.write(f"{label:<46}{statistics.median(values):>12.3f}{spread:>22}")
        single = statistics.median(results["single"])
        plain = statistics.median(results["plain"])
        self.stdout.write(f"one line vs a plain row, each committed: {single / plain:.2f}x")
        copy = statistics.median(results["copy"])
        self.stdout.write(
            f"\ninsert rate: {1000 / single:,.0f} lines/s one by one, "
            f"{1000 / copy:,.0f} lines/s by COPY (one writer: the chain serialises writers)"
        )

    def _baseline(self) -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for _ in range(1000):
                cursor.execute("SELECT 1")
        return (time.perf_counter() - start) * 1000 / 1000

    def _plain(self) -> float:
        start = time.perf_counter()
        for n in range(1000):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_plain (t) VALUES (%s)", [f"plain-{n}"])
        return (time.perf_counter() - start) * 1000 / 1000

    def _single(self) -> float:
        start = time.perf_counter()
        for n in range(1000):
            with transaction.atomic():
                audit.record(action=audit.Action.READ, object_type="baom.beneficiary",
                             object_id=f"bench-single-{n}")  # fmt: skip
        return (time.perf_counter() - start) * 1000 / 1000

    def _copy(self) -> float:
        start = time.perf_counter()
        for n in range(10):
            with transaction.atomic():
                audit.record_many(
                    actor=None, action=audit.Action.READ,
                    objects=[Record(n * 1000 + i) for i in range(1000)],
                )  # fmt: skip
        return (time.perf_counter() - start) * 1000 / 10_000

    def _who(self, rng) -> float:
        start = time.perf_counter()
        for _ in range(200):
            record = f"bench-{rng.randrange(50_000)}"
            list(
                AuditEvent.objects.select_related("actor__organisation", "organisation")
                .filter(object_type="baom.beneficiary", object_id=record)
                .order_by("-created_at", "-pk")[:50]
            )
        return (time.perf_counter() - start) * 1000 / 200
