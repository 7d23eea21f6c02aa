"""Who may do what in the diaspora registry. Views allow a request with these, templates hide
buttons with the same functions (through ``diaspora.templatetags.diaspora``)."""

from __future__ import annotations

from accounts.permissions import can_use_module, sees_persons


def can_use_registry(user) -> bool:
    """Diaspora officers, programme managers and admins (MODULE_ROLES["diaspora"])."""
    return can_use_module(user, "diaspora") and sees_persons(user)


def _has(user, codename: str) -> bool:
    return can_use_registry(user) and user.has_perm(f"diaspora.{codename}")


def can_edit_registry(user) -> bool:
    """Add and change members and associations, import contact lists."""
    return _has(user, "change_diasporamember")


def can_validate_members(user) -> bool:
    return _has(user, "validate_diasporamember")


def can_export_registry(user) -> bool:
    return _has(user, "export_registry")


def can_manage_events(user) -> bool:
    """Create events, import participants, record follow-up actions."""
    return _has(user, "change_event")


def can_record_contact(user) -> bool:
    return _has(user, "add_contact")
