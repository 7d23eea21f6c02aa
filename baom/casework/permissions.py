"""Who may do what in case work. Plain functions used by services, views and templates."""

from __future__ import annotations

from accounts.permissions import is_signed_in
from accounts.roles import Role
from baom.permissions import can_record_visit, works_in_bureau

CASE_HOLDER_ROLES = {Role.AGENT, Role.SUPERVISOR}


def can_hold_cases(user, bureau_id) -> bool:
    """An active agent or supervisor of that bureau."""
    return (
        user is not None
        and user.is_active
        and user.role in CASE_HOLDER_ROLES
        and user.organisation_id is not None
        and user.organisation_id == bureau_id
    )


def can_schedule_follow_up(user, beneficiary) -> bool:
    """Schedule, complete, reschedule, cancel: the agents and supervisors of the person's
    bureau (those who record visits)."""
    return can_record_visit(user, beneficiary)


def can_add_note(user, beneficiary) -> bool:
    return can_record_visit(user, beneficiary)


def can_reassign(user) -> bool:
    """Supervisors reassign the cases of their own bureau."""
    return (
        is_signed_in(user)
        and works_in_bureau(user)
        and user.role == Role.SUPERVISOR
        and user.has_perm("baom.change_beneficiary")
    )
