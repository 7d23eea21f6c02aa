"""An agent's day at the bureau, in a real browser: register, duplicate warning, visit with two
services, workshop attendance, search with a typo; another bureau cannot open the person."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import Role
from baom.models import Beneficiary, ServiceDelivery
from tests.baom.factories import BeneficiaryFactory
from tests.factories import PASSWORD, UserFactory

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
def bureau(transactional_db):
    call_command("load_reference_data", verbosity=0)
    agent = UserFactory(role=Role.AGENT, full_name="Agent Démo")
    existing = BeneficiaryFactory(
        agent=agent,
        first_name="Fatoumata",
        last_name="Diallo",
        nationality="GN",
        birth_date=datetime.date(1992, 6, 1),
    )
    others = [
        BeneficiaryFactory(agent=agent, first_name=f"Awa{n}", last_name="Sow") for n in range(3)
    ]
    return agent, existing, others


def test_an_agents_day(page, bureau, make_user):
    agent, existing, others = bureau
    sign_in(page, agent)
    page.get_by_test_id("nav-baom").click()
    page.get_by_test_id("register").click()

    form = page.get_by_test_id("beneficiary-form")
    form.locator("#id_first_name").fill("Fatumata")
    form.locator("#id_last_name").fill("Dialo")
    # The likely duplicate shows up while typing, before anything is saved.
    expect(page.locator("#live-duplicates")).to_contain_text(existing.code)
    form.locator("#id_sex").select_option("female")
    form.locator("#id_birth_date").fill("1992-06-01")
    form.locator("#id_nationality").select_option("GN")
    form.locator("#id_category").select_option("rpt")
    form.locator("#id_phone").fill("0612345678")
    form.locator("#id_consent_processing").check()
    form.locator("#id_consent_method").select_option("oral")
    page.get_by_test_id("save").click()

    # Warned again on save; the agent checks and decides it is a different person.
    expect(page.get_by_test_id("duplicates")).to_contain_text(existing.code)
    assert Beneficiary.objects.count() == 4
    shot(page, "baom-duplicate-warning")
    page.get_by_test_id("confirm-new").click()

    # Straight to the visit form: two services, one need.
    expect(page.get_by_test_id("visit-form")).to_be_visible()
    person = Beneficiary.objects.get(first_name="Fatumata")
    visit = page.get_by_test_id("visit-form")
    visit.get_by_label("Accueil et écoute").last.check()
    visit.get_by_label("Aide juridique").last.check()
    visit.get_by_label("Appui administratif : carte de séjour").first.check()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-services")).to_contain_text("Aide juridique")
    assert ServiceDelivery.objects.filter(beneficiary=person).count() == 2
    expect(page.get_by_test_id("beneficiary-code")).to_have_text(person.code)
    shot(page, "baom-beneficiary")

    # A Darija workshop with the new person and two others, plus people not registered.
    page.goto("/beneficiaries/activities/new/")
    activity = page.get_by_test_id("activity-form")
    activity.locator("#id_activity_type").select_option("darija")
    activity.locator("#id_title").fill("Darija niveau 1")
    activity.locator("#id_start_date").fill(datetime.date.today().isoformat())  # noqa: DTZ011
    activity.locator("button[type=submit]").click()
    attendance = page.get_by_test_id("attendance-form")
    codes = "\n".join([person.code, others[0].code, others[1].code.lower()])
    attendance.locator("#id_codes").fill(codes)
    attendance.locator("#id_unregistered_women").fill("11")
    attendance.locator("#id_unregistered_men").fill("29")
    page.get_by_test_id("save-attendance").click()
    expect(page.get_by_test_id("total-women")).to_have_text("14")
    expect(page.get_by_test_id("total-men")).to_have_text("29")
    expect(page.get_by_test_id("attendees")).to_contain_text(person.code)

    # Search with a typo and no accent, results as you type.
    page.goto("/beneficiaries/")
    page.get_by_test_id("search").fill("fatumata dialo")
    expect(page.get_by_test_id("results-table")).to_contain_text(person.code)
    expect(page.get_by_test_id("results-table")).to_contain_text(existing.code)
    expect(page.get_by_test_id("results-table")).not_to_contain_text(others[2].code)
    shot(page, "baom-search")

    # An agent of another bureau cannot open the person, nor find them.
    stranger = make_user(Role.AGENT, full_name="Autre Bureau")
    sign_in(page, stranger)
    response = page.goto(person.get_absolute_url())
    assert response.status == 404
    page.goto("/beneficiaries/?q=fatumata")
    expect(page.get_by_test_id("results-table")).not_to_contain_text(person.code)
