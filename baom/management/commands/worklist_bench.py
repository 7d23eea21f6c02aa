"""Measure the worklist home on the bench volume (never on a production database).

    manage.py worklist_bench [--follow-ups 500000] [--rounds 7] [--repeat 10]

Run after bench_generate and referrals_bench (1M people, 2.5M visits, 500k referrals). Adds,
with set-based SQL and only once, follow-ups for a share of the open cases (due dates from 60
days ago to 60 days ahead, most past ones done), the bench agent's recently seen people and
notifications. Then requests, in interleaved rounds, the worklist home of an agent, a
supervisor and association staff, and the notifications page of the same agent as the baseline
(same base template, session and user, one small list). Each round takes the median of
``repeat`` requests per page; the table gives the median of the rounds, their spread (min-max),
the ratio to the baseline and the number of SQL queries of one request.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User

FOLLOW_UPS = """
INSERT INTO baom_followup (uuid, beneficiary_id, bureau_id, assigned_to_id, due_on, purpose,
                           status, reason, created_by_id, closed_at, created_at, updated_at)
SELECT gen_random_uuid(), b.id, b.bureau_id, b.assigned_to_id, d.due_on, 'Bench follow-up',
       CASE WHEN d.due_on < current_date AND g %% 10 <> 0 THEN 'done' ELSE 'due' END, '',
       b.assigned_to_id,
       CASE WHEN d.due_on < current_date AND g %% 10 <> 0 THEN now() END, now(), now()
FROM generate_series(1, %(count)s) AS g
JOIN baom_beneficiary b ON b.id = %(low)s + (hashint4(g) & 2147483647) %% (%(high)s - %(low)s + 1)
CROSS JOIN LATERAL (SELECT current_date + (g %% 121 - 60) AS due_on) d
WHERE b.assigned_to_id IS NOT NULL
"""

SEEN = """
INSERT INTO baom_personseen (user_id, beneficiary_id, seen_at)
SELECT %(user)s, b.id, now() - b.id %% 1000 * interval '1 minute'
FROM baom_beneficiary b WHERE b.assigned_to_id = %(user)s ORDER BY b.id LIMIT 200
ON CONFLICT DO NOTHING
"""

NOTIFICATIONS = """
INSERT INTO core_notification (recipient_id, kind, params, url, created_at, read_at)
SELECT %(user)s, 'referral.event',
       jsonb_build_object('referral', r.uuid, 'source', 'BENCH', 'target', 'Bench association',
                          'status', r.status, 'action', 'accept'),
       '/referrals/' || r.uuid || '/', r.updated_at,
       CASE WHEN row_number() OVER (ORDER BY r.id) %% 2 = 0 THEN now() END
FROM referrals_referral r WHERE r.from_organisation_id = %(org)s ORDER BY r.id LIMIT 2000
"""


class Command(BaseCommand):
    help = "Time the worklist home on the bench volume (bench database only)."

    def add_arguments(self, parser):
        parser.add_argument("--follow-ups", type=int, default=500_000)
        parser.add_argument("--rounds", type=int, default=7)
        parser.add_argument("--repeat", type=int, default=10)

    def handle(self, *args, follow_ups, rounds, repeat, **options):
        agent = User.objects.filter(email="agent01@bench.tawjih.test").first()
        supervisor = User.objects.filter(email="supervisor01@bench.tawjih.test").first()
        staff = User.objects.filter(email="referrals01@bench.tawjih.test").first()
        if agent is None or supervisor is None or staff is None:
            raise CommandError("Run bench_generate and referrals_bench first.")
        self._generate(follow_ups, agent)
        self._vacuum()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE status = 'due' AND due_on <= current_date), "
                "count(*) FROM baom_followup WHERE assigned_to_id = %s",
                [agent.pk],
            )
            due, total = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM baom_followup")
            (all_follow_ups,) = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM referrals_referral")
            (referrals,) = cursor.fetchone()
        self.stdout.write(
            f"Data: {all_follow_ups} follow-ups, {referrals} referrals; the agent holds "
            f"{total} follow-ups, {due} due today or overdue.\n"
        )
        pages = [
            ("Notifications page (agent), baseline", self._client(agent), "/notifications/"),
            ("Worklist home, agent", self._client(agent), "/"),
            ("Worklist home, supervisor", self._client(supervisor), "/"),
            ("Worklist home, association staff", self._client(staff), "/"),
        ]
        for _label, client, path in pages:  # warm-up
            for _ in range(3):
                self._get(client, path)
        medians = {label: [] for label, _c, _p in pages}
        for _ in range(rounds):
            for label, client, path in pages:
                timings = [self._get(client, path) for _ in range(repeat)]
                medians[label].append(statistics.median(timings))
        baseline = statistics.median(medians[pages[0][0]])
        self.stdout.write(
            f"{rounds} interleaved rounds of {repeat} requests per page\n\n"
            "| page | median | spread of round medians | ratio to baseline | queries |\n"
            "|---|---:|---:|---:|---:|"
        )
        for label, client, path in pages:
            values = medians[label]
            median = statistics.median(values)
            with CaptureQueriesContext(connection) as queries:
                self._get(client, path)
            self.stdout.write(
                f"| {label} | {median:.1f} ms | {min(values):.1f}–{max(values):.1f} ms | "
                f"{median / baseline:.2f} | {len(queries)} |"
            )

    @transaction.atomic
    def _generate(self, count: int, agent) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM baom_followup")
            (existing,) = cursor.fetchone()
            if existing >= count * 0.9:
                return
            started = time.perf_counter()
            cursor.execute("SELECT min(id), max(id) FROM baom_beneficiary")
            low, high = cursor.fetchone()
            cursor.execute(FOLLOW_UPS, {"count": count, "low": low, "high": high})
            cursor.execute(SEEN, {"user": agent.pk})
            cursor.execute(NOTIFICATIONS, {"user": agent.pk, "org": agent.organisation_id})
            self.stdout.write(f"Generated in {time.perf_counter() - started:.0f} s")

    def _vacuum(self) -> None:
        """Outside a transaction: the visibility map lets the caseload counts read the partial
        indexes alone (autovacuum does the same in production after the migrations)."""
        with connection.cursor() as cursor:
            for table in ("baom_beneficiary", "baom_followup", "core_notification"):
                cursor.execute(f"VACUUM ANALYZE {table}")

    def _client(self, user) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def _get(self, client, path) -> float:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"{path}: {response.status_code}")
        return elapsed
