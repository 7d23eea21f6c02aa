"""The roles of DOMAIN.md, what organisation each belongs to, and the permissions each holds.

A role is stored on the user and mirrored as a Django group carrying real permissions, so
``user.has_perm()`` answers the same everywhere (views, services, admin, templates). Later
apps add their permissions here as they land.
"""

from __future__ import annotations

import logging

from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Role(models.TextChoices):
    AGENT = "agent", _("Bureau agent")
    SUPERVISOR = "supervisor", _("Bureau supervisor")
    ASSOCIATION_STAFF = "association_staff", _("Association staff")
    STATISTICIAN = "statistician", _("Regional statistician")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    REVIEWER = "reviewer", _("Reviewer")
    DIASPORA_OFFICER = "diaspora_officer", _("Diaspora officer")
    ADMIN = "admin", _("Administrator")


class OrganisationKind(models.TextChoices):
    BUREAU = "bureau", _("Reception bureau (BAOM)")
    ASSOCIATION = "association", _("Association")
    PUBLIC_SERVICE = "public_service", _("Public service")
    REGIONAL_COUNCIL = "regional_council", _("Regional council")
    PROGRAMME = "programme", _("Programme team")


# Which kinds of organisation a user of each role may belong to.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.AGENT: {OrganisationKind.BUREAU},
    Role.SUPERVISOR: {OrganisationKind.BUREAU},
    Role.ASSOCIATION_STAFF: {OrganisationKind.ASSOCIATION, OrganisationKind.PUBLIC_SERVICE},
    Role.STATISTICIAN: {OrganisationKind.REGIONAL_COUNCIL},
    Role.PROGRAMME_MANAGER: {OrganisationKind.PROGRAMME},
    Role.REVIEWER: {OrganisationKind.PROGRAMME},
    Role.DIASPORA_OFFICER: {OrganisationKind.PROGRAMME, OrganisationKind.REGIONAL_COUNCIL},
    Role.ADMIN: {OrganisationKind.PROGRAMME},
}

# Roles that see the records of every organisation (every read of personal data is logged).
ALL_ORGANISATIONS_ROLES = {Role.PROGRAMME_MANAGER, Role.ADMIN}
# Roles that never see a person's record, only aggregates.
AGGREGATES_ONLY_ROLES = {Role.STATISTICIAN}

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: [
        "accounts.view_organisation",
        "accounts.view_territory",
    ],
    Role.SUPERVISOR: [
        "accounts.view_organisation",
        "accounts.view_territory",
        "accounts.view_user",
    ],
    Role.ASSOCIATION_STAFF: [
        "accounts.view_organisation",
        "accounts.view_territory",
    ],
    Role.STATISTICIAN: [
        "accounts.view_organisation",
        "accounts.view_territory",
    ],
    Role.PROGRAMME_MANAGER: [
        "accounts.view_organisation",
        "accounts.view_territory",
        "accounts.view_user",
        "accounts.view_all_organisations",
    ],
    Role.REVIEWER: [
        "accounts.view_organisation",
        "accounts.view_territory",
    ],
    Role.DIASPORA_OFFICER: [
        "accounts.view_organisation",
        "accounts.view_territory",
    ],
    Role.ADMIN: [
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_territory",
        "accounts.add_territory",
        "accounts.change_territory",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_all_organisations",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
    ],
}


def app_modules(module_name: str):
    """Each installed app's ``<app>.<module_name>`` module, in INSTALLED_APPS order."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.{module_name}"
        if config.name != "accounts" and importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def role_permissions() -> dict[str, list[str]]:
    """ROLE_PERMISSIONS above, plus what each app adds in its own ``roles.py``
    (``ROLE_PERMISSIONS = {Role.AGENT: ["baom.view_beneficiary", ...]}``)."""
    merged = {role: list(codes) for role, codes in ROLE_PERMISSIONS.items()}
    for module in app_modules("roles"):
        for role, codes in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged[role] += [code for code in codes if code not in merged[role]]
    return merged


# Roles that may open the Django admin (reference data, users).
STAFF_ROLES = {Role.ADMIN}


def _permissions(codes: list[str]):
    from django.contrib.auth.models import Permission

    wanted = {tuple(code.split(".", 1)) for code in codes}
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    return found, sorted(".".join(m) for m in missing)


def sync_role_groups() -> list[str]:
    """Create one group per role holding exactly its permissions. Returns unknown codes."""
    from django.contrib.auth.models import Group

    all_missing: list[str] = []
    wanted = role_permissions()
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        permissions, missing = _permissions(wanted[role])
        group.permissions.set(permissions)
        all_missing += missing
    return all_missing


def sync_role_groups_after_migrate(sender, app_config=None, **kwargs) -> None:
    """Run once per migrate, after the last app has had its permissions created."""
    from django.apps import apps

    # Django sends post_migrate only for apps that have a models module.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if app_config is None or app_config.label != last.label:
        return
    missing = sync_role_groups()
    if missing:
        logger.warning("Role permissions not found (yet): %s", ", ".join(missing))
