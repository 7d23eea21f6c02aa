"""A statistician asks for a crossed table (sex × age band × category) in French and in
Arabic: the form says, before anything is queued, whether the report can be published (first
too fine, by bureau; then fine, by province), and the protected figures on screen are the ones
in the downloaded CSV.

The report is built by ``reports.services.report_build``, the function the Celery task runs,
called by the test once the request is saved (the task's enqueueing is replaced by nothing):
the worker journey itself is tested with a real worker in ``test_reports.py``."""

from __future__ import annotations

import csv
import datetime
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from reports import services
from reports.models import Report
from tests.baom.factories import BeneficiaryFactory
from tests.factories import PASSWORD, UserFactory
from tests.reports.factories import REGISTERED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def _login(page, user):
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(user.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")


def _fill(page, level: str):
    page.locator('input[name="period"][value="range"]').check()
    page.locator('input[name="start"]').fill("2026-01-01")
    page.locator('input[name="end"]').fill("2026-06-30")
    for box in page.locator('input[name="breakdowns"]').all():
        box.uncheck()
    page.locator('input[name="crossings"][value="age_band__category"]').check()
    if level == "bureau":
        page.locator('input[name="crossings"][value="age_band__territory"]').check()
    else:
        page.locator('input[name="crossings"][value="age_band__territory"]').uncheck()
    page.locator('select[name="territory_level"]').select_option(level)
    fine = "0-17, 18-29, 30-34, 35-39, 40-44, 45-49, 50-54, 55-59, 60+"
    page.locator('input[name="age_bands"]').fill(fine if level == "bureau" else "0-17, 18-59, 60+")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_crossed_report_is_checked_before_queuing_and_files_match_the_screen(
    page, monkeypatch, language
):
    monkeypatch.setattr("reports.tasks.build_report.apply_async", lambda *a, **k: None)
    agents = [UserFactory(role=Role.AGENT) for _ in range(6)]  # six bureaus: too fine by bureau
    for n in range(90):
        BeneficiaryFactory(
            agent=agents[n % 6], registered_on=REGISTERED, sex="female" if n % 3 else "male",
            birth_date=datetime.date(1960 + n % 40, 6, 1),
            category=["rpt", "asylum_seeker"][n % 2],
        )  # fmt: skip
    statistician = UserFactory(role=Role.STATISTICIAN, language=language)
    _login(page, statistician)
    page.goto("/reports/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    _fill(page, "bureau")
    page.get_by_test_id("check-report").click()
    expect(page.locator(".invalid-feedback, .alert-danger, .errorlist").first).to_be_visible()
    assert not Report.objects.exists()  # nothing queued

    _fill(page, "province")
    page.get_by_test_id("check-report").click()
    expect(page.get_by_test_id("publishable")).to_be_visible()
    assert not Report.objects.exists()
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(Path(SCREENSHOTS) / f"reports-crossed-request-{language}.png"),
            full_page=True,
        )
    page.get_by_test_id("submit-report").click()
    report = Report.objects.get()
    assert report.parameters["crossings"] == [["age_band", "category"]]
    assert services.report_build(report_id=report.pk) == "done"
    page.reload()

    table = page.locator('[data-table="new_beneficiaries__age_band__category"]')
    expect(table).to_be_visible()
    first = table.locator("tbody tr").first
    label = first.locator("th").inner_text().strip()
    shown = [td.inner_text().strip() for td in first.locator("td").all()]
    assert "·" in label and len(shown) == 4  # female, male, not recorded, total
    if SCREENSHOTS:
        page.screenshot(
            path=str(Path(SCREENSHOTS) / f"reports-crossed-{language}.png"), full_page=True
        )
    with page.expect_download() as download:
        page.get_by_test_id("download-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    title = table.locator("h2").inner_text().strip()
    in_file = [r[3] for r in csv.reader(io.StringIO(text)) if r[0] == title and r[1] == label]
    assert in_file == shown
