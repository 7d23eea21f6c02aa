"""The schema itself: what every migration together leaves in PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_no_table_has_two_indexes_on_the_same_columns():
    """Two identical indexes double the cost of every write for nothing (baom_servicedelivery
    had two on beneficiary_id). Same table, columns, operator classes, expressions and
    predicate: the catalogue's own definition of "the same index"."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indrelid::regclass::text, array_agg(indexrelid::regclass::text ORDER BY 1)
            FROM pg_index
            JOIN pg_class ON pg_class.oid = indrelid
            WHERE pg_class.relnamespace = 'public'::regnamespace
            GROUP BY indrelid, indkey::text, indclass::text,
                     coalesce(pg_get_expr(indexprs, indrelid), ''),
                     coalesce(pg_get_expr(indpred, indrelid), '')
            HAVING count(*) > 1
            """
        )
        duplicates = cursor.fetchall()
    assert duplicates == []
