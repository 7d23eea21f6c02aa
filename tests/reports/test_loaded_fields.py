"""The regional council (statistician) reads aggregates only: its list of reports never reads
the stored raw tables (``Report.result``, unprotected counts) from the database; a report's
page reads them to apply the small-count protection, and shows only protected figures
(``test_protection.py``)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from reports import services
from reports.models import Report
from tests.factories import UserFactory
from tests.reports.factories import parameters

pytestmark = pytest.mark.django_db


def _columns(queries, table: str) -> set[str]:
    names = set()
    for query in queries:
        for chunk in query["sql"].split(f'"{table}"."')[1:]:
            names.add(chunk.split('"', 1)[0])
    return names


def test_the_councils_report_list_never_reads_the_raw_tables(client):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    data = parameters(measures=["new_beneficiaries"], breakdowns=["category"])
    data.update(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
    report = services.report_request(user=supervisor, data=data)
    services.report_build(report_id=report.pk)
    assert Report.objects.get(pk=report.pk).result is not None  # the raw tables are stored
    statistician = UserFactory(role=Role.STATISTICIAN)
    client.force_login(statistician)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert str(report.uuid) in response.content.decode()  # the council sees the report listed
    selected = _columns(captured.captured_queries, Report._meta.db_table)
    assert "uuid" in selected
    assert "result" not in selected
