"""The rights of the person: change history and rectification, access (the JSON file),
anonymisation (erasure, objection; also used by retention)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baom import events, permissions
from baom.choices import AnonymisedReason, ConsentMethod
from baom.models import (
    Attendance,
    Beneficiary,
    BeneficiaryChange,
    ConsentRecord,
    Distribution,
    Merge,
    ServiceDelivery,
    Visit,
)
from baom.privacy.common import CONSENT_FIELDS, RETENTION_ACTOR, person_ids
from core import audit
from core.models import AuditEvent

# --- Change history (edits and rectifications) -------------------------------------------


def value_text(value) -> str:
    """A field's value as kept in the change history."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "_meta"):
        return str(getattr(value, "code", "") or value.pk)
    return str(value)


def snapshot(beneficiary: Beneficiary, fields: Iterable[str]) -> dict[str, str]:
    return {name: value_text(getattr(beneficiary, name)) for name in fields}


def changes_record(
    *, beneficiary: Beneficiary, before: dict[str, str], actor, kind: str, reason: str = ""
) -> list[BeneficiaryChange]:
    rows = []
    for name, old in before.items():
        new = value_text(getattr(beneficiary, name))
        if new != old:
            rows.append(
                BeneficiaryChange(
                    beneficiary=beneficiary,
                    field=name,
                    old_value=old,
                    new_value=new,
                    kind=kind,
                    reason=reason[:200],
                    changed_by=actor,
                )
            )
    return BeneficiaryChange.objects.bulk_create(rows)


def beneficiary_rectify(
    *, beneficiary: Beneficiary, actor, data: dict, version: int, reason: str
) -> Beneficiary:
    """Correct the record at the person's request (supervisors): an edit whose changes are
    kept in the history as a rectification, with the reason."""
    from baom.choices import ChangeKind
    from baom.services import beneficiary_update

    if not permissions.can_exercise_rights(actor, beneficiary):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the person asked to correct.")})
    return beneficiary_update(
        beneficiary=beneficiary,
        actor=actor,
        data=data,
        version=version,
        kind=ChangeKind.RECTIFICATION,
        reason=reason.strip(),
    )


# --- Right of access --------------------------------------------------------------------------


def _rows(queryset, fields) -> list[dict]:
    return [dict(row) for row in queryset.values(*fields)]


def person_data(beneficiary: Beneficiary) -> dict:
    """Everything held about the person (the record and the duplicates merged into it), table
    by table, as plain data; and who accessed it (the audit trail of those records)."""
    ids = person_ids(beneficiary)
    records = Beneficiary.objects.filter(pk__in=ids)
    people = []
    for person in records.select_related("bureau", "commune", "registered_by"):
        people.append(
            {
                "uuid": person.uuid,
                "code": person.code,
                "bureau": person.bureau.name,
                "registered_on": person.registered_on,
                "registered_by": str(person.registered_by),
                "first_name": person.first_name,
                "last_name": person.last_name,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "birth_date_is_estimated": person.birth_date_is_estimated,
                "nationality": str(person.nationality or ""),
                "category": person.category,
                "languages": person.languages,
                "phone": person.phone,
                "commune": person.commune.name_fr if person.commune else "",
                "household_size": person.household_size,
                "children_count": person.children_count,
                "vulnerabilities": person.vulnerabilities,
                "gbv_survivor": person.gbv_survivor,
                "confidential_notes": person.confidential_notes,
                "consent_processing": person.consent_processing,
                "consent_sharing": person.consent_sharing,
                "consent_contact": person.consent_contact,
                "consent_date": person.consent_date,
                "consent_method": person.consent_method,
                "status": person.status,
                "closed_reason": person.closed_reason,
                "closed_on": person.closed_on,
                "merged_into": person.merged_into.code if person.merged_into_id else "",
                "anonymised_at": person.anonymised_at,
                "anonymised_reason": person.anonymised_reason,
                "created_at": person.created_at,
                "updated_at": person.updated_at,
            }
        )
    visits = []
    for visit in (
        Visit.objects.filter(beneficiary_id__in=ids)
        .select_related("bureau", "agent")
        .prefetch_related("needs")
        .order_by("date", "id")
    ):
        visits.append(
            {
                "uuid": visit.uuid,
                "date": visit.date,
                "bureau": visit.bureau.name,
                "agent": str(visit.agent),
                "channel": visit.channel,
                "needs": [need.code for need in visit.needs.all()],
                "notes": visit.notes,
                "next_follow_up": visit.next_follow_up,
            }
        )
    uuids = [str(u) for u in records.values_list("uuid", flat=True)]
    access_log = _rows(
        AuditEvent.objects.filter(object_type="baom.beneficiary", object_id__in=uuids).order_by(
            "created_at", "pk"
        ),
        ["created_at", "username", "action", "organisation__name", "object_id"],
    )
    return {
        "generated_at": timezone.now(),
        "law": "09-08",
        "beneficiary": people,
        "visits": visits,
        "services": _rows(
            ServiceDelivery.objects.filter(beneficiary_id__in=ids).order_by("date", "id"),
            ["date", "service_type__code", "bureau__name", "visit__uuid"],
        ),
        "workshops": _rows(
            Attendance.objects.filter(beneficiary_id__in=ids).order_by("activity__start_date"),
            [
                "activity__uuid",
                "activity__title",
                "activity__activity_type",
                "activity__organiser__name",
                "activity__start_date",
                "activity__end_date",
                "recorded_at",
            ],
        ),
        "kits": _rows(
            Distribution.objects.filter(beneficiary_id__in=ids).order_by("date", "id"),
            ["date", "kit_type", "quantity", "for_household", "bureau__name"],
        ),
        **{
            name: rows
            for section in events.ACCESS_EXPORT_SECTIONS
            for name, rows in section(ids).items()
        },
        "consents": _rows(
            ConsentRecord.objects.filter(beneficiary_id__in=ids).order_by("recorded_at", "id"),
            [
                "beneficiary__code",
                "purpose",
                "given",
                "date",
                "method",
                "recorded_by__email",
                "recorded_at",
            ],
        ),
        "changes": _rows(
            BeneficiaryChange.objects.filter(beneficiary_id__in=ids).order_by("changed_at", "id"),
            [
                "field",
                "old_value",
                "new_value",
                "kind",
                "reason",
                "changed_by__email",
                "changed_at",
            ],
        ),
        "merges": _rows(
            Merge.objects.filter(kept_id__in=ids).order_by("merged_at"),
            ["duplicate__code", "merged_by__email", "merged_at", "undone_at"],
        ),
        "access_log": access_log,
    }


