"""Measure the intake pages on the bench volume (see bench_generate), server side, in process.

    manage.py bench_run [--repeat 30] [--import-rows 100000]

Each page is requested through Django's test client (the whole middleware stack, templates
included, no network), after warm-up requests; the table gives the median and 90th percentile
of the server time and the number of SQL queries of one request.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tablib import Dataset

from accounts.models import User
from baom.imports import run_import
from baom.models import Beneficiary, ServiceType
from baom.resources import HEADERS, BeneficiaryImportResource


class RowByRowResource(BeneficiaryImportResource):
    """The same checks with django-import-export's defaults: one savepoint, one INSERT and one
    code per row, and a diff of every row."""

    class Meta(BeneficiaryImportResource.Meta):
        use_bulk = False
        skip_diff = False


class Rollback(Exception):
    """Raised to undo what a measurement wrote."""


class Command(BaseCommand):
    help = "Benchmark the intake pages and the register import on the bench data."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--row-by-row-rows", type=int, default=1_000)

    def handle(self, *args, repeat, import_rows, row_by_row_rows, **options):
        agent = User.objects.filter(email="agent01@bench.tawjih.test").first()
        supervisor = User.objects.filter(email="supervisor01@bench.tawjih.test").first()
        manager = User.objects.filter(role="programme_manager").first()
        if agent is None or manager is None:
            raise CommandError("Run bench_generate (and seed_demo for a manager) first.")
        total = Beneficiary.objects.count()
        mine = Beneficiary.objects.filter(bureau=agent.organisation).count()
        self.stdout.write(f"Data: {total} beneficiaries, {mine} in the agent's bureau.\n")
        rng = random.Random(7)  # noqa: S311
        sample = list(
            Beneficiary.objects.filter(bureau=agent.organisation).values_list("uuid", flat=True)[
                :2000
            ]
        )
        agent_client, manager_client = self._client(agent), self._client(manager)
        rows = [
            ("Search, typo in the name (agent, own bureau)", agent_client,
             lambda: ("/beneficiaries/", {"q": "fatumata dialo"})),
            ("Search, typo in the name (manager, all bureaus)", manager_client,
             lambda: ("/beneficiaries/", {"q": "fatumata dialo"})),
            ("Search by phone (manager, all bureaus)", manager_client,
             lambda: ("/beneficiaries/", {"q": "+21261234567"})),
            ("Filtered list: women, RPT, 25-59, by name (agent)", agent_client,
             lambda: ("/beneficiaries/", {"sex": "female", "category": "rpt", "age_band": "25-59", "sort": "name"})),
            ("Filtered list: women, RPT, 25-59, by name (manager)", manager_client,
             lambda: ("/beneficiaries/", {"sex": "female", "category": "rpt", "age_band": "25-59", "sort": "name"})),
            ("List, page 40 (agent)", agent_client, lambda: ("/beneficiaries/", {"page": "40"})),
            ("Beneficiary page with its timeline (agent)", agent_client,
             lambda: (f"/beneficiaries/{rng.choice(sample)}/", {})),
        ]  # fmt: skip
        self.stdout.write("| measure | median | p90 | queries |\n|---|---:|---:|---:|")
        measures = [
            *(lambda r=r: self._measure(*r, repeat) for r in rows),
            lambda: self._measure_visit(agent_client, sample, rng, repeat),
        ]
        for measure in measures:
            label, median, p90, queries = measure()
            self.stdout.write(f"| {label} | {median:.0f} ms | {p90:.0f} ms | {queries} |")
            self.stdout.flush()
        if import_rows:
            self._measure_import(supervisor, import_rows, BeneficiaryImportResource, "Tawjih")
        if row_by_row_rows:
            self._measure_import(
                supervisor, row_by_row_rows, RowByRowResource, "django-import-export default"
            )

    def _client(self, user) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def _measure(self, label, client, make, repeat):
        for _ in range(3):
            path, params = make()
            client.get(path, params)
        timings = []
        for _ in range(repeat):
            path, params = make()
            started = time.perf_counter()
            response = client.get(path, params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(*make())
        return label, statistics.median(timings), _p90(timings), len(queries)

    def _measure_visit(self, client, sample, rng, repeat):
        services = list(ServiceType.objects.filter(is_sensitive=False).values_list("pk", flat=True))
        today = datetime.date.today().isoformat()  # noqa: DTZ011
        timings, queries = [], 0
        for n in range(repeat + 3):
            try:
                with transaction.atomic():
                    url = f"/beneficiaries/{rng.choice(sample)}/visit/"
                    data = {
                        "date": today,
                        "channel": "walk_in",
                        "services": rng.sample(services, 2),
                    }
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        response = client.post(url, data)
                        elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 302, response.status_code
                    raise Rollback
            except Rollback:
                pass
            if n >= 3:
                timings.append(elapsed)
                queries = len(captured)
        return (
            "Save a visit with two services (agent)",
            statistics.median(timings),
            _p90(timings),
            queries,
        )

    def _measure_import(self, supervisor, count, resource_class, label):
        dataset = Dataset(headers=list(HEADERS.values()))
        for n in range(count):
            dataset.append([
                f"Nom{n}", f"Prénom{n}", "F" if n % 2 else "H", "15/03/1990", "", "Sénégal", "RPT",
                "", "Inezgane", "02/01/2026", "oui", "non", "non", "", "",
            ])  # fmt: skip
        try:
            with transaction.atomic():
                started = time.perf_counter()
                outcome = run_import(
                    dataset,
                    bureau=supervisor.organisation,
                    agent=supervisor,
                    dry_run=False,
                    resource_class=resource_class,
                )
                elapsed = time.perf_counter() - started
                assert outcome.ok and outcome.created == count, outcome.errors[:3]
                raise Rollback
        except Rollback:
            pass
        self.stdout.flush()
        self.stdout.write(
            f"\nImport, {label}: {count} rows (all checks, all-or-nothing) in {elapsed:.1f} s, "
            f"{count / elapsed:.0f} rows/s"
        )


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) >= 10 else max(values)
