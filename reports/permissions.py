"""Who may request, see and download reports, and who sees unsuppressed small counts."""

from __future__ import annotations

from accounts.permissions import can_use_module, sees_all_organisations
from accounts.roles import Role

# Roles whose reports cover the whole programme; a supervisor's cover their own bureau.
PROGRAMME_WIDE = {Role.STATISTICIAN, Role.PROGRAMME_MANAGER, Role.ADMIN}


def covers_programme(user) -> bool:
    return user.is_superuser or user.role in PROGRAMME_WIDE


def report_scope(qs, user):
    if not can_use_module(user, "reports"):
        return qs.none()
    if covers_programme(user) or sees_all_organisations(user):
        return qs
    return qs.filter(requested_by__organisation_id=user.organisation_id)


def can_request_report(user) -> bool:
    return can_use_module(user, "reports") and user.has_perm("reports.add_report")


def can_view_unsuppressed(user) -> bool:
    """Cleared programme staff (programme manager, admin) may see counts below k."""
    return can_use_module(user, "reports") and user.has_perm("reports.view_unsuppressed")
