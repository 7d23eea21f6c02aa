"""A refused long form in a real browser, in French and Arabic: the focus lands on the error
summary, its link takes the keyboard to the field, each error shows once, and axe-core finds no
serious or critical violation on the page (WCAG 2.1 A and AA)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import Role
from baom.models import Beneficiary
from tests.browser.test_accessibility import serious_violations
from tests.diaspora.factories import souss_commune
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=False)


def in_language(page, language: str) -> None:
    site = urlsplit(page.url)._replace(path="/", query="", fragment="").geturl()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site}]
    )


def test_a_refused_form_leads_the_keyboard_to_its_errors(page):
    call_command("load_reference_data", verbosity=0)
    souss_commune()
    agent = UserFactory(role=Role.AGENT)
    problems = {}
    for language in ["fr", "ar"]:
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        in_language(page, language)
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(agent.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        in_language(page, language)

        # Registration of a person, sent with nothing filled in.
        page.goto("/beneficiaries/new/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.get_by_test_id("save").click()
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_focused()
        first = summary.locator("a").first
        target = first.get_attribute("href").removeprefix("#")
        # Each message once beside its field: the summary's links equal the fields in error.
        fields_in_error = page.evaluate(
            "() => new Set([...document.querySelectorAll('[aria-invalid=true]')]"
            ".map(e => e.name)).size"
        )
        assert summary.locator("a").count() == fields_in_error
        first.click()
        assert page.evaluate("() => document.activeElement.id") == target
        problems[f"{language} registration"] = serious_violations(page)
        shot(page, f"form-errors-registration-{language}")
        assert not Beneficiary.objects.exists()

        # The public diaspora form, signed out.
        page.context.clear_cookies()  # signed out
        in_language(page, language)
        page.goto("/diaspora/register/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.get_by_test_id("register-submit").click()
        expect(page.get_by_test_id("error-summary")).to_be_focused()
        problems[f"{language} diaspora"] = serious_violations(page)
        shot(page, f"form-errors-diaspora-{language}")
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_directory_form_refused_in_arabic_leads_to_its_errors(page):
    """The directory form met the summary at the merge (it kept its own alert before): a too
    long opening time and a response time that is not a number, sent in Arabic."""
    from referrals.models import DirectoryEntry
    from tests.referrals.factories import receiving_organisation

    organisation, staff = receiving_organisation()
    before = DirectoryEntry.objects.values_list("opening_hours", "response_days").get(
        organisation=organisation
    )
    page.goto("/accounts/login/")
    in_language(page, "ar")
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(staff.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    in_language(page, "ar")
    page.goto("/referrals/directory/mine/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # What a browser's own checks would stop, sent anyway (the server must refuse it).
    page.locator("#id_opening_hours").evaluate(
        "e => { e.removeAttribute('maxlength'); e.value = 'x'.repeat(201) }"
    )
    page.locator("#id_response_days").evaluate("e => { e.type = 'text'; e.value = 'abc' }")
    page.get_by_test_id("save-entry").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    assert summary.locator("a").count() == 2
    summary.locator("a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "id_opening_hours"
    assert serious_violations(page) == []
    shot(page, "form-errors-directory-ar")
    after = DirectoryEntry.objects.values_list("opening_hours", "response_days").get(
        organisation=organisation
    )
    assert after == before
