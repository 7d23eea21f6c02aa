"""A statistician requests a report and watches the progress bar until the download appears.

The report is built by a REAL Celery worker subprocess (on a queue of its own, reading the
live server's test database), started only after the request so that the waiting state and
the progress bar are seen first."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.baom.factories import BeneficiaryFactory
from tests.factories import PASSWORD, UserFactory
from tests.reports.factories import REGISTERED
from tests.reports.worker import real_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def test_statistician_requests_a_report_and_downloads_it(page):
    agent = UserFactory(role=Role.AGENT)
    for n in range(60):
        BeneficiaryFactory(
            agent=agent,
            registered_on=REGISTERED,
            sex="female" if n % 3 else "male",
            birth_date=datetime.date(1950 + n, 6, 1),
            category=["rpt", "asylum_seeker", "refugee"][n % 3] if n % 7 else "host",
        )
    statistician = UserFactory(role=Role.STATISTICIAN)

    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(statistician.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    with real_worker() as start_worker:
        page.goto("/reports/")
        page.get_by_test_id("new-report").click()
        # A year by default: only the year is asked for; a range asks for its two days.
        expect(page.locator('select[name="year"]')).to_be_visible()
        expect(page.locator('input[name="start"]')).to_be_hidden()
        page.locator('input[name="period"][value="range"]').check()
        expect(page.locator('select[name="year"]')).to_be_hidden()
        page.locator('input[name="start"]').fill("2026-01-01")
        page.locator('input[name="end"]').fill("2026-06-30")
        page.locator('select[name="period_split"]').select_option("quarter")
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / "reports-request.png"), full_page=True)
        page.get_by_test_id("submit-report").click()

        expect(page.get_by_test_id("progress-bar")).to_be_visible()
        start_worker()
        page.reload()  # the progress survives a reload: it lives on the report row
        expect(page.get_by_test_id("download-xlsx")).to_be_visible(timeout=60_000)

    expect(page.get_by_test_id("chart-pyramid")).to_be_visible()
    expect(page.get_by_test_id("suppression-note")).to_be_visible()
    assert page.get_by_test_id("report-table").count() >= 3
    # The split by quarter: a table per person measure with one row per quarter.
    expect(page.locator('[data-table="new_beneficiaries__period"] tbody tr')).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_test_id("download-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / "reports-detail.png"), full_page=True)
