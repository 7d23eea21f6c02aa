from django import template

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
