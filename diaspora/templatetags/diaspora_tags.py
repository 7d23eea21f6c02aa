from django import template

from diaspora import permissions
from diaspora.choices import Contribution, Language, Sector
from diaspora.countries import country_name

register = template.Library()

_RULES = {
    "edit": permissions.can_edit_registry,
    "validate": permissions.can_validate_members,
    "export": permissions.can_export_registry,
    "events": permissions.can_manage_events,
    "contact": permissions.can_record_contact,
}
_LISTS = {"sectors": Sector, "contributions": Contribution, "languages": Language}


@register.filter
def diaspora_may(user, action: str) -> bool:
    """{% if user|diaspora_may:"edit" %}: hides a button; the view checks the same rule."""
    return _RULES[action](user)


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.filter
def labels(codes, kind: str) -> list[str]:
    """Codes of a fixed list as their translated labels: {{ m.sectors|labels:"sectors" }}."""
    choices = dict(_LISTS[kind].choices)
    return [str(choices.get(code, code)) for code in codes or []]
