"""The demo reports: built on first seed_demo, so the statistician sees tables at first login."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.choices import Status
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_demo_reports_are_finished_and_seeding_twice_changes_nothing(client):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    demo = Report.objects.filter(requested_by__email__endswith="@tawjih.test")
    assert demo.count() == 2
    assert set(demo.values_list("status", flat=True)) == {Status.DONE}
    assert set(demo.values_list("rules_version", flat=True)) == {"2026.2", "2026.2-r5"}
    first = sorted(demo.values_list("uuid", "checksum"))
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert sorted(demo.values_list("uuid", "checksum")) == first
    from accounts.models import User

    client.force_login(User.objects.get(email="statistician@tawjih.test"))
    page = client.get(reverse("reports:index")).content.decode()
    assert page.count('data-testid="report-row"') >= 2
