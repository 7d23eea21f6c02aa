"""``{% load translated %}``: ``{% localized entry "opening_hours" %}`` prints a three-language
free-text field in the page's language, falling back to (and marking) the French text."""

from __future__ import annotations

from django import template

from core.translated import localized_html

register = template.Library()


@register.simple_tag
def localized(obj, field: str, default: str = "–"):
    return localized_html(obj, field, default)
