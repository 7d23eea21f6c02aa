"""Who may see and do what with referrals. Used by querysets, services, views and templates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.permissions import is_signed_in, sees_all_organisations, sees_persons
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
    """Managers and admins: every referral. Staff: those their organisation sent or received.
    The statistician and everyone else: none."""
    if not is_signed_in(user) or not sees_persons(user):
        return queryset.none()
    if sees_all_organisations(user):
        return queryset
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
    """The receiving side refers onward or back while it holds the referral."""
    return (
        side_of(user, referral) == RECEIVER
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
    person consents to sharing (withdrawing it ends every partner's access at once), then:
    the sender's side; the receiving side until it declines, the sender cancels, or the
    referral has been closed for longer than REFERRALS_ACCESS_DAYS."""
    if holds_case_file(user, referral):
        return True
    if not sharing_allowed(referral.beneficiary):
        return False
    side = side_of(user, referral)
    if side == SENDER:
        return True
    if side != RECEIVER:
        return False
    if referral.status in {Status.DECLINED, Status.CANCELLED, Status.DRAFT}:
        return False
    if referral.status == Status.COMPLETED and referral.closed_at is not None:
        return referral.closed_at > timezone.now() - timedelta(days=access_days())
    return True


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
