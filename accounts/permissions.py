"""The one place that answers "what may this user see and do" for accounts and modules.

Querysets call these to scope (``visible_to(user)``), views call them to allow a request,
templates call them (through ``core.templatetags.tawjih``) only to hide a link.
"""

from __future__ import annotations

from accounts.roles import AGGREGATES_ONLY_ROLES, Role


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_all_organisations(user) -> bool:
    """Programme managers and admins: every organisation's records (reads are logged)."""
    return is_signed_in(user) and (
        user.is_superuser or user.has_perm("accounts.view_all_organisations")
    )


def sees_persons(user) -> bool:
    """False for roles that see aggregates only (the regional statistician)."""
    return is_signed_in(user) and (user.is_superuser or user.role not in AGGREGATES_ONLY_ROLES)


# Which roles work in which module; the navigation and every module view ask this.
MODULE_ROLES: dict[str, set[str]] = {
    "baom": {Role.AGENT, Role.SUPERVISOR, Role.PROGRAMME_MANAGER, Role.ADMIN},
    "referrals": {Role.AGENT, Role.SUPERVISOR, Role.ASSOCIATION_STAFF, Role.PROGRAMME_MANAGER},
    "projects": {Role.PROGRAMME_MANAGER, Role.REVIEWER, Role.ASSOCIATION_STAFF, Role.ADMIN},
    "diaspora": {Role.DIASPORA_OFFICER, Role.PROGRAMME_MANAGER, Role.ADMIN},
    "reports": {Role.STATISTICIAN, Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.ADMIN},
}


def can_use_module(user, module: str) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_superuser or user.role in MODULE_ROLES[module]


def can_view_user(viewer, user) -> bool:
    from accounts.models import User

    return User.objects.visible_to(viewer).filter(pk=user.pk).exists()
