"""The statistician finds the scheduled regional report on the reports page, downloads its
PDF, and is told which codes are missing when the DHIS2 mapping is incomplete."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import Role
from reports import demo, services
from reports.models import DataElementMapping
from reports.scheduling import scheduled_report_create
from tests.factories import PASSWORD, UserFactory
from tests.reports.factories import apsi2

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def test_statistician_opens_the_scheduled_report_and_its_exports(page):
    # A transactional test empties the database, reference data included: load it again.
    call_command("load_reference_data", verbosity=0)
    apsi2()
    demo.seed_code_mapping()
    with mock.patch("reports.tasks.build_report.apply_async"):
        report, _created = scheduled_report_create(
            frequency="quarterly", today=datetime.date(2026, 4, 3)
        )
    assert services.report_build(report_id=report.pk) == "done"
    DataElementMapping.objects.filter(measure="new_beneficiaries", dimension="age_band").delete()
    statistician = UserFactory(role=Role.STATISTICIAN)

    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(statistician.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto("/reports/")
    expect(page.get_by_test_id("scheduled-reports")).to_be_visible()
    expect(page.get_by_test_id("scheduled-badge").first).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "reports-scheduled.png"), full_page=False)
    page.get_by_test_id("scheduled-report").first.get_by_role("link").click()
    expect(page.get_by_test_id("download-pdf")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.get_by_test_id("download-dhis2").click()
    expect(page.get_by_test_id("export-refused")).to_be_visible()
    expect(page.get_by_test_id("missing-codes").get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_test_id("missing-codes")).to_contain_text("age_band")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "reports-export-refused.png"))
