"""The seeds' story in a real browser: an agent at the Agadir bureau refers a woman to Voix de
Femmes du Maroc (Asadaf); its staff see only the minimum card, accept, and refer her on to Anir
(Tasimant) for pastry training; Anir completes with feedback; the agent sees the whole chain and
the outcome on her page and was emailed. No referral without consent to sharing; Anir cannot
open the case file; a third association gets 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import OrganisationKind, Role
from referrals.choices import Status
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.referrals.factories import DirectoryEntryFactory

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
def eager_celery():
    """This test runs the notification task in the web thread, so its email can be checked."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def souss_massa(transactional_db):
    call_command("load_reference_data", verbosity=0)
    bureau = OrganisationFactory(bureau=True, name="BAOM Agadir", code="AGA")
    agent = UserFactory(role=Role.AGENT, organisation=bureau, full_name="Agent Démo")

    def association(name, acronym):
        organisation = OrganisationFactory(
            name=name, acronym=acronym, kind=OrganisationKind.ASSOCIATION
        )
        DirectoryEntryFactory(organisation=organisation)
        staff = UserFactory(role=Role.ASSOCIATION_STAFF, organisation=organisation)
        return organisation, staff

    return {
        "agent": agent,
        "vfm": association("Voix de Femmes du Maroc", "VFM"),
        "anir": association("Association Anir", "Anir"),
        "third": association("Association Tierce", "Tierce"),
        "woman": BeneficiaryFactory(
            agent=agent, first_name="Awa", last_name="Koné", nationality="CI", phone=""
        ),
        "no_consent": BeneficiaryFactory(
            agent=agent, first_name="Mariam", last_name="Sow", consent_sharing=False
        ),
    }


def test_asadaf_tasimant_story(page, souss_massa, eager_celery):
    s = souss_massa
    agent, woman = s["agent"], s["woman"]
    vfm, vfm_staff = s["vfm"]
    anir, anir_staff = s["anir"]

    # No consent to sharing: the form says so and links to the record's edit page.
    sign_in(page, agent)
    page.goto(s["no_consent"].get_absolute_url())
    page.get_by_test_id("refer").click()
    expect(page.get_by_test_id("no-consent")).to_be_visible()
    expect(page.get_by_test_id("record-consent")).to_be_visible()
    expect(page.get_by_test_id("referral-form")).to_have_count(0)

    # The agent refers Awa to Voix de Femmes du Maroc.
    page.goto(woman.get_absolute_url())
    page.get_by_test_id("refer").click()
    form = page.get_by_test_id("referral-form")
    form.locator("#id_to_organisation").select_option(str(vfm.pk))
    form.locator("#id_reason").fill("Femme seule avec un enfant, isolée")
    form.locator("#id_urgency").select_option("urgent")
    shot(page, "referrals-form")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    first = Referral.objects.get()
    assert first.to_organisation == vfm and first.status == Status.SENT

    # Voix de Femmes: the inbox badge, the minimum card only; accept; refer on to Anir.
    sign_in(page, vfm_staff)
    page.goto("/referrals/")
    expect(page.get_by_test_id("inbox-badge")).to_have_text("1")
    expect(page.get_by_test_id("referral-table")).to_contain_text("KONÉ Awa")
    shot(page, "referrals-inbox")
    page.get_by_test_id("open-referral").first.click()
    expect(page.get_by_test_id("person-name")).to_have_text("KONÉ Awa")
    expect(page.get_by_test_id("open-case-file")).to_have_count(0)
    expect(page.get_by_test_id("person-card")).not_to_contain_text("Côte")
    page.get_by_test_id("action-accept").click()
    page.get_by_test_id("refer-onward").click()
    form = page.get_by_test_id("referral-form")
    form.locator("#id_to_organisation").select_option(str(anir.pk))
    form.locator("#id_reason").fill("Formation en pâtisserie (Tasimant)")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("chain")).to_contain_text("Anir")
    onward = Referral.objects.get(parent=first)

    # Anir accepts and completes with feedback; it cannot open the case file.
    sign_in(page, anir_staff)
    page.goto(onward.get_absolute_url())
    page.get_by_test_id("action-accept").click()
    page.get_by_test_id("action-complete").click()
    complete = page.get_by_test_id("complete-form")
    complete.locator("#id_outcome").select_option("service_given")
    complete.locator("#id_feedback").fill("Inscrite en pâtisserie, très assidue")
    page.get_by_test_id("confirm-complete").click()
    expect(page.get_by_test_id("outcome")).to_be_visible()
    expect(page.get_by_test_id("chain")).to_contain_text("VFM")
    shot(page, "referrals-detail")
    assert page.goto(woman.get_absolute_url()).status in (403, 404)

    # A third association sees nothing of it.
    sign_in(page, s["third"][1])
    assert page.goto(first.get_absolute_url()).status == 404
    assert page.goto(onward.get_absolute_url()).status == 404

    # The agent sees the whole chain and the outcome on Awa's page, and was emailed.
    sign_in(page, agent)
    page.goto(woman.get_absolute_url())
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("timeline-referral")).to_have_count(2)
    expect(timeline).to_contain_text("Inscrite en pâtisserie, très assidue")
    expect(timeline).to_contain_text("Anir")
    timeline.get_by_role("link", name="VFM → Anir").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("Inscrite en pâtisserie")
    expect(page.get_by_test_id("actions")).to_have_count(0)
    shot(page, "referrals-timeline")
    assert any(agent.email in m.to for m in mail.outbox)
    assert any(vfm_staff.email in m.to for m in mail.outbox)
