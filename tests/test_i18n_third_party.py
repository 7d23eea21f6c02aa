"""The third-party screens our users see are translated too: every msgid of those libraries'
catalogues has a translation, in the library's own catalogue or in locale_overrides/."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

# The libraries whose text appears on pages our users open (admin, two-factor, imports, beat,
# the lock-out page, country lists).
LIBRARIES = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django_otp",
    "import_export",
    "django_celery_beat",
    "axes",
    "django_countries",
]
OVERRIDES = Path(settings.BASE_DIR) / "locale_overrides"


def translated(message) -> bool:
    if isinstance(message.string, tuple):
        return all(message.string)
    return bool(message.string) and not message.fuzzy


def catalogue(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {(m.context, m.id): m for m in read_po(handle) if m.id}


def english_msgids(library: str) -> set:
    """The msgids of the library's current version: its English (source) catalogue, or its
    French one when it ships no English catalogue (django-otp, django-celery-beat)."""
    root = Path(importlib.import_module(library).__file__).parent / "locale"
    ids = set(catalogue(root / "en" / "LC_MESSAGES" / "django.po"))
    return ids or set(catalogue(root / "fr" / "LC_MESSAGES" / "django.po"))


CASES = [
    pytest.param(library, language, id=f"{library}-{language}")
    for language in ("fr", "ar")
    for library in LIBRARIES
]


@pytest.mark.parametrize(("library", "language"), CASES)
def test_third_party_screens_are_translated(library, language):
    root = Path(importlib.import_module(library).__file__).parent / "locale"
    own = catalogue(root / language / "LC_MESSAGES" / "django.po")
    overrides = catalogue(OVERRIDES / language / "LC_MESSAGES" / "django.po")
    missing = sorted(
        str(key[1])
        for key in english_msgids(library)
        if not (key in overrides and translated(overrides[key]))
        and not (key in own and translated(own[key]))
    )
    assert missing == []


def test_overrides_win_over_the_library_catalogue():
    with translation.override("fr"):
        assert translation.gettext("Add %s") % "utilisateur" == "Ajouter : utilisateur"
        assert translation.gettext("Select all") == "Tout sélectionner"


def test_arabic_overrides_are_used_where_the_library_has_no_arabic():
    """An Arabic page would otherwise fall back to the French catalogue (LANGUAGE_CODE)."""
    with translation.override("ar"):
        assert translation.gettext("Periodic Tasks") == "المهام الدورية"
        assert translation.gettext("Please enter your OTP token.") == "يُرجى إدخال رمز التحقق."
        assert (
            translation.ngettext(
                "{0} task was successfully enabled", "{0} tasks were successfully enabled", 2
            ).format(2)
            == "تم تفعيل 2 مهمتين بنجاح"
        )
        assert translation.gettext("Democratic Republic of the Congo") == (
            "جمهورية الكونغو الديمقراطية"
        )
    with translation.override("fr"):
        assert translation.gettext("Democratic Republic of the Congo") == (
            "République démocratique du Congo"
        )


def french_fallback_texts() -> set[str]:
    """What an Arabic page would show if it fell back to French: the French translations of the
    libraries (and of our French overrides) that differ from their English msgid, long enough
    not to be a common word or a proper name."""
    texts = set()
    paths = [
        Path(importlib.import_module(library).__file__).parent / "locale" / "fr" / "LC_MESSAGES"
        for library in LIBRARIES
    ]
    for path in [*paths, OVERRIDES / "fr" / "LC_MESSAGES"]:
        for message in catalogue(path / "django.po").values():
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for text in strings:
                if text and len(text) >= 10 and text not in ids and "%" not in text:
                    texts.add(text)
    return texts


@pytest.mark.django_db
def test_arabic_admin_pages_of_the_libraries_show_no_french(client, login, make_user):
    """The admin pages an administrator opens (django-celery-beat, users, imports, exports)
    rendered in Arabic hold none of the libraries' French text."""
    from django.utils.html import escape
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from accounts.roles import Role

    every_day = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    task = PeriodicTask.objects.create(
        name="Nightly statistics", task="reports.tasks.nightly", interval=every_day
    )
    # (the factory's default name, "Utilisateur n", would read as French text in the list)
    login(make_user(Role.ADMIN, full_name="Admin Test"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    french = french_fallback_texts()
    pages = [
        "/admin/",
        "/admin/django_celery_beat/periodictask/",
        f"/admin/django_celery_beat/periodictask/{task.pk}/change/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/territory/import/",
        "/admin/accounts/organisation/export/",
    ]
    found = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<html lang="ar" dir="rtl"' in html, path
        shown = sorted(text for text in french if text in html or escape(text) in html)
        if shown:
            found[path] = shown
    assert found == {}
    page = client.get("/admin/django_celery_beat/periodictask/").content.decode()
    assert "المهام الدورية" in page
