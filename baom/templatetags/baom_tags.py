from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from baom import permissions

register = template.Library()

_RULES = {
    "register": permissions.can_register,
    "import": permissions.can_import,
    "merge": permissions.can_merge,
    "export": permissions.can_export,
    "activities": permissions.can_manage_activities,
    "sensitive": permissions.can_see_sensitive,
}


@register.filter
def baom_can(user, action: str) -> bool:
    """{% if user|baom_can:"merge" %}: hides a link; the view checks the same rule."""
    return _RULES[action](user)


@register.simple_tag
def select_options(field):
    """The <option>s of a filter field in one Python loop: rendering ~250 nationalities through
    Django's per-option widget templates made the list page several times slower."""
    current = "" if field.value() in (None, "") else str(field.value())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == current else "", label)
            for value, label in field.field.choices
        ),
    )


@register.filter
def label(value, labels: dict) -> str:
    """{{ b.sex|label:sex_labels }}: the display label from a dict built once per page."""
    return labels.get(value, value)
