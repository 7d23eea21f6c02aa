"""Every write of the intake module. Views, imports, commands and tests call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from baom import permissions, privacy
from baom.choices import CaseStatus, ChangeKind
from baom.models import (
    AnonymousContact,
    Attendance,
    Beneficiary,
    Distribution,
    GroupActivity,
    Merge,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from baom.validators import check_birth_date, normalise_phone
from core import audit


class ConflictError(Exception):
    """The record changed since the user opened it: their save is refused, nothing is lost."""


# Fields an agent may set on a beneficiary (everything else is the system's).
BENEFICIARY_FIELDS = [
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_date_is_estimated",
    "nationality",
    "category",
    "languages",
    "phone",
    "commune",
    "household_size",
    "children_count",
    "vulnerabilities",
    "gbv_survivor",
    "confidential_notes",
    "consent_processing",
    "consent_sharing",
    "consent_contact",
    "consent_date",
    "consent_method",
    "status",
    "closed_reason",
    "closed_on",
]
SENSITIVE_FIELDS = {"gbv_survivor", "confidential_notes"}
CONSENT_FIELDS = {"consent_processing", "consent_sharing", "consent_contact"}
# Fields whose changes go to the change history (consents have a history of their own).
TRACKED_FIELDS = [name for name in BENEFICIARY_FIELDS if name not in CONSENT_FIELDS]


def reserve_codes(*, bureau: Organisation, year: int, count: int) -> list[str]:
    """The next ``count`` codes (AGA-2026-00042...) from one atomic upsert of the counter, so
    two agents, or an agent and an import, never get the same number."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO baom_beneficiarycodecounter (bureau_id, year, last) VALUES (%s, %s, %s)
            ON CONFLICT (bureau_id, year) DO UPDATE
                SET last = baom_beneficiarycodecounter.last + EXCLUDED.last
            RETURNING last
            """,
            [bureau.pk, year, count],
        )
        (last,) = cursor.fetchone()
    return [f"{bureau.code}-{year}-{number:05d}" for number in range(last - count + 1, last + 1)]


def next_code(*, bureau: Organisation, year: int) -> str:
    return reserve_codes(bureau=bureau, year=year, count=1)[0]


def _apply(beneficiary: Beneficiary, data: dict, *, actor: User) -> None:
    unknown = set(data) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise TypeError(f"cannot set {', '.join(sorted(unknown))}")
    if SENSITIVE_FIELDS & set(data) and not permissions.can_see_sensitive(actor):
        # Agents without need-to-know neither see nor change these fields.
        data = {k: v for k, v in data.items() if k not in SENSITIVE_FIELDS}
    for name, value in data.items():
        setattr(beneficiary, name, value)
    if beneficiary.status != CaseStatus.CLOSED:
        beneficiary.closed_reason = ""
        beneficiary.closed_on = None
    elif beneficiary.closed_on is None:
        beneficiary.closed_on = timezone.localdate()


def _validate(beneficiary: Beneficiary) -> None:
    errors = {}
    try:
        check_birth_date(beneficiary.birth_date)
    except ValidationError as exc:
        errors["birth_date"] = exc.messages
    try:
        beneficiary.phone = normalise_phone(beneficiary.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if not beneficiary.consent_processing:
        errors["consent_processing"] = [
            _("Without consent to processing, only an anonymous head count may be kept.")
        ]
    if beneficiary.consent_date and beneficiary.consent_date > timezone.localdate():
        errors["consent_date"] = [_("The date of consent is in the future.")]
    if beneficiary.status == CaseStatus.CLOSED and not beneficiary.closed_reason:
        errors["closed_reason"] = [_("A closed case needs a reason.")]
    try:
        beneficiary.full_clean(exclude=["code", "registered_by", "bureau", *errors])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def beneficiary_register(*, bureau: Organisation, agent: User, data: dict) -> Beneficiary:
    if not permissions.can_register(agent) or agent.organisation_id != bureau.pk:
        raise PermissionDenied
    beneficiary = Beneficiary(bureau=bureau, registered_by=agent, assigned_to=agent)
    _apply(beneficiary, dict(data), actor=agent)
    _validate(beneficiary)
    beneficiary.code = next_code(bureau=bureau, year=beneficiary.registered_on.year)
    beneficiary.save()
    privacy.consent_history_start(beneficiaries=[beneficiary], actor=agent)
    audit.record(actor=agent, action=audit.Action.CREATE, obj=beneficiary, organisation=bureau)
    return beneficiary


@transaction.atomic
def beneficiary_update(
    *,
    beneficiary: Beneficiary,
    actor: User,
    data: dict,
    version: int,
    kind: str = ChangeKind.EDIT,
    reason: str = "",
) -> Beneficiary:
    """Save the changes if nobody saved the record since ``version`` was read. Every changed
    field goes to the change history (``kind``: an edit, or a rectification with its reason);
    a changed consent to its own history, with its effects (``privacy``)."""
    if not permissions.can_edit_beneficiary(actor, beneficiary):
        raise PermissionDenied
    current = Beneficiary.objects.select_for_update(of=("self",)).get(pk=beneficiary.pk)
    before = privacy.snapshot(current, TRACKED_FIELDS)
    consents_before = Beneficiary(**{name: getattr(current, name) for name in CONSENT_FIELDS})
    if current.version != version:
        raise ConflictError(
            _(
                "Someone else saved this record while you were editing it. "
                "Your changes were not saved: open the record again to see theirs."
            )
        )
    _apply(current, dict(data), actor=actor)
    _validate(current)
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    privacy.changes_record(
        beneficiary=current, before=before, actor=actor, kind=kind, reason=reason
    )
    privacy.consent_changes_from_edit(before=consents_before, after=current, actor=actor)
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=current, organisation=current.bureau)
    return current


def _check_visit_date(beneficiary: Beneficiary, day: date, field: str = "date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date is in the future.")})
    if day < beneficiary.registered_on:
        raise ValidationError(
            {
                field: _("The date is before the person's registration (%(date)s).")
                % {"date": beneficiary.registered_on.strftime("%d/%m/%Y")}
            }
        )


@transaction.atomic
def visit_record(
    *,
    beneficiary: Beneficiary,
    agent: User,
    date: date,
    channel: str,
    needs: Iterable[ServiceType] = (),
    services: Iterable[ServiceType] = (),
    notes: str = "",
    next_follow_up: date | None = None,
) -> Visit:
    if not permissions.can_record_visit(agent, beneficiary):
        raise PermissionDenied
    _check_visit_date(beneficiary, date)
    if next_follow_up and next_follow_up < date:
        raise ValidationError({"next_follow_up": _("The follow-up date is before the visit.")})
    if next_follow_up and next_follow_up < timezone.localdate():
        from baom.casework.services import refuse_past_follow_up

        refuse_past_follow_up(actor=agent, beneficiary=beneficiary, field="next_follow_up")
    visit = Visit(
        beneficiary=beneficiary,
        bureau_id=agent.organisation_id,
        agent=agent,
        date=date,
        channel=channel,
        notes=notes,
        next_follow_up=next_follow_up,
    )
    visit.full_clean()
    visit.save()
    visit.needs.set(list(needs))
    ServiceDelivery.objects.bulk_create(
        ServiceDelivery(
            visit=visit,
            service_type=service,
            beneficiary=beneficiary,
            bureau_id=visit.bureau_id,
            date=date,
        )
        for service in set(services)
    )
    if next_follow_up:
        case_status_follow_up(beneficiary=beneficiary, actor=agent)
    if next_follow_up:
        from baom.casework.services import follow_up_schedule

        follow_up_schedule(
            beneficiary=beneficiary,
            actor=agent,
            due_on=next_follow_up,
            purpose=_("Follow-up of the visit of %(date)s") % {"date": date.strftime("%d/%m/%Y")},
            visit=visit,
        )
    audit.record(
        actor=agent, action=audit.Action.CREATE, obj=visit, organisation=beneficiary.bureau
    )
    return visit


def case_status_follow_up(*, beneficiary: Beneficiary, actor: User) -> bool:
    """An open case moves to follow-up, through the same versioned update as an edit: the row
    is locked (``of=("self",)``: the bureau and commune rows are not), the status is read again
    under the lock and ``version`` goes up, so an edit based on the version read before this
    change is refused instead of silently reverting it (no lost update)."""
    current = Beneficiary.objects.select_for_update(of=("self",)).get(pk=beneficiary.pk)
    if current.status != CaseStatus.OPEN:
        return False
    Beneficiary.objects.filter(pk=current.pk).update(
        status=CaseStatus.FOLLOW_UP, version=F("version") + 1, updated_at=timezone.now()
    )
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=current)
    return True


@transaction.atomic
def distribution_record(
    *,
    beneficiary: Beneficiary,
    agent: User,
    kit_type: str,
    quantity: int,
    date: date,
    for_household: bool = False,
) -> Distribution:
    if not permissions.can_record_visit(agent, beneficiary):
        raise PermissionDenied
    _check_visit_date(beneficiary, date)
    distribution = Distribution(
        beneficiary=beneficiary,
        bureau_id=agent.organisation_id,
        agent=agent,
        kit_type=kit_type,
        quantity=quantity,
        date=date,
        for_household=for_household,
    )
    distribution.full_clean()
    distribution.save()
    audit.record(
        actor=agent, action=audit.Action.CREATE, obj=distribution, organisation=beneficiary.bureau
    )
    return distribution


@transaction.atomic
def anonymous_contact_record(
    *, agent: User, date: date, sex: str, category: str, count: int, services=()
) -> AnonymousContact:
    if not permissions.can_register(agent):
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date is in the future.")})
    contact = AnonymousContact(
        bureau_id=agent.organisation_id, agent=agent, date=date, sex=sex, category=category,
        count=count,
    )  # fmt: skip
    contact.full_clean()
    contact.save()
    contact.services.set(list(services))
    audit.record(actor=agent, action=audit.Action.CREATE, obj=contact)
    return contact


@transaction.atomic
def activity_create(*, organiser: Organisation, actor: User, data: dict) -> GroupActivity:
    if not permissions.can_manage_activities(actor) or actor.organisation_id != organiser.pk:
        raise PermissionDenied
    activity = GroupActivity(organiser=organiser, created_by=actor, **data)
    activity.full_clean()
    activity.save()
    audit.record(actor=actor, action=audit.Action.CREATE, obj=activity, organisation=organiser)
    return activity


@transaction.atomic
def activity_set_attendance(
    *,
    activity: GroupActivity,
    actor: User,
    codes: Iterable[str],
    unregistered_women: int,
    unregistered_men: int,
) -> GroupActivity:
    """Make the registered attendees exactly the beneficiaries with these codes (of the
    organiser's bureau), and record the head count of the others. Unknown codes: nothing saved."""
    if (
        not permissions.can_manage_activities(actor)
        or actor.organisation_id != activity.organiser_id
    ):
        raise PermissionDenied
    activity = GroupActivity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
    wanted = {code.strip().upper() for code in codes if code.strip()}
    found = dict(
        Beneficiary.objects.visible_to(actor)
        .active()
        .filter(code__in=wanted)
        .values_list("code", "pk")
    )
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ValidationError(
            {"codes": _("Unknown codes in your bureau: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    if unregistered_women < 0 or unregistered_men < 0:
        raise ValidationError({"unregistered_women": _("A head count cannot be negative.")})
    current = set(activity.attendance.values_list("beneficiary_id", flat=True))
    activity.attendance.filter(beneficiary_id__in=current - set(found.values())).delete()
    Attendance.objects.bulk_create(
        Attendance(activity=activity, beneficiary_id=pk) for pk in set(found.values()) - current
    )
    activity.unregistered_women = unregistered_women
    activity.unregistered_men = unregistered_men
    activity.save(update_fields=["unregistered_women", "unregistered_men", "updated_at"])
    # who attended is a fact about each person: one line for the activity
    audit.record(
        actor=actor, action=audit.Action.UPDATE, obj=activity, organisation=activity.organiser
    )
    return activity


# --- Merging duplicates ------------------------------------------------------------------------

_MOVABLE = {
    "visits": Visit,
    "services": ServiceDelivery,
    "distributions": Distribution,
}


@transaction.atomic
def beneficiary_merge(*, kept: Beneficiary, duplicate: Beneficiary, actor: User) -> Merge:
    """Move the duplicate's visits, services, kits and attendance to the kept record, and mark
    the duplicate as merged. The Merge row lists every moved id, so ``merge_undo`` restores it."""
    if not permissions.can_merge(actor):
        raise PermissionDenied
    pair = {
        b.pk: b
        for b in Beneficiary.objects.select_for_update(of=("self",)).filter(
            pk__in=[kept.pk, duplicate.pk]
        )
    }
    kept, duplicate = pair.get(kept.pk), pair.get(duplicate.pk)
    if kept is None or duplicate is None or kept.pk == duplicate.pk:
        raise ValidationError(_("Choose two different records."))
    for record in (kept, duplicate):
        if record.bureau_id != actor.organisation_id:
            raise PermissionDenied
        if record.merged_into_id is not None:
            raise ValidationError(_("%(code)s is already merged.") % {"code": record.code})
        if record.anonymised_at is not None:
            raise ValidationError(_("%(code)s has been anonymised.") % {"code": record.code})
    moved: dict[str, list[int]] = {}
    for name, model in _MOVABLE.items():
        ids = list(model.objects.filter(beneficiary=duplicate).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(beneficiary=kept)
        moved[name] = ids
    # Attendance: move what the kept record does not already have; drop exact doubles.
    kept_activities = set(kept.attendance.values_list("activity_id", flat=True))
    attendance = list(duplicate.attendance.values_list("pk", "activity_id"))
    moved["attendance"] = [pk for pk, activity in attendance if activity not in kept_activities]
    moved["attendance_dropped"] = [
        activity for _pk, activity in attendance if activity in kept_activities
    ]
    Attendance.objects.filter(pk__in=moved["attendance"]).update(beneficiary=kept)
    Attendance.objects.filter(
        beneficiary=duplicate, activity_id__in=moved["attendance_dropped"]
    ).delete()
    duplicate.merged_into = kept
    duplicate.save(update_fields=["merged_into", "updated_at"])
    merge = Merge.objects.create(kept=kept, duplicate=duplicate, merged_by=actor, moved=moved)
    for record in (kept, duplicate):
        audit.record(
            actor=actor, action=audit.Action.UPDATE, obj=record, organisation=record.bureau
        )
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, actor: User) -> Merge:
    if not permissions.can_merge(actor) or merge.kept.bureau_id != actor.organisation_id:
        raise PermissionDenied
    merge = Merge.objects.select_for_update(of=("self",)).get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    for name, model in _MOVABLE.items():
        model.objects.filter(pk__in=merge.moved.get(name, [])).update(
            beneficiary_id=merge.duplicate_id
        )
    Attendance.objects.filter(pk__in=merge.moved.get("attendance", [])).update(
        beneficiary_id=merge.duplicate_id
    )
    Attendance.objects.bulk_create(
        Attendance(activity_id=activity, beneficiary_id=merge.duplicate_id)
        for activity in merge.moved.get("attendance_dropped", [])
    )
    Beneficiary.objects.filter(pk=merge.duplicate_id).update(merged_into=None)
    merge.undone_by = actor
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    for record in (merge.kept, merge.duplicate):
        audit.record(
            actor=actor, action=audit.Action.UPDATE, obj=record, organisation=record.bureau
        )
    return merge
