"""A programme manager's first sign-in: the site asks for an authenticator app before anything
else; the next sign-in asks for a code, and a backup code works when the phone is not there."""

from __future__ import annotations

import os
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_two_factor,
]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def code_for(key: bytes, *, steps: int = 0) -> str:
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def type_password(page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()


def sign_out(page) -> None:
    page.locator("#user-menu").click()
    page.get_by_test_id("logout").click()
    page.context.clear_cookies()


def test_a_manager_sets_up_an_app_then_signs_in_with_a_code(page):
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)

    # First sign-in: the enrolment page, and nothing else until it is done.
    type_password(page, manager)
    expect(page.get_by_test_id("mfa-required")).to_be_visible()
    expect(page.get_by_test_id("mfa-qr").locator("svg")).to_be_visible()
    page.goto("/beneficiaries/")
    assert page.url.endswith("/accounts/two-factor/")
    shot(page, "accounts-mfa-setup")

    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_test_id("otp-token").fill(code_for(key))
    page.get_by_test_id("mfa-confirm").click()

    # The backup codes, shown once, printable.
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    expect(page.get_by_test_id("print-codes")).to_be_visible()
    backup = codes.first.inner_text().strip()
    shot(page, "accounts-mfa-backup-codes")
    page.get_by_test_id("codes-done").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()
    sign_out(page)

    # Next sign-in: password, then the code of the app.
    type_password(page, manager)
    expect(page.get_by_test_id("mfa-verify-form")).to_be_visible()
    wrong = "000000" if code_for(key, steps=1) != "000000" else "111111"
    page.get_by_test_id("otp-token").fill(wrong)
    page.get_by_test_id("mfa-verify-submit").click()
    expect(page.locator("#id_otp_token.is-invalid")).to_be_visible()
    shot(page, "accounts-mfa-code")
    # django-otp makes the next try after a wrong code wait a second: as if it had passed.
    TOTPDevice.objects.filter(user=manager).update(throttling_failure_count=0)
    page.get_by_test_id("otp-token").fill(code_for(key, steps=1))
    page.get_by_test_id("mfa-verify-submit").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()
    sign_out(page)

    # Without the phone: a backup code, once.
    type_password(page, manager)
    page.get_by_test_id("otp-token").fill(backup)
    page.get_by_test_id("mfa-verify-submit").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()
    page.goto("/accounts/profile/")
    expect(page.get_by_test_id("profile-mfa").locator(".text-bg-success")).to_be_visible()


def test_an_agent_signs_in_with_the_password_alone(page):
    agent = UserFactory(role=Role.AGENT)
    type_password(page, agent)
    expect(page.get_by_test_id("home-tasks")).to_be_visible()
