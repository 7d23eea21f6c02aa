"""Measure the register import the way the page runs it, against the bare ``COPY``.

    manage.py import_bench [--rows 20000] [--rounds 5]

Wall time and CPU time (this process plus its PostgreSQL backend, from /proc) are both
reported: on a shared machine the wall time stretches with the other load.

One round = three measurements in a rotating order (so that none always runs first):
- **XLSX, the page's path**: a supervisor's Django test client uploads the file (preview: read
  once, every row checked, duplicates looked up in the bureau), then confirms (codes, ``COPY``,
  consent history, audit lines, the file's hash);
- **CSV, the page's path**: the same rows as CSV;
- **bare COPY** (the tightest baseline): the same people, already validated and built, sent to
  PostgreSQL with one ``COPY``; no reading, no checks, no codes, no history, no audit.
Each measurement runs in a transaction that is rolled back, so every round imports into the
same database (the same file is not refused as already imported). Prints each round, then the
median and spread (min-max) of each, rows per second, and the ratio to the bare COPY.
"""

from __future__ import annotations

import copy
import os
import random
import re
import statistics
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from import_export.formats.base_formats import XLSX
from tablib import Dataset

from accounts.models import User
from baom import imports
from baom.models import Beneficiary, RegisterImport
from baom.resources import HEADERS
from core.bulk import copy_insert

URL = "/beneficiaries/import/"
FIRST = ["Aminata", "Fatoumata", "Moussa", "Ibrahima", "Awa", "Mariam", "Ousmane", "Khadija"]
LAST = ["Traoré", "Diallo", "Koné", "Camara", "Sow", "Ndiaye", "Bah", "Cissé", "Touré", "Barry"]


class Rollback(Exception):
    """Raised to undo what a measurement wrote."""


def _cpu_seconds() -> float:
    """CPU time used so far by this process and by its PostgreSQL backend (read from /proc:
    the benchmark runs on the database's machine). On a shared, loaded machine wall time
    stretches with the other work; CPU time measures what the import itself costs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        backend_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        backend_cpu = float("nan")
    return time.process_time() + backend_cpu


def register(count: int, seed: int = 13) -> Dataset:
    """A synthetic register: invented names with a number (nobody real), a phone on half of
    the rows, the cells as bureaus write them."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    dataset = Dataset(headers=list(HEADERS.values()))
    for n in range(count):
        dataset.append([
            f"{rng.choice(LAST)}-{n}", rng.choice(FIRST), "F" if n % 2 else "Homme",
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2010)}", "",
            rng.choice(["Mali", "Sénégal", "Guinée", "Côte d'Ivoire", "Maroc"]),
            rng.choice(["RPT", "Réfugié", "MRE de retour", "population hôte"]),
            f"07{n:08d}" if n % 2 else "", rng.choice(["Inezgane", "Agadir", "Aït Melloul"]),
            "02/01/2026", "oui", rng.choice(["oui", "non"]), "", "", "",
        ])  # fmt: skip
    return dataset


