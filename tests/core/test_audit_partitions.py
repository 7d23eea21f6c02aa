"""The audit trail's monthly partitions (issue 17): made ahead by the beat task, retention
never shorter than a year, and lines land in their month's partition."""

from __future__ import annotations

import datetime

import pytest
from django.db import DataError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from core import audit
from core.tasks import audit_partitions

pytestmark = pytest.mark.django_db


def partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'core_auditevent'::regclass"
        )
        return {row[0] for row in cursor.fetchall()}


def month_name(offset: int) -> str:
    today = timezone.now().astimezone(datetime.UTC).date()
    months = today.year * 12 + today.month - 1 + offset
    return f"core_auditevent_{months // 12}{months % 12 + 1:02d}"


def test_the_beat_task_makes_the_months_ahead_and_lines_land_in_this_month():
    audit_partitions(months_ahead=6)
    assert {month_name(n) for n in range(7)} <= partitions()
    audit.record(action=audit.Action.READ, object_type="baom.beneficiary", object_id="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_auditevent WHERE object_id = 'x'")
        assert cursor.fetchone()[0] == month_name(0)


def test_retention_cannot_be_shorter_than_a_year():
    from core.audit_chain import detach_before

    with pytest.raises((InternalError, ProgrammingError, DataError)), transaction.atomic():
        detach_before(timezone.localdate() - datetime.timedelta(days=30))
    assert month_name(0) in partitions()
