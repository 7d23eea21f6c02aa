"""Free text kept in the three languages of the site, the way ``projects.Call`` (title, themes,
criteria) and ``core.models.TranslatedNameModel`` keep theirs: the plain ``<field>`` column is
the French text (the reference), ``<field>_ar`` and ``<field>_en`` are optional, and a page
shows the active language's text, or the French one when that is empty.

Explicit columns rather than a translation framework (django-modeltranslation patches every
manager of a registered model to rewrite its queries): forms, imports, exports and the admin
stay plain, and a query loads exactly the columns it names.
"""

from __future__ import annotations

from django.utils.html import format_html

from core.models import current_language

LANGUAGES = ("fr", "ar", "en")


def localized_with_language(obj, field: str) -> tuple[str, str]:
    """``(text, language of the text)`` of ``obj.<field>`` for the active language: its
    ``<field>_ar``/``<field>_en`` column when filled, else the French ``<field>`` column."""
    language = current_language()
    if language != "fr":
        value = getattr(obj, f"{field}_{language}", "") or ""
        if value.strip():
            return value, language
    return getattr(obj, field) or "", "fr"


def localized(obj, field: str) -> str:
    """``obj.<field>`` in the active language, falling back to French."""
    return localized_with_language(obj, field)[0]


def localized_html(obj, field: str, default: str = "–") -> str:
    """The text for a page: a French fallback on an Arabic or English page is marked
    ``lang="fr"`` (screen readers pronounce it in French) and ``dir="auto"``."""
    text, language = localized_with_language(obj, field)
    if not text.strip():
        return default
    if language == current_language():
        return format_html("{}", text)
    return format_html('<span lang="{}" dir="auto">{}</span>', language, text)
