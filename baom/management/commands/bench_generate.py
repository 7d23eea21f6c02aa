"""Generate a realistic intake volume for benchmarks (never on a production database).

    manage.py bench_generate --beneficiaries 1000000 --visits 2500000 --bureaus 40

Everything is synthetic and inserted with set-based SQL (generate_series), so a million people
take about a minute. Each visit gets two services, so 2,500,000 visits give 5,000,000 services.
On a database that already has bench data it does nothing, unless --replace is given.
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.models import Organisation, Territory, User
from accounts.roles import OrganisationKind, Role
from accounts.services import user_create
from baom.models import normalise

FIRST = ["Aminata", "Fatoumata", "Mariam", "Grace", "Awa", "Khadija", "Blessing", "Aïcha", "Rokia",
         "Joséphine", "Hawa", "Salimata", "Mamadou", "Ibrahima", "Moussa", "Samuel", "Ousmane",
         "Youssef", "Emmanuel", "Abdoulaye", "Cheikh", "Karim", "Idrissa", "Patrick", "Hamza",
         "Omar", "Esther", "Nadia", "Bintou", "Kadiatou", "Seydou", "Boubacar"]  # fmt: skip
LAST = ["Diallo", "Traoré", "Koné", "Camara", "Ndiaye", "Sow", "Bamba", "Keïta", "Touré", "Okafor",
        "Mensah", "Diop", "Cissé", "Sylla", "Benali", "El Amrani", "Ouali", "Coulibaly", "Sangaré",
        "Doumbia", "Konaté", "Fofana", "Kanté", "Barry", "Baldé", "Bah", "Sacko", "Dembélé",
        "Mbaye", "Faye", "Gueye", "Sarr", "Adeyemi", "Nwosu", "Owusu", "Asante"]  # fmt: skip
BENCH_PASSWORD = "Bench-password-2026"  # noqa: S105 - benchmark database only


def bureau_code(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "Z" + letters[n // 26] + letters[n % 26]


class Command(BaseCommand):
    help = "Fill the database with synthetic beneficiaries, visits and services for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--beneficiaries", type=int, default=1_000_000)
        parser.add_argument("--visits", type=int, default=2_500_000)
        parser.add_argument("--bureaus", type=int, default=40)
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args, beneficiaries, visits, bureaus, replace, **options):
        call_command("load_reference_data", verbosity=0, stdout=self.stdout)
        existing = Organisation.objects.filter(name__startswith="BENCH ")
        if existing.exists() and not replace:
            self.stdout.write("Bench data exists already: kept (--replace to generate it again).")
            return
        started = time.monotonic()
        with transaction.atomic():
            if existing.exists():
                self._clear()
            bureau_ids, agent_ids = self._bureaus(bureaus)
            self._beneficiaries(beneficiaries, bureau_ids, agent_ids)
            self._visits(visits, bureau_ids, agent_ids)
        with connection.cursor() as cursor:
            for table in ("baom_beneficiary", "baom_visit", "baom_servicedelivery"):
                cursor.execute(f"ANALYZE {table}")
        self.stdout.write(
            f"{beneficiaries} beneficiaries, {visits} visits, {2 * visits} services "
            f"in {bureaus} bureaus: {time.monotonic() - started:.0f} s"
        )

    def _clear(self):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE baom_servicedelivery, baom_visit_needs, baom_visit, "
                           "baom_attendance, baom_distribution, baom_merge, baom_beneficiary, "
                           "baom_beneficiarycodecounter CASCADE")  # fmt: skip
        User.objects.filter(email__endswith="@bench.tawjih.test").delete()
        Organisation.objects.filter(name__startswith="BENCH ").delete()

    def _bureaus(self, count: int):
        communes = list(Territory.objects.communes().order_by("code"))
        bureau_ids, agent_ids = [], []
        for n in range(count):
            bureau = Organisation.objects.create(
                name=f"BENCH BAOM {n + 1:02d}",
                kind=OrganisationKind.BUREAU,
                code=bureau_code(n),
                territory=communes[n % len(communes)],
            )
            agent = user_create(
                email=f"agent{n + 1:02d}@bench.tawjih.test",
                full_name=f"Agent bench {n + 1}",
                organisation=bureau,
                role=Role.AGENT,
                password=BENCH_PASSWORD,
            )
            if n == 0:
                user_create(
                    email="supervisor01@bench.tawjih.test",
                    full_name="Supervisor bench 1",
                    organisation=bureau,
                    role=Role.SUPERVISOR,
                    password=BENCH_PASSWORD,
                )
            bureau_ids.append(bureau.pk)
            agent_ids.append(agent.pk)
        return bureau_ids, agent_ids

    def _beneficiaries(self, count: int, bureau_ids: list[int], agent_ids: list[int]):
        codes = [bureau_code(n) for n in range(len(bureau_ids))]
        communes = list(Territory.objects.communes().values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH src AS (
                    SELECT g AS n,
                           (g - 1) %% %(b)s AS bi,
                           ((g - 1) / %(b)s) + 1 AS seq,
                           (%(first)s::text[])[1 + (hashint4(g) & 2147483647) %% %(nf)s] AS fn,
                           (%(last)s::text[])[1 + (hashint4(g * 7) & 2147483647) %% %(nl)s] AS ln,
                           (%(firstn)s::text[])[1 + (hashint4(g) & 2147483647) %% %(nf)s] AS fnn,
                           (%(lastn)s::text[])[1 + (hashint4(g * 7) & 2147483647) %% %(nl)s] AS lnn,
                           (hashint4(g * 13) & 2147483647)::bigint AS h
                    FROM generate_series(1, %(count)s) AS g
                )
                INSERT INTO baom_beneficiary (
                    uuid, code, bureau_id, registered_by_id, registered_on, first_name, last_name,
                    sex, birth_date, birth_date_is_estimated, nationality, category, languages,
                    phone, commune_id, household_size, children_count, vulnerabilities,
                    gbv_survivor, confidential_notes, consent_processing, consent_sharing,
                    consent_date, consent_method, status, closed_reason, closed_on, merged_into_id,
                    search_name, version, created_at, updated_at, anonymised_reason, consent_contact)
                SELECT gen_random_uuid(),
                       (%(codes)s::text[])[bi + 1] || '-'
                           || extract(year FROM DATE '2022-01-01' + (h %% 1400)::int)::int || '-'
                           || lpad(seq::text, 5, '0'),
                       (%(bureaus)s::bigint[])[bi + 1], (%(agents)s::bigint[])[bi + 1],
                       DATE '2022-01-01' + (h %% 1400)::int,
                       fn, ln,
                       (ARRAY['female','male','female','not_recorded'])[1 + h %% 4],
                       DATE '1950-01-01' + (h %% 25000)::int, (h %% 5 = 0),
                       (ARRAY['SN','ML','CI','GN','CM','NG','CD','GH','BF','SD','SY','MA'])[1 + (h / 7) %% 12],
                       (ARRAY['rpt','rpt','asylum_seeker','refugee','mre','mre_returnee','host'])[1 + (h / 11) %% 7],
                       ARRAY['fr','darija'], '+2126' || lpad(((h * 31) %% 100000000)::text, 8, '0'),
                       (%(communes)s::bigint[])[1 + (h / 3) %% %(nc)s],
                       1 + h %% 6, h %% 4,
                       CASE WHEN h %% 9 = 0 THEN ARRAY['woman_alone'] ELSE ARRAY[]::varchar[] END,
                       false, '', true, (h %% 3 <> 0), DATE '2022-01-01' + (h %% 1400)::int, 'oral',
                       (ARRAY['open','follow_up','closed'])[1 + (h / 5) %% 3],
                       CASE WHEN (h / 5) %% 3 = 2 THEN 'resolved' ELSE '' END,
                       CASE WHEN (h / 5) %% 3 = 2 THEN DATE '2025-06-01' END, NULL,
                       fnn || ' ' || lnn, 1, now(), now(), '', (h %% 3 <> 0)
                FROM src
                """,
                {
                    "count": count, "b": len(bureau_ids), "codes": codes, "bureaus": bureau_ids,
                    "agents": agent_ids, "first": FIRST, "last": LAST,
                    "firstn": [normalise(n) for n in FIRST], "lastn": [normalise(n) for n in LAST],
                    "nf": len(FIRST), "nl": len(LAST), "communes": communes, "nc": len(communes),
                },
            )  # fmt: skip

    def _visits(self, count: int, bureau_ids: list[int], agent_ids: list[int]):
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id) FROM baom_beneficiary")
            low, high = cursor.fetchone()
            cursor.execute(
                "SELECT array_agg(id ORDER BY position) FROM baom_servicetype WHERE NOT is_sensitive"
            )
            (service_ids,) = cursor.fetchone()
            cursor.execute(
                """
                INSERT INTO baom_visit (uuid, beneficiary_id, bureau_id, agent_id, date, channel,
                                        notes, next_follow_up, created_at, updated_at)
                SELECT gen_random_uuid(), b.id, b.bureau_id, b.registered_by_id,
                       b.registered_on + (g %% 200), 'walk_in', '', NULL, now(), now()
                FROM generate_series(1, %(count)s) AS g
                JOIN baom_beneficiary b
                  ON b.id = %(low)s + (hashint4(g) & 2147483647) %% (%(high)s - %(low)s + 1)
                """,
                {"count": count, "low": low, "high": high},
            )
            cursor.execute(
                """
                INSERT INTO baom_servicedelivery (visit_id, service_type_id, beneficiary_id,
                                                  bureau_id, date)
                SELECT v.id, (%(services)s::bigint[])[1 + (v.id + k) %% %(ns)s],
                       v.beneficiary_id, v.bureau_id, v.date
                FROM baom_visit v CROSS JOIN (VALUES (1), (2)) AS two(k)
                ON CONFLICT DO NOTHING
                """,
                {"services": service_ids, "ns": len(service_ids)},
            )
