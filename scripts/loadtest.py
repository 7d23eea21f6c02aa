"""Load test: gunicorn on the benchmark database, locust in headless mode (``make loadtest``).

    python scripts/loadtest.py [--rounds 5] [--seconds 40] [--users 20] [--think 1,5]

Run inside ``scripts/devstack.py exec`` (the Makefile does) so that ``DATABASE_URL`` and
``REDIS_URL`` name the benchmark database and Redis. Starts gunicorn (``--workers``, 3 by default,
as in docker-compose) and one Celery worker with ``config.settings.bench``, then, round after
round, runs the same number of users against the baseline view alone and against the realistic
mix (agents + a statistician), so both see the same machine state. Prints one Markdown table:
per request type, requests/s and p95 (median over rounds, with min-max), errors, and the mix's
requests/s as a ratio to the baseline's. Raw CSV files stay in var/loadtest/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "loadtest"


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def run_locust(env, host, classes, users, seconds, think, prefix) -> dict[str, dict]:
    env = {**env, "LOADTEST_THINK": think}
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "loadtest" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p95": float(row["95%"] or 0),
                "median": float(row["Median Response Time"] or 0),
            }
    return rows


def prepare(path: Path, agents: int) -> None:
    """Signed-in sessions for the agents (agent01..agentNN, one bureau each) and the statistician,
    and a sample of each agent's people, written for the locust users."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from baom.models import Beneficiary

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    fixtures = {"cookie": settings.SESSION_COOKIE_NAME, "agents": []}
    for number in range(1, agents + 1):
        user = User.objects.get(email=f"agent{number:02d}@bench.tawjih.test")
        people = Beneficiary.objects.filter(bureau_id=user.organisation_id).values_list(
            "uuid", flat=True
        )[:200]
        fixtures["agents"].append(
            {"session": session(user), "people": [str(uuid) for uuid in people]}
        )
    fixtures["statistician"] = session(User.objects.get(email="statistician@tawjih.test"))
    path.write_text(json.dumps(fixtures))


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--users", type=int, default=20, help="concurrent agents")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--think", default="1,5", help="seconds between an agent's actions")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    os.environ["DJANGO_SETTINGS_MODULE"] = env["DJANGO_SETTINGS_MODULE"]
    fixtures = OUT / "fixtures.json"
    prepare(fixtures, min(options.users, 40))
    env["LOADTEST_FIXTURES"] = str(fixtures)
    host = f"http://127.0.0.1:{options.port}"
    web = start(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(options.workers),
            "--bind",
            f"127.0.0.1:{options.port}",
            "--log-level",
            "warning",
        ],
        env,
    )
    worker = start(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        env,
    )
    mix = ["AgentUser", "StatisticianUser"]
    scenarios = (
        # Capacity: no think time, every user sends its next request as soon as it has an answer.
        ("baseline, no think time", ["BaselineUser"], options.users, "0,0"),
        ("mix, no think time", mix, options.users + 1, "0,0"),
        # Agents at work: the target (p95 < 500 ms, 0 errors).
        (f"agents at work, think {options.think} s", mix, options.users + 1, options.think),
    )
    results: dict[str, dict[str, list]] = {name: defaultdict(list) for name, *_ in scenarios}
    try:
        wait_until_up(f"{host}/healthz")
        for number in range(options.rounds):
            for scenario, classes, users, think in scenarios:
                prefix = OUT / f"{scenario.split(',')[0].replace(' ', '-')}-{number}"
                for name, row in run_locust(
                    env, host, classes, users, options.seconds, think, prefix
                ).items():
                    results[scenario][name].append(row)
                print(f"round {number + 1}/{options.rounds}: {scenario} done", flush=True)
    finally:
        stop(web)
        stop(worker)

    print(
        f"\n{options.users} agents and a statistician, {options.workers} gunicorn workers, "
        f"{options.rounds} rounds of {options.seconds} s; median (min-max) over rounds\n"
    )
    print("| scenario | request | requests/s | p95 ms | median ms | errors |")
    print("|---|---|---:|---:|---:|---:|")
    for scenario, by_name in results.items():
        for name, rows in sorted(by_name.items()):
            print(
                f"| {scenario} | {name} | {spread([r['rps'] for r in rows])} | "
                f"{spread([r['p95'] for r in rows])} | {spread([r['median'] for r in rows])} | "
                f"{sum(r['failures'] for r in rows)} |"
            )
    ratios = [
        mixed["rps"] / base["rps"]
        for mixed, base in zip(
            results[scenarios[1][0]]["Aggregated"],
            results[scenarios[0][0]]["Aggregated"],
            strict=True,
        )
        if base["rps"]
    ]
    if ratios:
        middle = statistics.median(ratios)
        print(
            f"\nMix requests/s over baseline requests/s, per round: median {middle:.2f}"
            f" (min {min(ratios):.2f}, max {max(ratios):.2f})"
        )
    failures = sum(
        r["failures"] for by_name in results.values() for rows in by_name.values() for r in rows
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
