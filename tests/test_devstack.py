"""scripts/devstack.py, run as a developer runs it, in a subprocess on a temporary var/ dir
(its own embedded PostgreSQL and Redis; no Django database is used)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DEVSTACK = [sys.executable, str(ROOT / "scripts" / "devstack.py")]


def _env(var: Path) -> dict:
    env = {**os.environ, "TAWJIH_VAR_DIR": str(var)}
    for name in ("DATABASE_URL", "REDIS_URL", "XDG_RUNTIME_DIR"):  # start its own servers
        env.pop(name, None)
    return env


def _gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def test_after_a_devstack_killed_hard_the_next_one_stops_postgres_and_redis(tmp_path):
    """Issue 16: SIGKILL leaves PostgreSQL with a stale handle (it was never stopped again) and
    Redis running; the next devstack drops the handle, stops the leftovers and, at its exit,
    stops PostgreSQL."""
    var = tmp_path / "var"
    env = _env(var)
    first = subprocess.Popen(
        [*DEVSTACK, "exec", "--", "sleep", "300"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines = []
    for line in first.stdout:
        lines.append(line)
        if "Redis (embedded) ready" in line:
            break
    assert "Redis (embedded) ready" in "".join(lines), "".join(lines)
    os.killpg(first.pid, signal.SIGKILL)  # devstack and its command, nothing else
    first.wait()
    postmaster = int((var / "postgres" / "postmaster.pid").read_text().split()[0])
    (state,) = [json.loads(p.read_text()) for p in (var / "run").glob("devstack-*.json")]
    (redis,) = state["groups"]
    assert psutil.pid_exists(postmaster) and psutil.pid_exists(redis)
    assert json.loads((var / "postgres" / ".handle_pids.json").read_text()) == [first.pid]

    second = subprocess.run(
        [*DEVSTACK, "exec", "--", sys.executable, "-c", "print('ran')"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert second.returncode == 0, second.stdout + second.stderr
    assert "ran" in second.stdout
    assert "Dropped 1 handle" in second.stdout
    assert _gone(redis), "the Redis left by the killed devstack is still running"
    assert _gone(postmaster), "PostgreSQL was not stopped when the last devstack exited"
    assert json.loads((var / "postgres" / ".handle_pids.json").read_text()) == []
    assert not list((var / "run").glob("devstack-*.json"))


def test_site_url_follows_the_address_run_serves():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from devstack import site_url
    finally:
        sys.path.pop(0)
    assert site_url("127.0.0.1:8102") == "http://127.0.0.1:8102"
    assert site_url("0.0.0.0:8000") == "http://127.0.0.1:8000"
    assert site_url("localhost:9000") == "http://localhost:9000"
