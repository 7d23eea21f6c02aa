"""Who may see and do what with referrals. Used by querysets, services, views and templates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.permissions import (
    can_use_module,
    is_signed_in,
    sees_all_organisations,
    sees_persons,
)
from accounts.roles import Role
from referrals.choices import Status
from referrals.workflow import RECEIVER, SENDER

SENDING_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.ASSOCIATION_STAFF}
RECEIVING_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.ASSOCIATION_STAFF}


def access_days() -> int:
    """How long the receiving side keeps the person's details after completion."""
    return getattr(settings, "REFERRALS_ACCESS_DAYS", 30)


def works_in_referrals(user) -> bool:
    return (
        is_signed_in(user)
        and user.role in RECEIVING_ROLES
        and user.organisation_id is not None
        and sees_persons(user)
    )


def referral_scope(queryset, user):
    """Programme managers: every referral. Staff: those their organisation sent or received.
    The statistician, admins (not in the referrals module: policy ``referrals.read``) and
    everyone else: none."""
    if not is_signed_in(user) or not sees_persons(user):
        return queryset.none()
    if sees_all_organisations(user):
        return queryset if can_use_module(user, "referrals") else queryset.none()
    if works_in_referrals(user):
        from django.db.models import Q

        org = user.organisation_id
        scope = Q(from_organisation_id=org) | Q(to_organisation_id=org)
        if user.role in {Role.AGENT, Role.SUPERVISOR}:
            # The bureau holds the case file: it follows the whole chain of its people.
            scope |= Q(beneficiary__bureau_id=org)
        return queryset.filter(scope)
    return queryset.none()


def side_of(user, referral) -> str | None:
    if not works_in_referrals(user):
        return None
    if referral.from_organisation_id == user.organisation_id:
        return SENDER
    if referral.to_organisation_id == user.organisation_id:
        return RECEIVER
    return None


def can_refer(user, beneficiary) -> bool:
    """From a beneficiary's page: agents and supervisors of the person's bureau."""
    return (
        works_in_referrals(user)
        and user.role in {Role.AGENT, Role.SUPERVISOR}
        and user.has_perm("referrals.add_referral")
        and beneficiary.bureau_id == user.organisation_id
        and beneficiary.merged_into_id is None
        and beneficiary.anonymised_at is None
    )


def can_refer_onward(user, referral) -> bool:
    """The receiving side refers onward or back while it holds the referral and the person is
    still shared with it (a referral cancelled upstream cannot be passed on)."""
    return (
        side_of(user, referral) == RECEIVER
        and can_see_person(user, referral)
        and user.has_perm("referrals.add_referral")
        and referral.status in {Status.ACCEPTED, Status.IN_PROGRESS}
    )


def can_act(user, referral, side: str) -> bool:
    return side_of(user, referral) == side and user.has_perm("referrals.change_referral")


def sharing_allowed(beneficiary) -> bool:
    """The person currently consents to sharing with partners (and was not anonymised)."""
    return beneficiary.consent_sharing and beneficiary.anonymised_at is None


def holds_case_file(user, referral) -> bool:
    """The person's own bureau, and managers: they see the person whatever the referral."""
    return sees_all_organisations(user) or (
        works_in_referrals(user) and referral.beneficiary.bureau_id == user.organisation_id
    )


def can_see_person(user, referral) -> bool:
    """The minimum card (name, sex, age, language, contact): the person's bureau and managers
    always (their reads are their responsibility). Any other organisation only while the
    person consents to sharing (withdrawing it ends every partner's access at once) and while
    the person is shared with that organisation (``organisations_sharing``): on every referral
    it holds about the person, received or sent onward, the same answer."""
    if holds_case_file(user, referral):
        return True
    if side_of(user, referral) is None or not sharing_allowed(referral.beneficiary):
        return False
    return user.organisation_id in sharing_by_person([referral.beneficiary_id]).get(
        referral.beneficiary_id, set()
    )


