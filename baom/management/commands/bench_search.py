"""Does a bureau's search cost grow with other bureaus' data? (``make bench`` runs it.)

    manage.py bench_search [--small-db tawjih_bench_small] [--rounds 5] [--repeat 20]

Compares the benchmark database (1,000,000 people in 40 bureaus of 25,000) with a second one of
100,000 people in 4 bureaus of 25,000, generated the same way (``bench_generate`` with a size)
on the same server the first time: the agent's bureau has the same size in both, only the
number of other people differs. The pages are requested through Django's test client, as
``bench_run`` does, alternating between the two databases round after round (interleaved), and
each round's ratio of medians is reported with the median and spread over rounds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.models import User

SEARCHES = ["fatumata dialo", "aminata traore", "mariam kone", "ibrahima camara", "grace okafor"]
SMALL = {"beneficiaries": 100_000, "visits": 250_000, "bureaus": 4}


class Command(BaseCommand):
    help = "Search cost at 1M vs 100k people with the same bureau size, interleaved."

    def add_arguments(self, parser):
        parser.add_argument("--small-db", default="tawjih_bench_small")
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, small_db, rounds, repeat, **options):
        big_db = connection.settings_dict["NAME"]
        self._ensure_small(small_db)
        measures = {
            "Search, typo in the name (agent, own bureau of 25,000)": "agent01@bench.tawjih.test",
            "Search, typo in the name (manager, all bureaus)": None,
        }
        ratios = {label: [] for label in measures}
        medians = {label: {big_db: [], small_db: []} for label in measures}
        for number in range(rounds):
            order = (big_db, small_db) if number % 2 == 0 else (small_db, big_db)
            for name in order:
                self._use(name)
                for label, email in measures.items():
                    user = (
                        User.objects.get(email=email)
                        if email
                        else User.objects.filter(role="programme_manager").order_by("pk").first()
                    )
                    medians[label][name].append(self._median(user, repeat))
            for label in measures:
                ratios[label].append(medians[label][big_db][-1] / medians[label][small_db][-1])
        self._use(big_db)
        self.stdout.write(
            "\n| measure | 1M people (ms) | 100k people (ms) | ratio 1M/100k, median (min-max) |"
            "\n|---|---:|---:|---:|"
        )
        for label in measures:
            big, small, ratio = medians[label][big_db], medians[label][small_db], ratios[label]
            self.stdout.write(
                f"| {label} | {statistics.median(big):.0f} | {statistics.median(small):.0f} | "
                f"{statistics.median(ratio):.2f} ({min(ratio):.2f}-{max(ratio):.2f}) |"
            )

    def _use(self, name: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = name

    def _median(self, user, repeat: int) -> float:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for text in SEARCHES:  # warm-up
            assert client.get("/beneficiaries/", {"q": text}).status_code == 200
        timings = []
        for n in range(repeat):
            started = time.perf_counter()
            response = client.get("/beneficiaries/", {"q": SEARCHES[n % len(SEARCHES)]})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        return statistics.median(timings)

    def _ensure_small(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if not exists:
                cursor.execute(f'CREATE DATABASE "{name}"')  # a name from the command line
        conf = connection.settings_dict
        host = quote(conf.get("HOST") or "", safe="")
        port = f":{conf['PORT']}" if conf.get("PORT") else ""
        password = f":{quote(conf['PASSWORD'], safe='')}" if conf.get("PASSWORD") else ""
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{conf.get('USER') or ''}{password}@{host}{port}/{name}",
        }
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        steps = [
            ["migrate", "--noinput", "-v0"],
            ["seed_demo", "--quiet-logins"],
            ["bench_generate", *(f"--{key}={value}" for key, value in SMALL.items())],
        ]
        for step in steps:
            done = subprocess.run([*manage, *step], env=env, capture_output=True, text=True)  # noqa: S603
            if done.returncode:
                raise CommandError(f"{' '.join(step)} on {name} failed:\n{done.stderr[-2000:]}")
