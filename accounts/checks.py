"""System checks of the accounts settings (run by migrate, runserver, check and the tests)."""

from django.conf import settings
from django.core.checks import Error, register

from accounts.roles import Role


@register()
def check_mfa_required_roles(app_configs, **kwargs):
    """A misspelt role in MFA_REQUIRED_ROLES would silently leave that role without its second
    factor: refuse to start instead."""
    unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use role values among: {', '.join(Role.values)}.",
            id="accounts.E001",
        )
    ]
