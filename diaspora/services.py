"""Every write to the diaspora registry goes through these functions: views, the import
resources, the demo data and the tests call them, so each rule lives in one place."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from diaspora.choices import ConsentChannel, MemberSource, MemberStatus
from diaspora.models import (
    Contact,
    DiasporaAssociation,
    DiasporaMember,
    Event,
    FollowUpAction,
    Participation,
)
from diaspora.permissions import (
    can_edit_registry,
    can_manage_events,
    can_record_contact,
    can_validate_members,
)

MEMBER_FIELDS = {
    "first_name",
    "last_name",
    "sex",
    "age_band",
    "email",
    "phone",
    "country",
    "city",
    "origin_commune",
    "profession",
    "skills",
    "sectors",
    "contributions",
    "languages",
    "is_economic_ambassador",
}
ASSOCIATION_FIELDS = {
    "name",
    "country",
    "city",
    "origin_province",
    "origin_commune",
    "sectors",
    "members_count",
    "contact_name",
    "contact_email",
    "contact_phone",
    "partnership_status",
    "projects_carried",
    "notes",
}
EVENT_FIELDS = {
    "kind",
    "title",
    "starts_on",
    "ends_on",
    "commune",
    "venue",
    "organiser",
    "description",
}


class DuplicateRegistration(ValidationError):
    """A public registration whose email or phone is already in the registry."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _set_fields(obj, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot set {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value)


# --- Members ------------------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def member_self_register(*, consent: bool, associations: Iterable = (), **fields):
    """The public form: nothing is stored without consent; the entry waits for an officer.

    A duplicate raises ``DuplicateRegistration`` with a message that says nothing about the
    person already registered."""
    if not consent:
        raise ValidationError(
            {"consent": _("Without your consent to be contacted, nothing can be registered.")}
        )
    member = DiasporaMember(
        consent_to_contact=True,
        consent_date=timezone.now(),
        consent_channel=ConsentChannel.ONLINE_FORM,
        status=MemberStatus.PENDING,
        source=MemberSource.SELF_REGISTRATION,
    )
    _set_fields(member, fields, MEMBER_FIELDS)
    try:
        member.full_clean()
    except ValidationError as error:
        if _is_duplicate(error):
            raise DuplicateRegistration(
                _(
                    "An entry with this email address or phone number is already in the "
                    "registry. If you registered before, a diaspora officer will contact you; "
                    "otherwise write to the programme team."
                ),
                code="duplicate",
            ) from error
        raise
    member.save()
    member.associations.set(associations)
    audit.record(action=audit.Action.CREATE, obj=member)
    return member


@transaction.atomic
def member_create(
    *,
    actor,
    consent_channel: str,
    consent_date=None,
    associations: Iterable = (),
    source: str = MemberSource.OFFICER,
    **fields,
) -> DiasporaMember:
    """An officer enters a member whose consent they hold (paper form, email, call...).
    Entered by an officer, the member is validated at once."""
    _require(can_edit_registry(actor))
    now = timezone.now()
    member = DiasporaMember(
        consent_to_contact=True,
        consent_date=consent_date or now,
        consent_channel=consent_channel,
        status=MemberStatus.VALIDATED,
        source=source,
        created_by=actor,
        validated_by=actor,
        validated_at=now,
    )
    _set_fields(member, fields, MEMBER_FIELDS)
    if not consent_channel:
        raise ValidationError({"consent_channel": _("Say how the person gave their consent.")})
    member.full_clean()
    member.save()
    member.associations.set(associations)
    audit.record(actor=actor, action=audit.Action.CREATE, obj=member)
    return member


def member_prepare_import(*, actor, member: DiasporaMember) -> None:
    """The rules of an imported contact (the import resource calls this for every row, then
    ``full_clean``): the list is the officer's, so the member is validated; consent is
    required, as for every other entry."""
    _require(can_edit_registry(actor))
    if not member.consent_channel:
        raise ValidationError(
            {
                "consent_channel": _(
                    "No consent recorded for this person: without consent to be contacted, "
                    "nothing is imported."
                )
            }
        )
    now = timezone.now()
    member.consent_to_contact = True
    member.consent_date = member.consent_date or now
    member.status = MemberStatus.VALIDATED
    member.source = MemberSource.IMPORT
    member.created_by = member.validated_by = actor
    member.validated_at = now


@transaction.atomic
def member_update(*, actor, member: DiasporaMember, associations=None, **fields):
    _require(can_edit_registry(actor))
    member = DiasporaMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
    _set_fields(member, fields, MEMBER_FIELDS)
    member.full_clean()
    member.save()
    if associations is not None:
        member.associations.set(associations)
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=member)
    return member


def _is_duplicate(error: ValidationError) -> bool:
    errors = getattr(error, "error_dict", {})
    return any(e.code == "duplicate" for field in errors.values() for e in field)


