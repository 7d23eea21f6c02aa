"""Every demo role signs in, sees its first tasks, switches to Arabic: the page turns RTL."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.management.commands.seed_demo import DEMO_PASSWORD, USERS
from core.home import ROLE_TASKS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")  # a folder: keep screenshots for the docs


def one_login_per_role():
    seen, logins = set(), []
    for email, _name, role, _organisation, _language in USERS:
        if role not in seen:
            seen.add(role)
            logins.append((email, role))
    return logins


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("email", "role"), one_login_per_role(), ids=[r for _e, r in one_login_per_role()]
)
def test_each_role_signs_in_and_switches_to_arabic(page, demo, email, role):
    page.context.clear_cookies()
    sign_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    tasks = page.get_by_test_id("home-tasks")
    for task in ROLE_TASKS[role]:
        expect(tasks).to_contain_text(_french(task.title))
    shot(page, f"home-{role}-fr")

    page.locator("#language-menu").click()
    page.get_by_test_id("lang-ar").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("link[href*='bootstrap.rtl']")).to_have_count(1)
    # The navbar brand sits on the right in a right-to-left page.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
    shot(page, f"home-{role}-ar")

    # The choice follows the account: signing out and in again keeps Arabic.
    page.locator("#user-menu").click()
    page.get_by_test_id("logout").click()
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def _french(text) -> str:
    from django.utils import translation

    with translation.override("fr"):
        return str(text)


def test_a_wrong_password_is_explained_in_french(page, demo):
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill("agent@tawjih.test")
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("main .alert-danger")).to_contain_text("ne correspondent à aucun compte")
    assert page.url.endswith("/accounts/login/")  # still on the sign-in form
    page.goto("/")
    assert "/accounts/login/" in page.url  # and nobody is signed in
