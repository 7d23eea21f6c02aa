"""A real Celery worker, on the real Redis broker, runs the project's tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings

from core.tasks import HEARTBEAT_KEY, heartbeat


def test_heartbeat_runs_in_a_real_worker():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(HEARTBEAT_KEY)
    celery = str(Path(sys.executable).parent / "celery")
    # A queue of its own: other tests leave messages in the default queue, which a worker
    # would have to go through first.
    queue = f"heartbeat-test-{os.getpid()}"
    worker = subprocess.Popen(
        [celery, "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING", "--without-mingle",
         "--without-gossip", "-Q", queue],
        cwd=settings.BASE_DIR, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )  # fmt: skip
    try:
        heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not client.exists(HEARTBEAT_KEY):
            time.sleep(0.2)
        assert client.exists(HEARTBEAT_KEY), "the worker did not run the task within 60 s"
        assert abs(float(client.get(HEARTBEAT_KEY)) - time.time()) < 120
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_beat_schedules_the_heartbeat():
    from config.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["worker-heartbeat"]["task"] == heartbeat.name