def _lock_pending(member: DiasporaMember) -> DiasporaMember:
    locked = DiasporaMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if locked.status != MemberStatus.PENDING:
        raise ValidationError(_("This registration has already been handled."))
    return locked


@transaction.atomic
def member_validate(*, actor, member: DiasporaMember) -> DiasporaMember:
    _require(can_validate_members(actor))
    member = _lock_pending(member)
    member.status = MemberStatus.VALIDATED
    member.validated_by = actor
    member.validated_at = timezone.now()
    member.save(update_fields=["status", "validated_by", "validated_at", "updated_at"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=member)
    return member


@transaction.atomic
def member_reject(*, actor, member: DiasporaMember) -> None:
    """A registration that is spam or not about the diaspora: deleted, nothing is kept."""
    _require(can_validate_members(actor))
    member = _lock_pending(member)
    audit.record(actor=actor, action=audit.Action.DELETE, obj=member)
    member.delete()


@transaction.atomic
def member_withdraw_consent(*, actor, member: DiasporaMember) -> DiasporaMember:
    """The person no longer wants to be contacted: they leave every list, search and export.
    Their contact details are kept only so that a new registration is recognised."""
    _require(can_edit_registry(actor))
    member = DiasporaMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
    member.consent_to_contact = False
    member.consent_withdrawn_at = timezone.now()
    member.save(update_fields=["consent_to_contact", "consent_withdrawn_at", "updated_at"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=member)
    return member


# --- Associations -------------------------------------------------------------------------


@transaction.atomic
def association_create(*, actor, **fields) -> DiasporaAssociation:
    _require(can_edit_registry(actor))
    association = DiasporaAssociation()
    _set_fields(association, fields, ASSOCIATION_FIELDS)
    association.full_clean()
    association.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=association)
    return association


@transaction.atomic
def association_update(*, actor, association: DiasporaAssociation, **fields):
    _require(can_edit_registry(actor))
    association = DiasporaAssociation.objects.select_for_update(of=("self",)).get(pk=association.pk)
    _set_fields(association, fields, ASSOCIATION_FIELDS)
    association.full_clean()
    association.save()
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=association)
    return association


# --- Events -------------------------------------------------------------------------------


@transaction.atomic
def event_create(*, actor, **fields) -> Event:
    _require(can_manage_events(actor))
    event = Event(created_by=actor)
    _set_fields(event, fields, EVENT_FIELDS)
    event.full_clean()
    event.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=event)
    return event


@transaction.atomic
def event_update(*, actor, event: Event, **fields) -> Event:
    _require(can_manage_events(actor))
    event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    _set_fields(event, fields, EVENT_FIELDS)
    event.full_clean()
    event.save()
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=event)
    return event


def participation_apply_consent(participation: Participation) -> None:
    """Without consent to be contacted, only sex, country and attendance are kept."""
    if not participation.consent_to_contact:
        participation.first_name = participation.last_name = ""
        participation.email = participation.phone = ""
        participation.member = None


def participation_link_member(participation: Participation) -> None:
    """A consenting participant with the email or phone of a registry member is linked to
    that member (call after ``full_clean``, which normalises both)."""
    if not participation.consent_to_contact or participation.member_id:
        return
    query = Q()
    if participation.email:
        query |= Q(email__iexact=participation.email)
    if participation.phone:
        query |= Q(phone=participation.phone)
    if query:
        participation.member = DiasporaMember.objects.contactable().filter(query).first()


@transaction.atomic
def participation_add(*, actor, event: Event, **fields) -> Participation:
    _require(can_manage_events(actor))
    participation = Participation(event=event, **fields)
    participation_apply_consent(participation)
    participation.full_clean()
    participation_link_member(participation)
    participation.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=participation)
    return participation


@transaction.atomic
def follow_up_add(*, actor, event: Event, **fields) -> FollowUpAction:
    _require(can_manage_events(actor))
    action = FollowUpAction(event=event, **fields)
    action.full_clean()
    action.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=action)
    return action


@transaction.atomic
def follow_up_set_done(*, actor, action: FollowUpAction, done: bool = True) -> FollowUpAction:
    _require(can_manage_events(actor))
    action = FollowUpAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    action.done = done
    action.save(update_fields=["done", "updated_at"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=action)
    return action


# --- Contacts -----------------------------------------------------------------------------


@transaction.atomic
def contact_record(
    *,
    actor,
    member: DiasporaMember | None = None,
    association: DiasporaAssociation | None = None,
    **fields,
) -> Contact:
    """Record a contact made (about a project or a need) and its outcome."""
    _require(can_record_contact(actor))
    if (
        member is not None
        and not DiasporaMember.objects.contactable().filter(pk=member.pk).exists()
    ):
        raise ValidationError(_("This person has not consented to be contacted."))
    contact = Contact(member=member, association=association, made_by=actor, **fields)
    contact.full_clean()
    contact.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=contact)
    return contact