# A received referral in these states keeps the person shared with its receiver.
LIVE_STATES = {Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS}
# An ancestor in these states ends the sharing of everything referred on from it.
BROKEN_STATES = {Status.DECLINED, Status.CANCELLED}


def organisations_sharing(rows, *, now=None) -> set[int]:
    """The organisations (other than the person's bureau) the person is shared with, from
    every referral about the person: ``rows`` are ``(id, parent_id, to_organisation_id,
    status, closed_at)``. A received referral shares the person while it waits or is worked
    (sent, accepted, in progress) or for ``REFERRALS_ACCESS_DAYS`` after its completion, and
    only while no referral upstream of it in the chain was declined or cancelled. Sending a
    referral onward shares nothing with the sender: forwarding never extends access."""
    cutoff = (now or timezone.now()) - timedelta(days=access_days())
    by_id = {row[0]: row for row in rows}

    def upstream_broken(row) -> bool:
        seen = {row[0]}
        parent_id = row[1]
        while parent_id is not None and parent_id in by_id and parent_id not in seen:
            parent = by_id[parent_id]
            if parent[3] in BROKEN_STATES:
                return True
            seen.add(parent_id)
            parent_id = parent[1]
        return False

    shared = set()
    for row in rows:
        _pk, _parent, organisation_id, status, closed_at = row
        live = status in LIVE_STATES or (
            status == Status.COMPLETED and (closed_at is None or closed_at > cutoff)
        )
        if live and not upstream_broken(row):
            shared.add(organisation_id)
    return shared


def sharing_by_person(beneficiary_ids) -> dict[int, set[int]]:
    """``{beneficiary_id: organisations the person is shared with}`` in one query."""
    from referrals.models import Referral

    rows: dict[int, list] = {}
    for beneficiary_id, *row in Referral.objects.filter(
        beneficiary_id__in=set(beneficiary_ids)
    ).values_list("beneficiary_id", "id", "parent_id", "to_organisation_id", "status", "closed_at"):
        rows.setdefault(beneficiary_id, []).append(row)
    now = timezone.now()
    return {pk: organisations_sharing(r, now=now) for pk, r in rows.items()}


def annotate_identity(user, referrals) -> list:
    """Set ``identity_visible`` on each referral (one query for the whole list): what every
    list and page of referrals reads to show or hide the person."""
    referrals = list(referrals)
    pending = {r.pk: r for r in referrals if not holds_case_file(user, r)}
    sharing = sharing_by_person(r.beneficiary_id for r in pending.values()) if pending else {}
    for referral in referrals:
        referral.identity_visible = referral.pk not in pending or (
            side_of(user, referral) is not None
            and sharing_allowed(referral.beneficiary)
            and user.organisation_id in sharing.get(referral.beneficiary_id, set())
        )
    return referrals


def can_open_case_file(user, referral) -> bool:
    """The whole case file stays with the bureau: baom's own scope decides."""
    from baom.models import Beneficiary

    return Beneficiary.objects.visible_to(user).filter(pk=referral.beneficiary_id).exists()


def can_view_stats(user) -> bool:
    return sees_all_organisations(user)


def can_edit_directory_entry(user) -> bool:
    """Association staff and bureau supervisors describe their own organisation's services."""
    return (
        works_in_referrals(user)
        and user.role in {Role.ASSOCIATION_STAFF, Role.SUPERVISOR}
        and user.has_perm("referrals.change_directoryentry")
    )


def can_claim(user, referral) -> bool:
    """ "Take it": one person of the receiving organisation becomes its handler, once."""
    return (
        can_act(user, referral, RECEIVER)
        and referral.claimed_by_id is None
        and referral.status in {Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS}
    )


def can_add_progress_note(user, referral) -> bool:
    """The receiving side, while it holds the referral (accepted or in progress)."""
    return can_act(user, referral, RECEIVER) and referral.status in {
        Status.ACCEPTED,
        Status.IN_PROGRESS,
    }
