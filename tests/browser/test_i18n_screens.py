"""Screens in the reader's language, in a real browser: the directory card of the referral form
in Arabic (Arabic text, a French fallback marked as French), and the admin pages of the
libraries (django-celery-beat, users) in Arabic rather than the French fallback.

``TAWJIH_SCREENSHOTS=<folder>`` keeps a screenshot of each screen checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import OrganisationKind, Role
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
    expect(page.locator("html")).to_have_attribute("lang", user.language)


def test_the_referral_form_card_speaks_arabic_and_marks_french(page, transactional_db):
    call_command("load_reference_data", verbosity=0)
    bureau = OrganisationFactory(bureau=True, name="BAOM Agadir", code="AGA")
    agent = UserFactory(role=Role.AGENT, organisation=bureau, language="ar")
    translated = DirectoryEntryFactory(
        organisation=OrganisationFactory(
            name="Voix de Femmes du Maroc", kind=OrganisationKind.ASSOCIATION
        ),
        languages=["fr", "ar"],
        description="Centre de jour pour les femmes migrantes.",
        description_ar="مركز نهاري للنساء المهاجرات.",
        opening_hours="Lun–ven 9h–17h",
        opening_hours_ar="من الاثنين إلى الجمعة، من 9:00 إلى 17:00",
        contact_point="Accueil du centre",
        contact_point_ar="استقبال المركز",
    )
    french_only = DirectoryEntryFactory(
        organisation=OrganisationFactory(
            name="Association Anir", kind=OrganisationKind.ASSOCIATION
        ),
        opening_hours="Lun–sam 9h–18h",
        contact_point="Coordinatrice",
    )
    person = BeneficiaryFactory(agent=agent)
    sign_in(page, agent)
    page.goto(person.get_absolute_url())
    page.get_by_test_id("refer").click()
    form = page.get_by_test_id("referral-form")
    card = page.get_by_test_id("directory-card")

    form.locator("#id_to_organisation").select_option(str(translated.organisation_id))
    expect(card.locator('[data-field="description"]')).to_have_text("مركز نهاري للنساء المهاجرات.")
    expect(card.locator('[data-field="hours"]')).to_have_text(
        "من الاثنين إلى الجمعة، من 9:00 إلى 17:00"
    )
    expect(card.locator('[data-field="hours"]')).not_to_have_attribute("lang", "fr")
    expect(card.locator('[data-field="languages"]')).to_have_text("الفرنسية، العربية")
    shot(page, "referrals-form-card-ar")

    form.locator("#id_to_organisation").select_option(str(french_only.organisation_id))
    expect(card.locator('[data-field="hours"]')).to_have_text("Lun–sam 9h–18h")
    expect(card.locator('[data-field="hours"]')).to_have_attribute("lang", "fr")
    expect(card.locator('[data-field="contact"]')).to_have_attribute("lang", "fr")
    expect(card.locator('[data-field="description"]')).to_be_hidden()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_admin_pages_of_the_libraries_in_the_users_language(page, language):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_day = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    task = PeriodicTask.objects.create(
        name="Nightly statistics", task="reports.tasks.nightly", interval=every_day
    )
    admin = UserFactory(role=Role.ADMIN, language=language)
    sign_in(page, admin)
    # (the application, a model name, a field label, the add page's title)
    expected = {
        "ar": ("المهام الدورية", "مهمة دورية", "الوسائط المسمّاة", "إضافة المستخدم"),
        "fr": (
            "Tâches périodiques",
            "tâche périodique",
            "Arguments nommés",
            "Ajouter : utilisateur",
        ),
    }[language]
    page.goto("/admin/django_celery_beat/periodictask/")
    expect(page.locator(".breadcrumbs")).to_contain_text(expected[0])
    expect(page.locator("#content h1")).to_contain_text(expected[1])
    shot(page, f"admin-periodic-tasks-{language}")
    page.goto(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    expect(page.locator("#content")).to_contain_text(expected[2])
    shot(page, f"admin-periodic-task-{language}")
    page.goto("/admin/accounts/user/add/")
    expect(page.locator("#content h1")).to_contain_text(expected[3])
    shot(page, f"admin-user-add-{language}")