@transaction.atomic
def access_request_export(*, beneficiary: Beneficiary, actor) -> bytes:
    """The person's data as a JSON file (UTF-8), recorded in the audit trail as an export of
    their record."""
    if not permissions.can_exercise_rights(actor, beneficiary):
        raise PermissionDenied
    audit.record(
        actor=actor, action=audit.Action.EXPORT, obj=beneficiary, organisation=beneficiary.bureau
    )
    payload = person_data(beneficiary)
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


# --- Anonymisation (erasure, objection, retention) ---------------------------------------

_ANONYMISE = """
UPDATE baom_beneficiary SET
    first_name = '', last_name = '', search_name = '', phone = '', confidential_notes = '',
    code = 'ANON-' || id::text,
    birth_date = CASE
        WHEN birth_date IS NULL THEN NULL
        WHEN make_date(extract(year FROM birth_date)::int, 7, 1) <= %(today)s
            THEN make_date(extract(year FROM birth_date)::int, 7, 1)
        ELSE make_date(extract(year FROM birth_date)::int, 1, 1)
    END,
    birth_date_is_estimated = birth_date IS NOT NULL,
    consent_processing = false, consent_sharing = false, consent_contact = false,
    anonymised_at = %(now)s, anonymised_reason = %(reason)s,
    version = version + 1, updated_at = %(now)s
WHERE id = ANY(%(ids)s) AND anonymised_at IS NULL
RETURNING id, uuid, bureau_id
"""


def _anonymise(*, ids: list[int], reason: str, actor=None) -> int:
    """Replace the identifying fields of these records with neutral values, in the caller's
    transaction: names, phone, notes and free text gone, date of birth reduced to its year
    (1 July, as an estimated age is stored), the code replaced (paper files carry it). Sex,
    age, category, nationality, commune, household, vulnerabilities, bureau and every date
    stay, so counts are unchanged. Also wipes visit notes, the values of the change history,
    and the person's referrals' free text (open referrals are cancelled). Returns how many
    records were anonymised (already anonymised ones are skipped)."""
    if not ids:
        return 0
    now, today = timezone.now(), timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_ANONYMISE, {"ids": ids, "reason": reason, "now": now, "today": today})
        done = cursor.fetchall()
    if not done:
        return 0
    done_ids = [row[0] for row in done]
    Visit.objects.filter(beneficiary_id__in=done_ids).exclude(notes="").update(notes="")
    BeneficiaryChange.objects.filter(beneficiary_id__in=done_ids).update(
        old_value="", new_value="", reason=""
    )
    events.sharing_ended(
        beneficiary_ids=done_ids,
        actor=actor,
        action="anonymised",
        wipe=True,
        notify=actor is not None,
    )
    from baom.documents import documents_erase
    from baom.households import household_forget

    documents_erase(beneficiary_ids=done_ids)  # rows now, files after the commit
    household_forget(beneficiary_ids=done_ids)
    if actor is not None:
        for _pk, uuid, _bureau_id in done:
            audit.record(
                actor=actor,
                action=audit.Action.UPDATE,
                object_type="baom.beneficiary",
                object_id=str(uuid),
            )
    else:
        AuditEvent.objects.bulk_create(
            AuditEvent(
                username=RETENTION_ACTOR,
                action=AuditEvent.Action.UPDATE,
                object_type="baom.beneficiary",
                object_id=str(uuid),
                organisation_id=bureau_id,
            )
            for _pk, uuid, bureau_id in done
        )
    return len(done)


@transaction.atomic
def beneficiary_anonymise(
    *, beneficiary: Beneficiary, actor, reason: str, method: str, confirm_code: str
) -> Beneficiary:
    """Erasure or objection (supervisors): irreversible, confirmed by typing the record's code.
    An objection withdraws every consent in the history first."""
    if not permissions.can_exercise_rights(actor, beneficiary):
        raise PermissionDenied
    person = Beneficiary.objects.select_for_update(of=("self",)).get(pk=beneficiary.pk)
    errors = {}
    if person.anonymised_at is not None:
        raise ValidationError(_("This record has already been anonymised."))
    if reason not in {AnonymisedReason.ERASURE, AnonymisedReason.OBJECTION}:
        errors["reason"] = _("Choose the person's request.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose how the person made the request.")
    if (confirm_code or "").strip().upper() != person.code:
        errors["confirm_code"] = _("Type the record's code (%(code)s) to confirm.") % {
            "code": person.code
        }
    if errors:
        raise ValidationError(errors)
    ids = person_ids(person)
    today = timezone.localdate()
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            beneficiary_id=pk,
            purpose=purpose,
            given=False,
            date=today,
            method=method,
            recorded_by=actor,
        )
        for pk in ids
        for purpose in CONSENT_FIELDS
    )
    _anonymise(ids=ids, reason=reason, actor=actor)
    person.refresh_from_db()
    return person
