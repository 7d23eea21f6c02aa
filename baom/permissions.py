"""Who may see and do what in the intake module. One rule per question, used by querysets,
services, views and (to hide a button) templates alike."""

from __future__ import annotations

from django.db.models import BigIntegerField, Q, Value
from django.db.models.functions import Cast

from accounts.permissions import is_signed_in, sees_all_organisations
from accounts.roles import Role

BUREAU_ROLES = {Role.AGENT, Role.SUPERVISOR}


def works_in_bureau(user) -> bool:
    return is_signed_in(user) and user.role in BUREAU_ROLES and user.organisation_id is not None


def in_bureau(bureau_id: int) -> Q:
    """``bureau_id = <bureau>`` with the value typed as bigint, like the column. PostgreSQL then
    keeps the condition for the (bureau, name) GiST index of a name search (its btree_gist
    operator class matches bigint = bigint only; an untyped literal is an integer, which the
    planner folds away from that index)."""
    return Q(bureau_id=Cast(Value(bureau_id), BigIntegerField()))


def beneficiary_scope(queryset, user):
    """Agents and supervisors: their bureau. Programme managers and admins: every bureau.
    Everyone else (statistician, associations, reviewers...): nobody."""
    if not is_signed_in(user):
        return queryset.none()
    if sees_all_organisations(user):
        return queryset
    if works_in_bureau(user):
        return queryset.filter(in_bureau(user.organisation_id))
    return queryset.none()


def can_register(user) -> bool:
    return works_in_bureau(user) and user.has_perm("baom.add_beneficiary")


def can_edit_beneficiary(user, beneficiary) -> bool:
    return (
        user.has_perm("baom.change_beneficiary")
        and beneficiary.merged_into_id is None
        and beneficiary.anonymised_at is None
        and (works_in_bureau(user) and beneficiary.bureau_id == user.organisation_id)
    )


def can_record_visit(user, beneficiary) -> bool:
    return (
        user.has_perm("baom.add_visit")
        and beneficiary.merged_into_id is None
        and beneficiary.anonymised_at is None
        and works_in_bureau(user)
        and beneficiary.bureau_id == user.organisation_id
    )


def can_see_sensitive(user) -> bool:
    """GBV flags and confidential notes: need-to-know (supervisors, or a user given the right)."""
    return is_signed_in(user) and user.has_perm("baom.view_sensitive")


def can_merge(user) -> bool:
    return works_in_bureau(user) and user.has_perm("baom.merge_beneficiary")


def can_import(user) -> bool:
    return works_in_bureau(user) and user.has_perm("baom.import_beneficiary")


def can_export(user) -> bool:
    return is_signed_in(user) and user.has_perm("baom.export_beneficiary")


def can_manage_activities(user) -> bool:
    return works_in_bureau(user) and user.has_perm("baom.add_groupactivity")


def can_record_consent(user, beneficiary) -> bool:
    """Record or withdraw a consent: the agents and supervisors of the person's bureau."""
    return can_edit_beneficiary(user, beneficiary)


def can_exercise_rights(user, beneficiary) -> bool:
    """Access request, rectification, erasure or objection: the supervisors of the person's
    bureau (permission baom.exercise_rights), on the record duplicates were merged into."""
    return (
        works_in_bureau(user)
        and user.has_perm("baom.exercise_rights")
        and beneficiary.bureau_id == user.organisation_id
        and beneficiary.merged_into_id is None
    )
