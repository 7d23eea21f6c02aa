"""A supervisor finds out who opened a person's record, from the record itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.baom.factories import BeneficiaryFactory
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()


def test_a_supervisor_reads_who_opened_a_record(page):
    agent = UserFactory(role=Role.AGENT)
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation)
    person = BeneficiaryFactory(agent=agent)

    sign_in(page, agent)
    page.goto(f"/beneficiaries/{person.uuid}/")
    expect(page.get_by_test_id("beneficiary-code")).to_have_text(person.code)
    expect(page.get_by_test_id("access-log")).to_have_count(0)

    sign_in(page, supervisor)
    page.goto(f"/beneficiaries/{person.uuid}/")
    page.get_by_test_id("access-log").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows.filter(has_text=agent.email)).to_have_count(2)  # registered, then opened
    expect(rows.filter(has_text=supervisor.email)).to_have_count(1)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / "core-access-log.png"), full_page=True)
