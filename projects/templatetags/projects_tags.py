from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _

from projects import permissions

register = template.Library()


@register.filter
def mad(value) -> str:
    """An amount in dirhams, two places, grouped as the active language writes numbers."""
    if value is None or value == "":
        return "—"
    # <bdi>: the amount keeps its own direction inside right-to-left (Arabic) sentences.
    return format_html(
        '<bdi class="text-nowrap">{}</bdi>',
        _("%(amount)s MAD") % {"amount": floatformat(Decimal(value), "2g")},
    )


@register.filter
def percent(part, whole) -> int:
    """part / whole as a whole percentage (0 when whole is empty), for <progress> and labels."""
    try:
        return round(100 * Decimal(part or 0) / Decimal(whole)) if whole else 0
    except (ArithmeticError, TypeError, ValueError):
        return 0


@register.filter
def manages_programme(user) -> bool:
    return permissions.manages_programme(user)


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number) -> str:
    """The current query string with ``param`` set to ``number`` (the other lists' pages and
    filters are kept)."""
    query = context["request"].GET.copy()
    query[param] = number
    return query.urlencode()
