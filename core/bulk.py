"""Set-based writes for large, already validated batches (register imports).

``copy_insert`` sends model instances to PostgreSQL with ``COPY ... FROM STDIN`` instead of
``INSERT``: no SQL to build and parse for every row, which is where most of Django's
``bulk_create`` time goes on wide rows. It writes exactly what the instances hold, after the
same ``pre_save`` hooks as ``save()`` (``auto_now`` dates), so callers validate first; the
database still enforces every constraint, and a violation aborts the whole ``COPY``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def copy_insert(instances: Sequence[models.Model]) -> None:
    """Insert ``instances`` (all of one model, without a pk) in one ``COPY``. The instances do
    not get their primary keys back: name them by a unique column (``uuid``) if needed."""
    if not instances:
        return
    model = type(instances[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.auto_created)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pre_save = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    attnames = [f.attname for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for instance in instances:
            for field in pre_save:
                field.pre_save(instance, add=True)
            # __dict__ holds the database values (a country's code, not its object).
            values = instance.__dict__
            copy.write_row([values[name] for name in attnames])


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[Sequence]) -> None:
    """``COPY`` plain rows into ``table`` (for side tables such as the audit trail)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
