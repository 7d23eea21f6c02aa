"""French by default, Arabic right-to-left, English; every string translated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from accounts.roles import Role

ROOT = Path(settings.BASE_DIR)
CATALOGUES = ["fr", "ar"]  # English is the source language: its msgstr may stay empty


def load(language: str):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_string_is_translated(language):
    catalogue = load(language)
    missing = [
        m.id
        for m in catalogue
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == []
    assert fuzzy == []


def test_catalogues_hold_every_string_of_the_code(tmp_path):
    """Extract the strings again (as `make messages` does) and compare with the committed ones."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is needed in CI (.ci/run installs it)")
        pytest.skip("GNU gettext is not installed on this machine")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", "var", ".git", "tests", "docs", "*.pyc", "locale"
        ),
    )
    (copy / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    command = ["manage.py", "makemessages", "--locale", "fr", "--no-location", "--verbosity", "0"]
    subprocess.run([sys.executable, *command], cwd=copy, env=env, check=True)
    with (copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for language in CATALOGUES:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in load(language) if m.id}
        assert sorted(extracted - committed) == [], (
            f"run `make messages` and translate ({language})"
        )


@pytest.mark.django_db
def test_arabic_pages_are_right_to_left_with_the_rtl_stylesheet(client, login, make_user):
    login(make_user(Role.AGENT))
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page
    assert "ما تقوم به أولاً" in page or "الإحالات" in page


@pytest.mark.django_db
def test_french_is_the_default_and_english_is_complete(client, login, make_user):
    user = make_user(Role.AGENT)
    login(user)
    page = client.get("/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Se déconnecter" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Sign out" in page
    user.refresh_from_db()
    assert user.language == "en"  # the choice follows the user to another computer


@pytest.mark.django_db
def test_language_switch_on_the_sign_in_page(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert 'dir="rtl"' in page
    assert "تسجيل الدخول" in page
