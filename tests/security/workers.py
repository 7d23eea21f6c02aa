"""Real Celery worker processes for the fault tests: each in a process group of its own (so
SIGKILL takes the whole worker), on a queue of its own, reading the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

from tests.reports.worker import database_url_for_tests


class Workers:
    def __init__(
        self,
        log_dir: Path,
        *,
        settings_module: str = "tests.security.worker_settings",
        env: dict | None = None,
    ):
        self.queue = f"security-test-{uuid.uuid4().hex[:8]}"
        self.log_dir = log_dir
        self.settings_module = settings_module
        self.env = env or {}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        celery = str(Path(sys.executable).parent / "celery")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DATABASE_URL": database_url_for_tests(),
            **self.env,
        }
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [celery, "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-mingle", "--without-gossip", "--without-heartbeat", "-Q", self.queue],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no clean-up of any kind."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def logs(self) -> str:
        return "".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def wait_for(condition, *, timeout: float = 90, every: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} not reached within {timeout} s")
