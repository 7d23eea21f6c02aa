"""axe-core, the accessibility engine, on every main page of every role, in French and Arabic.

axe-core is an npm devDependency (node_modules/axe-core), evaluated into the page by this test
only: it is never in STATICFILES_DIRS, so users are never sent it. The policy is WCAG 2.1 A and
AA: no serious or critical violation on any page. One browser, one context per language, each
role signs in once and walks its pages.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")  # a folder: keep every page for the docs
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PUBLIC = ["/accounts/login/", "/diaspora/register/", "/projects/open-calls/"]
# The main pages of each role (its home, each module of its menu, the forms it fills most).
PAGES = {
    "agent@tawjih.test": [
        "/",
        "/beneficiaries/",
        "/beneficiaries/new/",
        "{beneficiary}",
        "/beneficiaries/activities/",
        "/referrals/",
        "/referrals/directory/",
        "/accounts/profile/",
    ],
    "supervisor@tawjih.test": ["/", "/beneficiaries/", "/beneficiaries/merge/"],
    "association@tawjih.test": [
        "/",
        "/referrals/",
        "{referral}",
        "/referrals/directory/mine/",
        "/projects/",
    ],
    "statistician@tawjih.test": ["/", "/reports/"],
    "manager@tawjih.test": [
        "/",
        "/projects/dashboard/",
        "/projects/calls/",
        "/projects/calls/new/",
        "/projects/grants/",
    ],
    "reviewer@tawjih.test": ["/", "/projects/"],
    "diaspora@tawjih.test": [
        "/",
        "/diaspora/",
        "/diaspora/members/new/",
        "/diaspora/members/pending/",
        "/diaspora/register/limit/",
        "/diaspora/associations/",
        "/diaspora/events/",
        "/diaspora/matching/",
    ],
    "admin@tawjih.test": ["/"],
}


def detail_urls() -> dict[str, str]:
    from baom.models import Beneficiary
    from referrals.models import Referral

    person = Beneficiary.objects.filter(bureau__name="BAOM Agadir").order_by("pk").first()
    referral = (
        Referral.objects.filter(to_organisation__name="Voix de Femmes du Maroc")
        .order_by("pk")
        .first()
    )
    return {
        "{beneficiary}": person.get_absolute_url() if person else "/beneficiaries/",
        "{referral}": referral.get_absolute_url() if referral else "/referrals/",
    }


def serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    options = "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}"
    result = page.evaluate(f"tags => axe.run(document, {options})", TAGS)
    found = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [
                f"{', '.join(node['target'])} {node.get('any', [{}])[0].get('message', '')[:90]}"
                if node.get("any")
                else ", ".join(node["target"])
                for node in violation["nodes"][:8]
            ]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def sign_in(page, email: str, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.url}]
    )
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()
    if page.locator("html").get_attribute("lang") != language:
        page.locator("#language-menu").click()
        page.get_by_test_id(f"lang-{language}").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def check(page, path: str, language: str, problems: dict, who: str = "public") -> None:
    response = page.goto(path)
    if page.locator("html").get_attribute("lang") != language:
        # As a visitor does on a public page: choose the language in the menu.
        page.locator("#language-menu").click()
        page.get_by_test_id(f"lang-{language}").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    if response is None or response.status != 200:
        problems[path] = [f"HTTP {response and response.status}"]
        return
    found = serious_violations(page)
    if found:
        problems[path] = found
    if SCREENSHOTS:
        page.screenshot(path=str(screenshot_path(who, path, language)), full_page=True)


def screenshot_path(who: str, path: str, language: str) -> Path:
    """``page-<role>-<path>-<language>.png``: the role in the name, as two roles see different
    pages at the same address (``/referrals/`` is an agent's sent list and an association's
    inbox); a record's id reads ``detail``."""
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    parts = ["detail" if len(p) == 36 else p for p in path.strip("/").split("/")]
    return Path(SCREENSHOTS) / f"page-{who}-{'-'.join(parts) or 'home'}-{language}.png"


def test_no_serious_accessibility_violation_on_any_main_page(page):
    call_command("seed_demo", stdout=io.StringIO())  # once for both languages
    details = detail_urls()
    problems: dict[str, list[str]] = {}
    for language in ["fr", "ar"]:
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.url}]
        )
        found: dict[str, list[str]] = {}
        for path in PUBLIC:
            check(page, path, language, found)
        for email, paths in PAGES.items():
            sign_in(page, email, language)
            for path in paths:
                check(page, details.get(path, path), language, found, email.split("@")[0])
        problems.update({f"{language} {path}": v for path, v in found.items()})
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
