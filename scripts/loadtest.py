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
    results: dict[str, dict[str, list]] = {"baseline": defaultdict(list), "mix": defaultdict(list)}
    try:
        wait_until_up(f"{host}/healthz")
        for number in range(options.rounds):
            for scenario, classes, users in (
                ("baseline", ["BaselineUser"], options.users),
                ("mix", ["AgentUser", "StatisticianUser"], options.users + 1),
            ):
                prefix = OUT / f"{scenario}-{number}"
                for name, row in run_locust(
                    env, host, classes, users, options.seconds, options.think, prefix
                ).items():
                    results[scenario][name].append(row)
                print(f"round {number + 1}/{options.rounds}: {scenario} done", flush=True)
    finally:
        stop(web)
        stop(worker)

    print(
        f"\n{options.users} agents, think time {options.think} s, {options.workers} gunicorn "
        f"workers, {options.rounds} rounds of {options.seconds} s; median (min-max) over rounds\n"
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
        mix["rps"] / base["rps"]
        for mix, base in zip(
            results["mix"]["Aggregated"], results["baseline"]["Aggregated"], strict=True
        )
        if base["rps"]
    ]
    if ratios:
        middle = statistics.median(ratios)
        print(
            f"\nMix requests/s over baseline requests/s, per round: median {middle:.2f}"
            f" (min {min(ratios):.2f}, max {max(ratios):.2f})"
        )
    failures = sum(r["failures"] for rows in results["mix"].values() for r in rows)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
