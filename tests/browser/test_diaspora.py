"""The diaspora journey: a member self-registers, an officer validates the registration,
imports the 160 participants of the Agadir fair and sees their split by sex and country, then
a matching for a funded project lists the member with the reasons."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.diaspora import factories
from tests.diaspora.test_imports import fair_csv
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_register_validate_import_the_fair_and_match(page):
    tiznit = factories.souss_commune("SM-TIZ-TIZNIT", "Tiznit")
    officer = factories.officer(language="fr")
    fair = factories.event(officer, commune=tiznit)

    # 1. A member of the diaspora registers on the public form, without an account.
    page.goto("/diaspora/register/")
    form = page.get_by_test_id("register-form")
    form.locator("[name=first_name]").fill("Amina")
    form.locator("[name=last_name]").fill("Navigatrice")
    form.locator("[name=sex]").select_option("female")
    form.locator("[name=email]").fill("amina.navigatrice@example.org")
    form.locator("[name=phone]").fill("+33 6 98 76 54 32")
    form.locator("[name=country]").select_option("FR")
    form.locator("[name=city]").fill("Montpellier")
    form.locator("[name=origin_commune]").select_option(str(tiznit.pk))
    form.locator("[name=profession]").fill("Ingénieure hydraulique")
    form.locator("[name=skills]").fill("irrigation goutte-à-goutte, pompage solaire")
    form.locator("input[name=sectors][value=water]").check()
    form.locator("input[name=contributions][value=skills_transfer]").check()
    shot(page, "diaspora-register")
    form.get_by_test_id("register-submit").click()
    # Without the consent box, nothing is stored and the page says why.
    expect(form.locator("#id_consent")).to_have_class(re.compile(r"\bis-invalid\b"))
    form.locator("[name=consent]").check()
    form.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-done")).to_be_visible()

    # 2. The officer validates the registration.
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(officer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()
    page.goto("/diaspora/")
    expect(page.get_by_test_id("member-table")).not_to_contain_text("Navigatrice")
    page.get_by_test_id("tab-pending").click()
    entry = page.get_by_test_id("pending-amina.navigatrice@example.org")
    expect(entry).to_contain_text("Amina Navigatrice")
    entry.get_by_test_id("validate").click()
    page.goto("/diaspora/")
    expect(page.get_by_test_id("member-table")).to_contain_text("Amina Navigatrice")

    # 3. The officer imports the 160 participants of the fair: preview, then import.
    page.goto(fair.get_absolute_url())
    page.get_by_test_id("participants-import").click()
    page.locator("input[name=file]").set_input_files(
        {"name": "foire-agadir.csv", "mimeType": "text/csv", "buffer": fair_csv()}
    )
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("160")
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("total-registered")).to_have_text("160")
    expect(page.get_by_test_id("total-women")).to_have_text("67")
    expect(page.get_by_test_id("total-men")).to_have_text("93")
    expect(page.get_by_test_id("split-FR")).to_contain_text("14")
    expect(page.get_by_test_id("split-FR")).to_contain_text("20")
    expect(page.get_by_test_id("split-FR")).to_contain_text("34")
    shot(page, "diaspora-fair")

    # 4. A matching for a funded irrigation project in Tiznit lists her, with the reasons.
    page.get_by_test_id("tab-matching").click()
    match_form = page.get_by_test_id("match-form")
    match_form.locator("[name=label]").fill("Irrigation solaire des douars de Tiznit")
    match_form.locator("[name=commune]").select_option(str(tiznit.pk))
    match_form.locator("input[name=sectors][value=water]").check()
    match_form.locator("[name=needs]").fill("irrigation, pompage solaire")
    match_form.get_by_test_id("match-submit").click()
    best = page.get_by_test_id("match-member").first
    expect(best).to_contain_text("Amina Navigatrice")
    expect(best.get_by_test_id("match-reasons")).to_contain_text("Tiznit")
    expect(best.get_by_test_id("match-reasons")).to_contain_text("irrigation")
    shot(page, "diaspora-matching")
