"""Who may do what in projects: plain functions, used by services, views and templates alike.

Role permissions come from ``projects/roles.py`` (Django groups), so ``user.has_perm`` answers;
object rules (own organisation, own review) are added here.
"""

from __future__ import annotations

from accounts.permissions import is_signed_in


def manages_programme(user) -> bool:
    """Programme managers and admins: calls, screening, reviewers, decisions, grants."""
    return is_signed_in(user) and (user.is_superuser or user.has_perm("projects.manage_programme"))


def writes_proposals(user) -> bool:
    """Association staff: proposals and reports for their own organisation."""
    return (
        is_signed_in(user)
        and user.organisation_id is not None
        and user.has_perm("projects.apply_to_calls")
    )


def is_reviewer(user) -> bool:
    return is_signed_in(user) and user.has_perm("projects.score_proposals")


def can_apply(user, call) -> bool:
    return writes_proposals(user) and call.is_open()


def can_edit_proposal(user, proposal) -> bool:
    from projects.models import Proposal

    return (
        writes_proposals(user)
        and proposal.organisation_id == user.organisation_id
        and proposal.status == Proposal.Status.DRAFT
    )


def can_score(user, review) -> bool:
    from projects.models import Review

    return (
        is_reviewer(user)
        and review.reviewer_id == user.pk
        and review.status == Review.Status.ASSIGNED
    )


def is_grant_holder(user, grant) -> bool:
    return writes_proposals(user) and grant.proposal.organisation_id == user.organisation_id


def can_report_on_grant(user, grant) -> bool:
    from projects.models import Grant

    return (is_grant_holder(user, grant) or manages_programme(user)) and (
        grant.status != Grant.Status.CLOSED
    )


def can_override_committee_rules(user) -> bool:
    """Only a programme manager (not an admin, not staff of an association) may record a
    decision before the call closes or before the reviews it needs are in, with a reason."""
    from accounts.roles import Role

    return manages_programme(user) and getattr(user, "role", None) == Role.PROGRAMME_MANAGER


def can_delete_proposal(user, proposal) -> bool:
    """An association's staff delete their own organisation's drafts, nothing else."""
    from projects.models import Proposal

    return (
        writes_proposals(user)
        and proposal.organisation_id == user.organisation_id
        and proposal.status == Proposal.Status.DRAFT
    )
