"""Every write of case work: follow-ups (one transition table), case notes, case ownership,
the "recently seen" mark and the follow-up reminders. Keyword-only arguments, one transaction,
an audit line each.

A refusal of bad input (a follow-up in the past, a reassignment to another bureau's agent, a
note on a case the user cannot see) raises ``Refused``: a ``ValidationError`` with the message
in the user's language that also knows its audit line. The caller records it once the
transaction has rolled back (``Refused.record()``; the views do it), so the refusal stays in the
trail while nothing else is saved.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from baom import permissions as baom_permissions
from baom.casework import permissions
from baom.casework.models import CaseNote, FollowUp, FollowUpStatus, PersonSeen
from baom.models import Beneficiary
from core import audit, notifications

REMINDER = "followup.reminder"


class Refused(ValidationError):
    """Bad input refused: a message for the user, and the audit line that records it."""

    def __init__(self, message, *, actor, obj=None, object_type: str = "", object_id: str = ""):
        super().__init__(message)
        self.audit = {
            "actor": actor,
            "obj": obj,
            "object_type": object_type,
            "object_id": object_id,
        }

    def record(self) -> None:
        audit.record(action=audit.Action.FORBIDDEN, **self.audit)


# --- Follow-ups ------------------------------------------------------------------------------
# (status, action) -> new status. Only a due follow-up moves.
TRANSITIONS = {
    (FollowUpStatus.DUE, "done"): FollowUpStatus.DONE,
    (FollowUpStatus.DUE, "reschedule"): FollowUpStatus.RESCHEDULED,
    (FollowUpStatus.DUE, "cancel"): FollowUpStatus.CANCELLED,
}


def refuse_past_follow_up(*, actor, beneficiary, field: str = "due_on") -> None:
    raise Refused(
        {field: _("A follow-up cannot be in the past: choose today or a later date.")},
        actor=actor,
        obj=beneficiary,
    )


def _check_assignee(*, actor, assignee, beneficiary) -> None:
    if not permissions.can_hold_cases(assignee, beneficiary.bureau_id):
        raise Refused(
            {
                "assigned_to": _(
                    "%(name)s is not an agent of this bureau: choose one of its agents."
                )
                % {"name": assignee.full_name}
            },
            actor=actor,
            obj=beneficiary,
        )


@transaction.atomic
def follow_up_schedule(
    *,
    beneficiary: Beneficiary,
    actor: User,
    due_on: date,
    purpose: str,
    assignee: User | None = None,
    visit=None,
) -> FollowUp:
    """A follow-up for today or later, assigned to an agent of the person's bureau (the actor
    by default)."""
    if not permissions.can_schedule_follow_up(actor, beneficiary):
        raise PermissionDenied
    if due_on < timezone.localdate():
        refuse_past_follow_up(actor=actor, beneficiary=beneficiary)
    assignee = assignee or actor
    _check_assignee(actor=actor, assignee=assignee, beneficiary=beneficiary)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("Say what the follow-up is for.")})
    follow_up = FollowUp(
        beneficiary=beneficiary,
        bureau_id=beneficiary.bureau_id,
        assigned_to=assignee,
        due_on=due_on,
        purpose=purpose[:200],
        visit=visit,
        created_by=actor,
    )
    follow_up.full_clean(exclude=["visit", "rescheduled_to"])
    follow_up.save()
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=follow_up, organisation=beneficiary.bureau
    )
    return follow_up


@transaction.atomic
def follow_up_transition(
    *,
    follow_up: FollowUp,
    action: str,
    actor: User,
    reason: str = "",
    new_date: date | None = None,
) -> FollowUp:
    """Done, rescheduled (a new follow-up at ``new_date``, with the reason) or cancelled (with
    the reason). Returns the follow-up (for a reschedule: the new one)."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("beneficiary")
        .get(pk=follow_up.pk)
    )
    if not permissions.can_schedule_follow_up(actor, follow_up.beneficiary):
        raise PermissionDenied
    target = TRANSITIONS.get((follow_up.status, action))
    if target is None:
        raise ValidationError(
            _("This follow-up is %(status)s: that step is not possible now.")
            % {"status": follow_up.get_status_display().lower()}
        )
    reason = (reason or "").strip()
    if action in {"reschedule", "cancel"} and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    successor = None
    if action == "reschedule":
        if new_date is None:
            raise ValidationError({"new_date": _("Choose the new date.")})
        if new_date < timezone.localdate():
            refuse_past_follow_up(actor=actor, beneficiary=follow_up.beneficiary, field="new_date")
        successor = FollowUp.objects.create(
            beneficiary=follow_up.beneficiary,
            bureau_id=follow_up.bureau_id,
            assigned_to_id=follow_up.assigned_to_id,
            due_on=new_date,
            purpose=follow_up.purpose,
            visit_id=follow_up.visit_id,
            created_by=actor,
        )
        follow_up.rescheduled_to = successor
    follow_up.status = target
    follow_up.reason = reason[:300]
    follow_up.closed_at = timezone.now()
    follow_up.save(update_fields=["status", "reason", "closed_at", "rescheduled_to", "updated_at"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=follow_up)
    if successor is not None:
        audit.record(actor=actor, action=audit.Action.CREATE, obj=successor)
        return successor
    return follow_up


def register_kinds() -> None:
    notifications.register(
        REMINDER,
        subject=lambda p: _("Follow-up tomorrow: %(code)s") % {"code": p["code"]},
        text=lambda p: (
            _("Follow-up with %(code)s on %(date)s.")
            % {"code": p["code"], "date": date.fromisoformat(p["date"]).strftime("%d/%m/%Y")}
        ),
    )


def follow_up_reminders_send(*, today: date | None = None) -> int:
    """The day before a follow-up, its agent is reminded (in the app and by email, through the
    outbox). Idempotent: a follow-up is reminded once (``reminded_on``), however often beat
    runs this. Returns how many reminders were queued."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                FollowUp.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(status=FollowUpStatus.DUE, due_on=tomorrow, reminded_on__isnull=True)
                .select_related("assigned_to", "beneficiary")
                .order_by("pk")[:500]
            )
            if not batch:
                return sent
            FollowUp.objects.filter(pk__in=[f.pk for f in batch]).update(reminded_on=today)
            for follow_up in batch:
                notifications.notify(
                    recipients=[follow_up.assigned_to],
                    kind=REMINDER,
                    params={"code": follow_up.beneficiary.code, "date": tomorrow.isoformat()},
                    url=reverse(
                        "baom:beneficiary_detail", kwargs={"uuid": follow_up.beneficiary.uuid}
                    ),
                )
            sent += len(batch)


# --- Case notes -------------------------------------------------------------------------------
@transaction.atomic
def case_note_add(
    *, beneficiary: Beneficiary, actor: User, text: str, sensitive: bool = False, day=None
) -> CaseNote:
    if not permissions.can_add_note(actor, beneficiary):
        raise Refused(
            _("You cannot write a note on this person's case."), actor=actor, obj=beneficiary
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"date": _("The date is in the future.")})
    if sensitive and not baom_permissions.can_see_sensitive(actor):
        raise ValidationError(
            {"sensitive": _("Only users with access to sensitive information flag notes.")}
        )
    note = CaseNote(beneficiary=beneficiary, author=actor, date=day, text=text, sensitive=sensitive)
    note.full_clean()
    note.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=note, organisation=beneficiary.bureau)
    return note


# --- Case ownership ---------------------------------------------------------------------------
@transaction.atomic
def cases_reassign(*, beneficiaries, to_agent: User, actor: User) -> int:
    """A supervisor gives one or many open cases of their bureau to one of its agents; one
    audit line per case. Another bureau's agent is refused (and the refusal audited)."""
    if not permissions.can_reassign(actor):
        raise PermissionDenied
    if not permissions.can_hold_cases(to_agent, actor.organisation_id):
        raise Refused(
            {
                "assigned_to": _(
                    "%(name)s is not an agent of your bureau: a case stays in its bureau."
                )
                % {"name": to_agent.full_name}
            },
            actor=actor,
            obj=to_agent,
        )
    ids = [b.pk for b in beneficiaries]
    cases = list(
        Beneficiary.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, bureau_id=actor.organisation_id, merged_into__isnull=True)
        .order_by("pk")
    )
    if len(cases) != len(set(ids)):
        raise PermissionDenied
    changed = [c for c in cases if c.assigned_to_id != to_agent.pk]
    Beneficiary.objects.filter(pk__in=[c.pk for c in changed]).update(
        assigned_to=to_agent, updated_at=timezone.now()
    )
    # Open follow-ups move with the case.
    FollowUp.objects.filter(
        beneficiary__in=[c.pk for c in changed], status=FollowUpStatus.DUE
    ).update(assigned_to=to_agent, updated_at=timezone.now())
    if changed:
        audit.record_many(actor=actor, action=audit.Action.UPDATE, objects=changed)
    return len(changed)


# --- Recently seen ----------------------------------------------------------------------------
def person_seen(*, user: User, beneficiary: Beneficiary) -> None:
    """One upsert: the worklist lists the people a user opened last."""
    if user.role not in {Role.AGENT, Role.SUPERVISOR}:
        return
    PersonSeen.objects.bulk_create(
        [PersonSeen(user=user, beneficiary=beneficiary, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "beneficiary"],
        update_fields=["seen_at"],
    )