class Command(BaseCommand):
    help = "Benchmark the register import through the page (XLSX and CSV) against a bare COPY."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20_000)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, rows, rounds, **options):
        supervisor = User.objects.filter(email="supervisor01@bench.tawjih.test").first()
        if supervisor is None:
            raise CommandError("Run bench_generate first (it creates supervisor01@bench...).")
        bureau = supervisor.organisation
        in_bureau = Beneficiary.objects.filter(bureau=bureau).count()
        self.stdout.write(f"Load average at start: {os.getloadavg()} on {os.cpu_count()} cores.")
        self.stdout.write(
            f"Data: {Beneficiary.objects.count()} beneficiaries, {in_bureau} in the importing "
            f"bureau; register of {rows} rows, {rounds} rounds."
        )
        dataset = register(rows)
        files = {
            "xlsx": ("registre.xlsx", XLSX().export_data(dataset)),
            "csv": ("registre.csv", dataset.export("csv").encode("utf-8")),
        }
        for name, (_filename, content) in files.items():
            self.stdout.write(f"  {name}: {len(content) / 1024 / 1024:.1f} MB")
        # The baseline's people: validated once, outside any timing.
        people = imports.validate(dataset, bureau=bureau, agent=supervisor)[1]
        if len(people) != rows:
            raise CommandError("The synthetic register does not validate.")
        for number, person in enumerate(people, start=1):
            person.code = f"BENCH-{number:07d}"
        client = Client(HTTP_HOST="localhost")
        client.force_login(supervisor)
        measures = {
            "xlsx": lambda: self._page(client, *files["xlsx"]),
            "csv": lambda: self._page(client, *files["csv"]),
            "copy": lambda: self._copy(people),
        }
        self._page(client, *files["csv"])  # warm-up (caches, connection), not counted
        timings: dict[str, list[float]] = {name: [] for name in measures}
        cpus: dict[str, list[float]] = {name: [] for name in measures}
        order = list(measures)
        for round_number in range(rounds):
            for name in order:
                elapsed, cpu, detail = measures[name]()
                timings[name].append(elapsed)
                cpus[name].append(cpu)
                self.stdout.write(
                    f"round {round_number + 1} {name:>4}: {elapsed:6.2f} s "
                    f"({rows / elapsed:,.0f} rows/s), CPU {cpu:.2f} s; {detail}"
                )
                self.stdout.flush()
            order = order[1:] + order[:1]
        self.stdout.write(f"Load average at end: {os.getloadavg()}.")
        labels = {
            "xlsx": "XLSX, upload + preview + confirm (the page)",
            "csv": "CSV, upload + preview + confirm (the page)",
            "copy": "bare `COPY` of the same validated people (baseline)",
        }
        for title, data in (
            ("wall time", timings),
            ("CPU time, Python + PostgreSQL backend", cpus),
        ):
            base = statistics.median(data["copy"])
            self.stdout.write(
                f"\n| {rows:,} rows, {title} | median | min-max | rows/s (median) | vs COPY |"
                "\n|---|---:|---:|---:|---:|"
            )
            for name, values in data.items():
                median = statistics.median(values)
                self.stdout.write(
                    f"| {labels[name]} | {median:.2f} s | {min(values):.2f}-{max(values):.2f} s"
                    f" | {rows / median:,.0f} | {median / base:.1f}x |"
                )

    def _page(self, client, filename: str, content: bytes) -> tuple[float, float, str]:
        try:
            with transaction.atomic():
                cpu = _cpu_seconds()
                started = time.perf_counter()
                page = client.post(URL, {"file": SimpleUploadedFile(filename, content)})
                previewed = time.perf_counter()
                text = page.content.decode()
                token = re.search(r'name="token" value="([^"]+)"', text)
                if token is None:
                    raise CommandError(text[text.find("invalid-feedback") - 300 :][:1500])
                done = client.post(URL, {"token": token.group(1)})
                elapsed = time.perf_counter() - started
                cpu = _cpu_seconds() - cpu
                if done.status_code != 302:
                    raise CommandError(f"confirmation answered {done.status_code}")
                record = RegisterImport.objects.get(sha256=imports.content_hash(content))
                confirm = elapsed - (previewed - started)
                detail = (
                    f"preview {previewed - started:.2f} s, confirm {confirm:.2f} s; "
                    f"{record.created} registered, {record.skipped} duplicates skipped"
                )
                raise Rollback
        except Rollback:
            pass
        return elapsed, cpu, detail

    def _copy(self, people: list[Beneficiary]) -> tuple[float, float, str]:
        batch = copy.deepcopy(people)
        try:
            with transaction.atomic():
                cpu = _cpu_seconds()
                started = time.perf_counter()
                copy_insert(batch)
                elapsed = time.perf_counter() - started
                cpu = _cpu_seconds() - cpu
                raise Rollback
        except Rollback:
            pass
        return elapsed, cpu, ""
