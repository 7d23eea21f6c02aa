"""Where reads go: the primary, or a streaming read replica for statistics.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database. Nothing reads from it
unless the code asks, because most pages must read what the user has just written: the report
builder, the statistics pages and the exports enter :func:`replica_reads`, and inside it the
ORM's reads go to the replica (:class:`ReplicaRouter`) and :func:`reading_alias` names it for raw
SQL. Every write stays on the primary, whatever the block: the router sends writes to
``default`` and never migrates the replica (a hot standby is read-only anyway).

:func:`snapshot` opens one ``REPEATABLE READ, READ ONLY`` transaction on the reading database, so
every query of a report sees the same snapshot (a report never mixes two states of the data).
On the primary without a replica the builder also writes its progress in between, on the same
connection, so there the block reads statement by statement as before.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

REPLICA = "replica"
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "tawjih_replica_reads", default=False
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_alias() -> str:
    """The database the current block reads statistics from."""
    if _replica_reads.get() and replica_configured():
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextlib.contextmanager
def replica_reads() -> Iterator[str]:
    """Inside the block, reads go to the replica when one is configured."""
    token = _replica_reads.set(True)
    try:
        yield reading_alias()
    finally:
        _replica_reads.reset(token)


@contextlib.contextmanager
def snapshot() -> Iterator[str]:
    """Replica reads in one consistent snapshot (a read-only repeatable-read transaction)."""
    with replica_reads() as alias:
        if alias == DEFAULT_DB_ALIAS:
            yield alias
            return
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield alias


def snapshot_time(alias: str):
    """When the data read on ``alias`` was written: the last transaction the replica replayed,
    or now on the primary (a report says from when its figures are)."""
    from django.utils import timezone

    if alias == DEFAULT_DB_ALIAS:
        return timezone.now()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_xact_replay_timestamp()")
        replayed = cursor.fetchone()[0]
    return replayed or timezone.now()


class ReplicaRouter:
    """Reads inside :func:`replica_reads` go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _replica_reads.get() and replica_configured() else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
