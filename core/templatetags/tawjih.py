from django import template

from core.accounts_port import can_use_module
from core.lists import join_list as join_list_in_language

register = template.Library()


@register.filter
def may_use(user, module: str) -> bool:
    """{% if user|may_use:"baom" %}: hides a link; the view checks the same rule."""
    return can_use_module(user, module)


@register.filter
def minutes(duration) -> int:
    """A timedelta as whole minutes (rounded up), for sentences like "locked for 30 minutes"."""
    if duration is None:
        return 0
    return -(-int(duration.total_seconds()) // 60)


@register.filter(is_safe=False)
def join_list(items) -> str:
    """{{ labels|join_list }}: "a, b" in French and English, "أ، ب" in Arabic (escaped)."""
    return join_list_in_language(items or [])


@register.filter
def iso_date(value):
    """{{ report.parameters.start|iso_date }}: a date stored as ISO text (JSON parameters) in
    the page's short format (04/12/2026); anything else is shown as it is."""
    from django.utils.dateparse import parse_date
    from django.utils.formats import date_format

    if not isinstance(value, str):
        return value
    try:
        parsed = parse_date(value)
    except ValueError:
        return value
    return date_format(parsed, "SHORT_DATE_FORMAT") if parsed else value
