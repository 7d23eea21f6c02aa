"""Every write of the referrals module: directory entries, sending, the one transition service,
reminders. Keyword-only arguments, validated, one transaction each."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baom.models import Beneficiary, ServiceType
from core import audit
from referrals import permissions
from referrals.choices import DeclineReason, Outcome, SharedField, Status, Urgency
from referrals.models import DirectoryEntry, Referral, ReferralEvent
from referrals.workflow import ANSWER_ACTIONS, CLOSED_STATES, SENDER, TRANSITIONS


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def directory_entry_for(organisation) -> DirectoryEntry:
    entry, _created = DirectoryEntry.objects.get_or_create(organisation=organisation)
    return entry


@transaction.atomic
def directory_entry_update(*, actor, data: dict) -> DirectoryEntry:
    """The actor's organisation describes what it offers. ``data``: services, territories,
    languages, opening_hours, contact_point, accepts_referrals, response_days."""
    if not permissions.can_edit_directory_entry(actor):
        raise ValidationError(_("You cannot edit this directory entry."))
    entry = directory_entry_for(actor.organisation)
    entry = DirectoryEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    scalar = ["languages", "opening_hours", "contact_point", "accepts_referrals", "response_days"]
    for field in scalar:
        setattr(entry, field, data[field])
    if not 1 <= entry.response_days <= 30:
        raise ValidationError(
            {"response_days": _("The response deadline is between 1 and 30 working days.")}
        )
    entry.full_clean()
    entry.save(update_fields=[*scalar, "updated_at"])
    entry.services.set(data["services"])
    entry.territories.set(data["territories"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=entry)
    return entry


def _schedule_notification(event: ReferralEvent) -> None:
    """The other side's notifications, written to the outbox in the step's own transaction
    (core.notifications): a rolled-back step notifies nobody, a broker down loses nothing."""
    from referrals.notifications import notify_event

    notify_event(event=event)


@transaction.atomic
def referral_send(
    *,
    beneficiary: Beneficiary,
    to_organisation,
    actor,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    service: ServiceType | None = None,
    note: str = "",
    shared_fields: list[str] | None = None,
    idempotency_key: uuid_lib.UUID | None = None,
    parent: Referral | None = None,
) -> Referral:
    """Create and send a referral. The same ``idempotency_key`` twice (a double click, two tabs)
    returns the referral the first one created."""
    key = idempotency_key or uuid_lib.uuid4()
    existing = Referral.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if parent is not None:
        if not permissions.can_refer_onward(actor, parent):
            raise ValidationError(_("You cannot refer this person onward."))
        beneficiary = parent.beneficiary
    elif not permissions.can_refer(actor, beneficiary):
        raise ValidationError(_("You cannot refer this person."))
    beneficiary = Beneficiary.objects.select_for_update(of=("self",)).get(pk=beneficiary.pk)
    if not beneficiary.consent_sharing:
        raise ValidationError(
            _(
                "This person has not consented to sharing with partner organisations: "
                "record their consent before referring them."
            )
        )
    errors = {}
    entry = DirectoryEntry.objects.filter(organisation=to_organisation).first()
    if not to_organisation.is_active or entry is None or not entry.accepts_referrals:
        errors["to_organisation"] = _("%(organisation)s does not accept referrals.") % {
            "organisation": to_organisation
        }
    if to_organisation.pk == actor.organisation_id:
        errors["to_organisation"] = _("You cannot refer to your own organisation.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the referral.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose an urgency.")
    shared = list(dict.fromkeys(shared_fields or []))
    if any(f not in SharedField.values for f in shared):
        errors["shared_fields"] = _("Unknown field to share.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    referral = Referral(
        idempotency_key=key,
        beneficiary=beneficiary,
        from_organisation_id=actor.organisation_id,
        to_organisation=to_organisation,
        service=service,
        parent=parent,
        reason=reason.strip(),
        urgency=urgency,
        note=note.strip(),
        shared_fields=shared,
        status=Status.SENT,
        sent_by=actor,
        sent_at=now,
        due_on=add_working_days(timezone.localdate(now), entry.response_days),
    )
    referral.full_clean(exclude=["idempotency_key"])
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # A parallel submission with the same key won the race: return its referral.
        existing = Referral.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    event = ReferralEvent.objects.create(
        referral=referral,
        action="send",
        from_status=Status.DRAFT,
        to_status=Status.SENT,
        actor=actor,
        actor_organisation_id=actor.organisation_id,
        note=referral.note,
        created_at=now,
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=referral)
    _schedule_notification(event)
    return referral


def _free_text(value: str, *, field: str = "note", max_length: int = 2000) -> str:
    """Free text typed by a user: no NUL character (PostgreSQL cannot store one), bounded;
    a ValidationError on ``field`` otherwise, before anything is written."""
    value = (value or "").strip()
    try:
        ProhibitNullCharactersValidator()(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if len(value) > max_length:
        raise ValidationError({field: _("Write at most %(max)d characters.") % {"max": max_length}})
    return value


@transaction.atomic
def referral_transition(
    *, referral: Referral, action: str, actor, note: str = "", **data
) -> Referral:
    """The one place a referral's status changes: lock the row, check the step and the actor's
    side, save the changed fields, record the event, notify the other side after commit.
    ``data``: ``decline_reason`` for decline, ``outcome`` and ``feedback`` for complete."""
    note = _free_text(note)
    if "feedback" in data:
        data["feedback"] = _free_text(data["feedback"], field="feedback")
    referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
    transition = TRANSITIONS.get((referral.status, action))
    if transition is None:
        raise ValidationError(
            _("This referral is %(status)s: that step is not possible now.")
            % {"status": referral.get_status_display().lower()}
        )
    if not permissions.can_act(actor, referral, transition.side):
        # A refusal, not bad input: the view answers 403 and the middleware audits it.
        raise PermissionDenied(_("You are not allowed to do that on this referral."))
    if action == "claim" and referral.claimed_by_id is not None:
        raise ValidationError(
            _("This referral is already handled by %(name)s.") % {"name": referral.claimed_by}
        )
    now = timezone.now()
    fields = {"status", "updated_at"}
    if action == "decline":
        reason = data.get("decline_reason", "")
        if reason not in DeclineReason.values:
            raise ValidationError({"decline_reason": _("Choose the reason for declining.")})
        referral.decline_reason = reason
        fields.add("decline_reason")
    if action == "complete":
        outcome = data.get("outcome", "")
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Choose the outcome.")})
        referral.outcome = outcome
        referral.feedback = (data.get("feedback") or "").strip()
        referral.completed_at = now
        fields |= {"outcome", "feedback", "completed_at"}
    if action in ANSWER_ACTIONS and referral.answered_at is None:
        referral.answered_at = now
        fields.add("answered_at")
    if transition.side != SENDER and (action == "claim" or referral.claimed_by_id is None):
        referral.claimed_by = actor
        fields.add("claimed_by")
    if transition.target in CLOSED_STATES:
        referral.closed_at = now
        fields.add("closed_at")
    if action == "send":
        referral.sent_at = now
        fields.add("sent_at")
    previous = referral.status
    referral.status = transition.target
    referral.save(update_fields=sorted(fields))
    event = ReferralEvent.objects.create(
        referral=referral,
        action=action,
        from_status=previous,
        to_status=referral.status,
        actor=actor,
        actor_organisation_id=actor.organisation_id,
        note=note.strip(),
        created_at=now,
    )
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=referral)
    _schedule_notification(event)
    return referral


@transaction.atomic
def referrals_sharing_ended(
    *,
    beneficiary_ids: list[int],
    actor=None,
    action: str = "consent_withdrawn",
    wipe: bool = False,
    notify: bool = True,
) -> int:
    """The person withdrew their consent to sharing (``action="consent_withdrawn"``) or was
    anonymised (``"anonymised"``): their open referrals (draft, sent, accepted, in progress)
    are cancelled at once, one event each, and the other side is told (no personal data).
    Partners' access to the card ends through ``permissions.can_see_person``, which reads the
    consent. ``wipe`` also empties the free text (reason, note, feedback, event notes). Set
    based: one UPDATE per step, whatever the number of referrals. Returns how many were
    cancelled."""
    from referrals.choices import OPEN_STATUSES

    now = timezone.now()
    open_referrals = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(beneficiary_id__in=beneficiary_ids, status__in=[Status.DRAFT, *OPEN_STATUSES])
        .order_by("pk")  # the lock order of core/locks.py
        .values_list("pk", "status")
    )
    if open_referrals:
        Referral.objects.filter(pk__in=[pk for pk, _status in open_referrals]).update(
            status=Status.CANCELLED, closed_at=now, updated_at=now
        )
        events = ReferralEvent.objects.bulk_create(
            ReferralEvent(
                referral_id=pk,
                action=action,
                from_status=status,
                to_status=Status.CANCELLED,
                actor=actor,
                actor_organisation_id=getattr(actor, "organisation_id", None),
                created_at=now,
            )
            for pk, status in open_referrals
        )
        if notify:
            for event in events:
                _schedule_notification(event)
    if wipe:
        Referral.objects.filter(beneficiary_id__in=beneficiary_ids).update(
            reason="", note="", feedback="", updated_at=now
        )
        ReferralEvent.objects.filter(referral__beneficiary_id__in=beneficiary_ids).exclude(
            note=""
        ).update(note="")
    return len(open_referrals)


def overdue_reminders_send(*, today: date | None = None) -> int:
    """Remind each receiving organisation, once a day, of the referrals it has not answered
    in time. Returns how many organisations were reminded."""
    from referrals.notifications import notify_overdue

    today = today or timezone.localdate()
    overdue = list(
        Referral.objects.overdue(today)
        .exclude(last_reminded_on=today)
        .values_list("pk", "to_organisation_id")
    )
    by_organisation: dict[int, list[int]] = {}
    for pk, org in overdue:
        by_organisation.setdefault(org, []).append(pk)
    for org, pks in by_organisation.items():
        with transaction.atomic():
            marked = Referral.objects.filter(pk__in=pks).exclude(last_reminded_on=today)
            pks = list(marked.values_list("pk", flat=True))
            if not pks:
                continue
            marked.update(last_reminded_on=today)
            notify_overdue(organisation_id=org, count=len(pks))
    return len(by_organisation)


@transaction.atomic
def referral_progress_note_add(*, referral: Referral, actor, text: str) -> ReferralEvent:
    """The receiving organisation tells the sender how the person's support goes. The note is
    an event of the referral: the sender's side and the person's bureau read it, no other
    partner does (an onward partner sees only the chain's summary)."""
    text = _free_text(text)
    referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
    if not permissions.can_add_progress_note(actor, referral):
        raise ValidationError(
            _(
                "Only the organisation that received the referral writes progress notes, "
                "while it handles it."
            )
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"note": _("Write the progress note.")})
    event = ReferralEvent.objects.create(
        referral=referral,
        action="progress_note",
        from_status=referral.status,
        to_status=referral.status,
        actor=actor,
        actor_organisation_id=actor.organisation_id,
        note=text[:2000],
    )
    Referral.objects.filter(pk=referral.pk).update(updated_at=timezone.now())
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=referral)
    from referrals.notifications import notify_progress_note

    notify_progress_note(referral=referral, actor_organisation_id=actor.organisation_id)
    return event
