"""Measure the referral pages on a large volume (never on a production database).

    manage.py referrals_bench [--referrals 500000] [--repeat 30]

Inserts the referrals with set-based SQL (generate_series) between the bureaus' beneficiaries
and a few receiving associations, unless the volume is already there, then requests each page
through Django's test client (whole middleware stack and templates, no network) after warm-up
requests. The table gives the median and 90th percentile of the server time and the number of
SQL queries of one request.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, Territory, User
from accounts.roles import OrganisationKind, Role
from accounts.services import user_create
from baom.models import Beneficiary, ServiceType
from referrals.models import DirectoryEntry, Referral

RECEIVERS = 8
BENCH_PASSWORD = "bench-only-not-a-secret"  # noqa: S105 - bench database only

INSERT = """
INSERT INTO referrals_referral (
    created_at, updated_at, uuid, idempotency_key, beneficiary_id, from_organisation_id,
    to_organisation_id, service_id, parent_id, reason, urgency, note, shared_fields, status,
    sent_by_id, claimed_by_id, sent_at, due_on, answered_at, completed_at, closed_at,
    decline_reason, outcome, feedback, last_reminded_on
)
SELECT
    sent, sent, gen_random_uuid(), gen_random_uuid(), b.id, b.bureau_id,
    (%(receivers)s::bigint[])[1 + g %% cardinality(%(receivers)s::bigint[])],
    (%(services)s::bigint[])[1 + g %% cardinality(%(services)s::bigint[])],
    NULL, 'Bench referral', (ARRAY['routine', 'routine', 'urgent', 'emergency'])[1 + g %% 4], '',
    '{}', st.status, %(sender)s, NULL, sent, (sent + interval '3 days')::date,
    CASE WHEN st.status IN ('accepted', 'in_progress', 'completed', 'declined')
         THEN sent + (g %% 72) * interval '1 hour' END,
    CASE WHEN st.status = 'completed' THEN sent + (g %% 20 + 3) * interval '1 day' END,
    CASE WHEN st.status IN ('completed', 'declined', 'cancelled')
         THEN sent + (g %% 20 + 3) * interval '1 day' END,
    CASE WHEN st.status = 'declined' THEN 'no_capacity' ELSE '' END,
    CASE WHEN st.status = 'completed' THEN 'service_given' ELSE '' END,
    '', NULL
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL (
    SELECT now() - (g %% 700) * interval '1 day' - (g %% 1440) * interval '1 minute' AS sent,
           (ARRAY['sent', 'accepted', 'in_progress', 'completed', 'completed', 'completed',
                  'declined', 'cancelled'])[1 + g %% 8] AS status
) AS st
JOIN baom_beneficiary AS b
  ON b.id = (%(people)s::bigint[])[1 + (g::bigint * 7919) %% cardinality(%(people)s::bigint[])]
"""


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.9) - 1)]


class Command(BaseCommand):
    help = "Generate a large referral volume (bench database only) and time the referral pages."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=500_000)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, referrals, repeat, **options):
        agent = (
            User.objects.filter(role=Role.AGENT, is_active=True)
            .exclude(organisation=None)
            .order_by("email")
            .first()
        )
        manager = User.objects.filter(role=Role.PROGRAMME_MANAGER).first()
        if agent is None or manager is None:
            raise CommandError("Run bench_generate (and seed_demo for a manager) first.")
        receivers = self._receivers()
        staff = User.objects.get(email="referrals01@bench.tawjih.test")
        existing = Referral.objects.count()
        if existing < referrals:
            self._generate(referrals - existing, agent, receivers)
            # VACUUM (outside a transaction) sets the visibility map for index-only counts.
            with connection.cursor() as cursor:
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{command} referrals_referral")
        self.stdout.write(
            f"Data: {Referral.objects.count()} referrals, "
            f"{Referral.objects.filter(to_organisation=staff.organisation).count()} in the "
            "measured inbox.\n"
        )
        staff_client, agent_client = self._client(staff), self._client(agent)
        manager_client = self._client(manager)
        rows = [
            ("Inbox, new (association staff)", staff_client, "/referrals/", {}),
            ("Inbox, overdue", staff_client, "/referrals/", {"box": "overdue"}),
            ("Inbox, done, page 20", staff_client, "/referrals/", {"box": "done", "page": "20"}),
            ("Sent list (agent's bureau)", agent_client, "/referrals/sent/", {}),
            ("Sent list, page 20", agent_client, "/referrals/sent/", {"page": "20"}),
            ("Directory", agent_client, "/referrals/directory/", {}),
            ("Statistics (manager, all referrals)", manager_client, "/referrals/statistics/", {}),
        ]
        self.stdout.write("| measure | median | p90 | queries |\n|---|---:|---:|---:|")
        for label, client, path, params in rows:
            median, p90, queries = self._measure(client, path, params, repeat)
            self.stdout.write(f"| {label} | {median:.0f} ms | {p90:.0f} ms | {queries} |")
            self.stdout.flush()

    def _receivers(self) -> list[Organisation]:
        territory = Territory.objects.communes().first()
        services = list(ServiceType.objects.filter(is_sensitive=False)[:4])
        organisations = []
        for n in range(1, RECEIVERS + 1):
            organisation, created = Organisation.objects.get_or_create(
                name=f"Bench association {n:02d}",
                defaults={"kind": OrganisationKind.ASSOCIATION, "territory": territory},
            )
            if created:
                entry = DirectoryEntry.objects.create(organisation=organisation)
                entry.services.set(services)
            email = f"referrals{n:02d}@bench.tawjih.test"
            if not User.objects.filter(email=email).exists():
                user_create(
                    email=email,
                    full_name=f"Bench staff {n:02d}",
                    organisation=organisation,
                    role=Role.ASSOCIATION_STAFF,
                    password=BENCH_PASSWORD,
                    language="fr",
                )
            organisations.append(organisation)
        return organisations

    @transaction.atomic
    def _generate(self, count: int, agent, receivers) -> None:
        started = time.perf_counter()
        # People of every bureau: each bureau's sent list holds its share of the volume.
        people = list(Beneficiary.objects.order_by("pk").values_list("pk", flat=True)[:100_000])
        if not people:
            raise CommandError("No beneficiary: run bench_generate first.")
        services = list(ServiceType.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT,
                {
                    "count": count,
                    "receivers": [o.pk for o in receivers],
                    "services": services,
                    "people": people,
                    "sender": agent.pk,
                },
            )
        self.stdout.write(f"{count} referrals inserted in {time.perf_counter() - started:.0f} s.")

    def _client(self, user) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def _measure(self, client, path, params, repeat):
        for _ in range(3):
            client.get(path, params)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path, params)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{path}: {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(path, params)
        return statistics.median(timings), _p90(timings), len(queries)
