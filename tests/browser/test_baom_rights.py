"""Consent and rights in a real browser: an agent records that the person withdraws consent to
sharing, the association she was referred to loses her at once; her supervisor downloads
everything held about her, then anonymises the record at her request."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import Role
from baom.models import Beneficiary
from tests.baom.factories import BeneficiaryFactory, VisitFactory, service
from tests.factories import PASSWORD, UserFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()


@pytest.fixture
def world(transactional_db):
    call_command("load_reference_data", verbosity=0)
    agent = UserFactory(role=Role.AGENT, full_name="Agent Démo")
    supervisor = UserFactory(
        role=Role.SUPERVISOR, organisation=agent.organisation, full_name="Superviseure Démo"
    )
    person = BeneficiaryFactory(
        agent=agent, first_name="Mariam", last_name="Koné", phone="0612345678"
    )
    VisitFactory(beneficiary=person, agent=agent, services=[service("reception")])
    organisation, staff = receiving_organisation()
    referral = send_referral(
        agent=agent, to_organisation=organisation, beneficiary=person, reason="Legal aid"
    )
    return agent, supervisor, person, staff, referral


def test_withdrawal_access_request_and_anonymisation(page, world):
    agent, supervisor, person, staff, referral = world
    # The association sees her before.
    sign_in(page, staff)
    page.goto(referral.get_absolute_url())
    expect(page.get_by_test_id("person-name")).to_contain_text("KONÉ")

    # The agent records the withdrawal of her consent to sharing.
    sign_in(page, agent)
    page.goto(person.get_absolute_url())
    page.get_by_test_id("record-consent").click()
    form = page.get_by_test_id("consent-form")
    form.locator("[name=purpose]").select_option("sharing")
    form.locator("[name=given][value=no]").check()
    form.locator("[name=method]").select_option("phone")
    page.get_by_test_id("save-consent").click()
    expect(page.get_by_test_id("consent-sharing")).to_contain_text("non")
    shot(page, "baom-consent")

    # The association lost her at once: no name, no reason, the referral cancelled.
    sign_in(page, staff)
    page.goto(referral.get_absolute_url())
    expect(page.get_by_test_id("access-ended")).to_be_visible()
    expect(page.get_by_test_id("event-consent-withdrawn")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Koné")
    expect(page.locator("main")).not_to_contain_text("Legal aid")

    # Her supervisor answers her requests: access file, then erasure.
    sign_in(page, supervisor)
    page.goto(person.get_absolute_url())
    page.get_by_test_id("rights").click()
    with page.expect_download() as download:
        page.get_by_test_id("access-export").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["beneficiary"][0]["last_name"] == "Koné"
    assert [c["purpose"] for c in data["consents"]].count("sharing") == 2
    form = page.get_by_test_id("anonymise-form")
    form.locator("[name=reason][value=erasure]").check()
    form.locator("[name=method]").select_option("written")
    form.locator("[name=confirm_code]").fill("wrong")
    shot(page, "baom-rights")
    page.get_by_test_id("confirm-anonymise").click()
    expect(page.locator(".is-invalid")).to_have_count(1)
    assert Beneficiary.objects.get(pk=person.pk).anonymised_at is None
    form = page.get_by_test_id("anonymise-form")
    form.locator("[name=reason][value=erasure]").check()
    form.locator("[name=confirm_code]").fill(person.code)
    page.get_by_test_id("confirm-anonymise").click()
    expect(page.get_by_test_id("anonymised")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Koné")
    assert Beneficiary.objects.get(pk=person.pk).last_name == ""
