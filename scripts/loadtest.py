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
import contextlib
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
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

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


class Stack:
    """gunicorn and a Celery worker sharing one environment (with or without the replica).
    Each stack's report builds go to its own queue, so a stack's worker builds its own reports."""

    def __init__(self, name: str, env: dict, port: int, workers: int, queue: str):
        self.name, self.port, self.workers, self.queue = name, port, workers, queue
        self.env = {**env, "REPORTS_TASK_QUEUE": queue}
        self.host = f"http://127.0.0.1:{port}"
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        self.processes = [
            start([str(BIN / "gunicorn"), "config.wsgi", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"], self.env),
            start([str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1",
                   "-Q", f"{self.queue},celery", "--hostname", f"{self.name}@%h",
                   "--loglevel", "WARNING"], self.env),
        ]  # fmt: skip
        wait_until_up(f"{self.host}/healthz")

    def stop(self) -> None:
        for process in self.processes:
            stop(process)


def reports_settled(timeout: float) -> None:
    """Wait until no report is queued or running."""
    from django.db import close_old_connections

    from reports.choices import Status
    from reports.models import Report

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        if not Report.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]).exists():
            return
        time.sleep(2)
    print(f"a report was still being built after {timeout:.0f} s", flush=True)


def build_times(since: datetime) -> list[float]:
    """How long the worker took (s) for each report requested since ``since``."""
    from reports.models import Report

    return [
        (report.finished_at - report.started_at).total_seconds()
        for report in Report.objects.filter(created_at__gte=since, finished_at__isnull=False)
        if report.started_at
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--users", type=int, default=20, help="concurrent agents")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--think", default="1,5", help="seconds between an agent's actions")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--replica",
        action="store_true",
        help="also run the report scenario against a stack reading statistics from a streaming "
        "replica of the benchmark database (made with pg_basebackup under var/loadtest/)",
    )
    parser.add_argument(
        "--only-report-scenario",
        action="store_true",
        help="run only 'agents at work while the annual report builds'",
    )
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    os.environ["DJANGO_SETTINGS_MODULE"] = env["DJANGO_SETTINGS_MODULE"]
    fixtures = OUT / "fixtures.json"
    prepare(fixtures, min(options.users, 40))
    env["LOADTEST_FIXTURES"] = str(fixtures)

    with contextlib.ExitStack() as cleanup:
        stacks = [Stack("primary", env, options.port, options.workers, "reports-primary")]
        if options.replica:
            stacks.append(replica_stack(cleanup, env, options))
        for stack in stacks:
            stack.start()
            cleanup.callback(stack.stop)
        results = run_rounds(stacks, options)
    report(results, options)


def replica_stack(cleanup: contextlib.ExitStack, env: dict, options) -> Stack:
    from django.db import connections

    from scripts import pgreplica

    primary = connections["default"].settings_dict
    if not str(primary.get("HOST") or "").startswith("/"):
        raise SystemExit("--replica needs the embedded PostgreSQL (a Unix socket)")
    print("making a streaming replica of the benchmark database (pg_basebackup)...", flush=True)
    sockets = cleanup.enter_context(
        pgreplica.streaming_replica(primary["HOST"], primary.get("USER") or "postgres",
                                    OUT / "replica")
    )  # fmt: skip
    url = urlsplit(env["DATABASE_URL"])
    replica_url = urlunsplit(
        url._replace(netloc=f"{url.netloc.rpartition('@')[0]}@{quote(str(sockets), safe='')}")
    )
    return Stack(
        "replica", {**env, "DATABASE_REPLICA_URL": replica_url}, options.port + 1,
        options.workers, "reports-replica",
    )  # fmt: skip


REPORT_SCENARIO = "agents at work while the annual report builds"


def run_rounds(stacks: list[Stack], options) -> dict:
    mix = ["AgentUser", "StatisticianUser"]
    primary = stacks[0]
    scenarios = [] if options.only_report_scenario else [
        # Capacity: no think time, every user sends its next request as soon as it has an answer.
        ("baseline, no think time", primary, ["BaselineUser"], options.users, "0,0"),
        ("mix, no think time", primary, mix, options.users + 1, "0,0"),
        # Agents at work: the target (p95 < 500 ms, 0 errors).
        (f"agents at work, think {options.think} s", primary, mix, options.users + 1,
         options.think),
    ]  # fmt: skip
    # The annual report requested as the round starts, built by the worker while the agents
    # work: statistics on the primary, then (with --replica) on the replica, interleaved.
    for stack in stacks:
        scenarios.append(
            (f"{REPORT_SCENARIO} ({stack.name})", stack, ["AgentUser", "ReportBuildUser"],
             options.users + 1, options.think)
        )  # fmt: skip
    results: dict[str, dict[str, list]] = {name: defaultdict(list) for name, *_ in scenarios}
    builds: dict[str, list[float]] = defaultdict(list)
    for number in range(options.rounds):
        for scenario, stack, classes, users, think in scenarios:
            if scenario.startswith(REPORT_SCENARIO):
                reports_settled(600)  # the round starts with no build under way
            began = datetime.now(UTC)
            prefix = OUT / f"{scenario.split(',')[0].split(' (')[0].replace(' ', '-')}-{number}"
            if stack is not primary:
                prefix = prefix.with_name(prefix.name + f"-{stack.name}")
            for name, row in run_locust(
                stack.env, stack.host, classes, users, options.seconds, think, prefix
            ).items():
                results[scenario][name].append(row)
            if scenario.startswith(REPORT_SCENARIO):
                reports_settled(600)
                builds[scenario].extend(build_times(began))
            print(f"round {number + 1}/{options.rounds}: {scenario} done", flush=True)
    results["_builds"] = builds
    return results


def report(results: dict, options) -> None:
    builds = results.pop("_builds")
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
    print("\nAll requests' p95 (ms) round by round (a round far from the others is the machine):")
    for scenario, by_name in results.items():
        rounds = ", ".join(f"{row['p95']:.0f}" for row in by_name.get("Aggregated", []))
        print(f"- {scenario}: {rounds}")
    for scenario, seconds in builds.items():
        if seconds:
            print(f"\n{scenario}: annual report built in {spread(seconds)} s")
    base = results.get("baseline, no think time", {}).get("Aggregated")
    mixed = results.get("mix, no think time", {}).get("Aggregated")
    if base and mixed:
        ratios = [m["rps"] / b["rps"] for m, b in zip(mixed, base, strict=True) if b["rps"]]
        print(
            f"\nMix requests/s over baseline requests/s, per round: median "
            f"{statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})"
        )
    failures = sum(
        r["failures"] for by_name in results.values() for rows in by_name.values() for r in rows
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
