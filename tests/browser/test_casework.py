"""An agent's day in a real browser, in French and in Arabic (issue 14): the worklist shows
the follow-up due today; the agent opens the person from it, records a visit, writes a note,
schedules the next follow-up, refers her to a partner; the partner accepts and writes a
progress note; back on the worklist the agent sees that change, marked as not seen yet, and
prints the slip the person takes to the partner (its reference, never the reason)."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.roles import OrganisationKind, Role
from baom.casework import services as casework
from baom.casework.models import CaseNote, FollowUp
from baom.models import Visit
from referrals.models import Referral
from referrals.papers import referral_reference
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
    """Outbox messages are delivered in the web thread after commit (a worker's job)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_agents_day(page, transactional_db, eager_celery, language):
    call_command("load_reference_data", verbosity=0)
    bureau = OrganisationFactory(bureau=True, name="BAOM Oujda", code="OUJ")
    agent = UserFactory(role=Role.AGENT, organisation=bureau, language=language,
                        full_name="Agent Démo")  # fmt: skip
    partner = OrganisationFactory(
        name="Association Partenaire", acronym="AP", kind=OrganisationKind.ASSOCIATION
    )
    DirectoryEntryFactory(organisation=partner)
    staff = UserFactory(role=Role.ASSOCIATION_STAFF, organisation=partner, language=language)
    person = BeneficiaryFactory(agent=agent, first_name="Fatou", last_name="Diop")
    BeneficiaryFactory(agent=agent, first_name="Aminata", last_name="Ba")
    today = timezone.localdate()
    casework.follow_up_schedule(
        beneficiary=person, actor=agent, due_on=today, purpose="Rendez-vous hôpital"
    )

    # The worklist: today's follow-up, one click from the person.
    sign_in(page, agent)
    expect(page.locator("html")).to_have_attribute("lang", language)
    panel = page.get_by_test_id("panel-follow_ups")
    expect(panel).to_contain_text(person.code)
    panel.get_by_role("link", name=f"{person.code} · Fatou Diop").click()
    expect(page.get_by_test_id("beneficiary-code")).to_have_text(person.code)

    # A visit, a note, the next follow-up.
    page.get_by_test_id("record-visit").click()
    page.locator("#id_channel").select_option("walk_in")
    page.locator("input[name=services]").first.check()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    page.get_by_test_id("add-note").click()
    page.locator("#id_text").fill("Venue avec son fils, besoin d'un interprète.")
    page.get_by_test_id("save-note").click()
    expect(page.get_by_test_id("timeline-note")).to_have_count(1)
    page.get_by_test_id("add-follow-up").click()
    page.locator("#id_due_on").fill((today + timedelta(days=7)).isoformat())
    page.locator("#id_purpose").fill("Point sur le logement")
    page.get_by_test_id("save-follow-up").click()
    expect(page.get_by_test_id("follow-ups")).to_contain_text("Point sur le logement")
    assert Visit.objects.filter(beneficiary=person).count() == 1
    assert CaseNote.objects.filter(beneficiary=person).count() == 1
    assert FollowUp.objects.filter(beneficiary=person).count() == 2

    # The referral.
    page.get_by_test_id("refer").click()
    form = page.get_by_test_id("referral-form")
    form.locator("#id_to_organisation").select_option(str(partner.pk))
    form.locator("#id_reason").fill("Hébergement d'urgence")
    page.get_by_test_id("send").click()
    referral = Referral.objects.get()

    # The partner accepts and writes a progress note (no second "claim" once handled).
    sign_in(page, staff)
    expect(page.get_by_test_id("panel-incoming")).to_be_visible()
    page.goto(referral.get_absolute_url())
    page.get_by_test_id("action-claim").click()
    expect(page.get_by_test_id("action-claim")).to_have_count(0)
    expect(page.get_by_test_id("event-claim")).to_have_count(1)
    page.get_by_test_id("action-accept").click()
    page.locator("#progress-note").fill("Hébergée ce soir au foyer, suivi demain.")
    page.get_by_test_id("save-progress-note").click()
    expect(page.get_by_test_id("event-progress_note")).to_have_count(1)

    # The agent sees it on the worklist, not seen yet, one click from the referral.
    sign_in(page, agent)
    changes = page.get_by_test_id("panel-referral_changes")
    expect(changes).to_contain_text("Association Partenaire")
    expect(changes.get_by_test_id("not-seen").first).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_be_visible()
    shot(page, f"worklist-agent-{language}")
    changes.get_by_role("link").first.click()
    expect(page.get_by_test_id("history")).to_contain_text("Hébergée ce soir au foyer")

    # The slip the person takes to the partner, in the page's language: the reference both
    # sides read on the phone, and nothing of the reason written for the partner.
    with page.expect_download() as download_info:
        page.get_by_test_id("print-slip").click()
    content = Path(download_info.value.path()).read_bytes()
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert referral_reference(referral) in text
    assert "Hébergement d'urgence" not in text
    assert reader.trailer["/Root"]["/Lang"] == language
