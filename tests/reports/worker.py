"""A real Celery worker subprocess on a queue of its own, reading the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.test import override_settings


def database_url_for_tests() -> str:
    """DATABASE_URL pointing at the test database (the worker must read what the test wrote)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@contextlib.contextmanager
def real_worker():
    """Route build_report to a fresh queue (so no other developer's worker takes it) and run a
    worker on it; yields a function that starts the worker (tests may start it late)."""
    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    celery = str(Path(sys.executable).parent / "celery")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_tests(),
    }
    workers = []

    def start() -> subprocess.Popen:
        workers.append(subprocess.Popen(
            [celery, "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
             "--without-mingle", "--without-gossip", "-Q", queue],
            cwd=settings.BASE_DIR, env=env,
        ))  # fmt: skip
        return workers[-1]

    with override_settings(REPORTS_TASK_QUEUE=queue):
        try:
            yield start
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=30)
