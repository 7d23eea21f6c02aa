"""Law 09-08 in the intake module: consent per purpose, the rights of the person (access,
rectification, erasure or objection) and the retention policy.

Services in the sense of STYLE.md (keyword-only, validated, one transaction, audited), kept
apart from ``services.py`` so that the register import and these rules can change side by side.
Anonymisation and retention work on sets of ids in PostgreSQL (``UPDATE ... WHERE id = ANY``),
in batches, never with a Python loop over the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baom import events, permissions
from baom.choices import AnonymisedReason, ConsentMethod, ConsentPurpose
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
from baom.validators import years_before
from core import audit
from core.models import AuditEvent

CONSENT_FIELDS = {
    ConsentPurpose.PROCESSING: "consent_processing",
    ConsentPurpose.SHARING: "consent_sharing",
    ConsentPurpose.CONTACT: "consent_contact",
}
# Written in the audit trail's username column for what the nightly job does (no user acts).
RETENTION_ACTOR = "system:retention"
BATCH_SIZE = 1000


def person_ids(beneficiary: Beneficiary) -> list[int]:
    """The record and the duplicates merged into it: one person."""
    merged = Beneficiary.objects.filter(merged_into_id=beneficiary.pk).values_list("pk", flat=True)
    return [beneficiary.pk, *merged]


# --- Consent --------------------------------------------------------------------------------


def consent_history_start(*, beneficiaries: Iterable[Beneficiary], actor) -> int:
    """The first entries of the consent history of newly registered people, from their
    booleans, consent date and method: processing and sharing always (both are asked at
    registration, given or not), being contacted only when given (otherwise it was not asked).
    ``beneficiary_register`` calls it; so must any bulk registration (the register import)."""
    rows = [
        ConsentRecord(
            beneficiary=person,
            purpose=purpose,
            given=getattr(person, field),
            date=person.consent_date,
            method=person.consent_method,
            recorded_by=actor,
        )
        for person in beneficiaries
        for purpose, field in CONSENT_FIELDS.items()
        if purpose != ConsentPurpose.CONTACT or person.consent_contact
    ]
    ConsentRecord.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


_START_FOR = """
INSERT INTO baom_consentrecord
    (uuid, beneficiary_id, purpose, given, date, method, recorded_by_id, recorded_at)
SELECT gen_random_uuid(), b.id, p.purpose,
       CASE p.purpose WHEN %(processing)s THEN b.consent_processing
                      WHEN %(sharing)s THEN b.consent_sharing
                      ELSE b.consent_contact END,
       b.consent_date, b.consent_method, %(actor)s, now()
FROM baom_beneficiary b
CROSS JOIN (VALUES (%(processing)s), (%(sharing)s), (%(contact)s)) AS p (purpose)
WHERE b.uuid = ANY(%(uuids)s) AND (p.purpose <> %(contact)s OR b.consent_contact)
"""


def consent_history_start_for(*, uuids: list, actor) -> int:
    """``consent_history_start`` for people just inserted in bulk (the register import's
    ``COPY``), named by their uuids: one INSERT ... SELECT, whatever their number."""
    with connection.cursor() as cursor:
        cursor.execute(
            _START_FOR,
            {
                "uuids": uuids,
                "actor": actor.pk,
                "processing": str(ConsentPurpose.PROCESSING),
                "sharing": str(ConsentPurpose.SHARING),
                "contact": str(ConsentPurpose.CONTACT),
            },
        )
        return cursor.rowcount


_BACKFILL = """
INSERT INTO baom_consentrecord
    (uuid, beneficiary_id, purpose, given, date, method, recorded_by_id, recorded_at)
SELECT gen_random_uuid(), b.id, %(purpose)s, b.{field}, b.consent_date, b.consent_method,
       b.registered_by_id, b.created_at
FROM baom_beneficiary b
WHERE b.anonymised_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM baom_consentrecord c WHERE c.beneficiary_id = b.id AND c.purpose = %(purpose)s
)
"""


def consent_history_backfill() -> int:
    """Safety net run nightly: a person registered by a path that wrote no history (a bulk
    insert) gets the first entries from their booleans, as the data migration 0006 did."""
    added = 0
    with connection.cursor() as cursor:
        for purpose in (ConsentPurpose.PROCESSING, ConsentPurpose.SHARING):
            cursor.execute(
                _BACKFILL.format(field=CONSENT_FIELDS[purpose]), {"purpose": str(purpose)}
            )
            added += cursor.rowcount
    return added


def current_consents(beneficiary: Beneficiary) -> list[dict]:
    """Per purpose: the current answer (the boolean) and the latest history entry, in 1 query."""
    latest: dict[str, ConsentRecord] = {}
    for record in beneficiary.consents.select_related("recorded_by").order_by(
        "purpose", "-recorded_at", "-id"
    ):
        latest.setdefault(record.purpose, record)
    return [
        {
            "purpose": purpose,
            "label": purpose.label,
            "given": getattr(beneficiary, field),
            "record": latest.get(purpose),
        }
        for purpose, field in CONSENT_FIELDS.items()
    ]


def _consent_changed(*, person: Beneficiary, purpose: str, given: bool, actor) -> None:
    """Effects of a changed answer beyond the boolean: withdrawing sharing ends partners'
    access at once and cancels the person's open referrals."""
    if purpose == ConsentPurpose.SHARING and not given:
        ids = person_ids(person)
        # Duplicates merged into the record carry referrals of their own: same answer.
        Beneficiary.objects.filter(pk__in=ids).update(consent_sharing=False)
        events.sharing_ended(beneficiary_ids=ids, actor=actor, action="consent_withdrawn")


@transaction.atomic
def consent_record(
    *, beneficiary: Beneficiary, actor, purpose: str, given: bool, date: date, method: str
) -> ConsentRecord:
    """Record a consent given or withdrawn for one purpose, and keep the boolean in step."""
    if not permissions.can_record_consent(actor, beneficiary):
        raise PermissionDenied
    person = Beneficiary.objects.select_for_update(of=("self",)).get(pk=beneficiary.pk)
    if person.anonymised_at is not None:
        raise ValidationError(_("This record has been anonymised."))
    errors = {}
    if purpose not in CONSENT_FIELDS:
        errors["purpose"] = _("Choose a purpose.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose how the person expressed it.")
    if date is None or date > timezone.localdate():
        errors["date"] = _("The date is in the future.")
    if purpose == ConsentPurpose.PROCESSING and not given:
        errors["given"] = _(
            "Withdrawing consent to processing is an objection: a supervisor anonymises the "
            "record from the person's rights page."
        )
    if errors:
        raise ValidationError(errors)
    purpose = ConsentPurpose(purpose)
    record = ConsentRecord.objects.create(
        beneficiary=person,
        purpose=purpose,
        given=given,
        date=date,
        method=method,
        recorded_by=actor,
    )
    field = CONSENT_FIELDS[purpose]
    if purpose == ConsentPurpose.PROCESSING:
        # Confirmed again: the record's consent date and method are the latest confirmation.
        person.consent_date, person.consent_method = date, method
        person.version = F("version") + 1
        person.save(update_fields=["consent_date", "consent_method", "version", "updated_at"])
    elif getattr(person, field) != given:
        setattr(person, field, given)
        person.version = F("version") + 1
        person.save(update_fields=[field, "version", "updated_at"])
        _consent_changed(person=person, purpose=purpose, given=given, actor=actor)
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=person, organisation=person.bureau)
    return record


def consent_changes_from_edit(*, before: Beneficiary, after: Beneficiary, actor) -> None:
    """An edit (or an import) that changed a consent boolean: the same history entry and
    effects as the consent page."""
    today = timezone.localdate()
    for purpose, field in CONSENT_FIELDS.items():
        given = getattr(after, field)
        if getattr(before, field) == given:
            continue
        ConsentRecord.objects.create(
            beneficiary=after,
            purpose=purpose,
            given=given,
            date=after.consent_date if purpose == ConsentPurpose.PROCESSING else today,
            method=after.consent_method,
            recorded_by=actor,
        )
        _consent_changed(person=after, purpose=purpose, given=given, actor=actor)


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


# --- Retention ------------------------------------------------------------------------------

_CLOSED = """
SELECT id FROM baom_beneficiary
WHERE status = 'closed' AND closed_on < %(cutoff)s
  AND anonymised_at IS NULL AND merged_into_id IS NULL
ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
"""
_INACTIVE = """
SELECT b.id FROM baom_beneficiary b
WHERE b.status <> 'closed' AND b.anonymised_at IS NULL AND b.merged_into_id IS NULL
  AND b.registered_on < %(cutoff)s AND b.updated_at < %(cutoff_at)s
  AND NOT EXISTS (SELECT 1 FROM baom_visit v WHERE v.beneficiary_id = b.id
                  AND v.date >= %(cutoff)s)
  AND NOT EXISTS (SELECT 1 FROM baom_distribution d WHERE d.beneficiary_id = b.id
                  AND d.date >= %(cutoff)s)
  AND NOT EXISTS (SELECT 1 FROM baom_attendance a
                  JOIN baom_groupactivity g ON g.id = a.activity_id
                  WHERE a.beneficiary_id = b.id AND g.start_date >= %(cutoff)s)
  {recent_elsewhere}
ORDER BY b.id LIMIT %(limit)s FOR UPDATE OF b SKIP LOCKED
"""


def _inactive_sql() -> str:
    """``_INACTIVE`` with the upper apps' "recent activity" conditions (``events``)."""
    recent = "".join(f"AND NOT ({condition})\n  " for condition in events.RETENTION_RECENT_ACTIVITY)
    return _INACTIVE.replace("{recent_elsewhere}", recent)


def _retention_batches(select_sql: str, params: dict, *, batch_size: int) -> int:
    """Anonymise, batch after batch (one transaction each), the records ``select_sql`` picks
    and the duplicates merged into them, until none is left."""
    total = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(select_sql, {**params, "limit": batch_size})
                ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return total
            merged = Beneficiary.objects.filter(merged_into_id__in=ids).values_list("pk", flat=True)
            total += _anonymise(ids=[*ids, *merged], reason=AnonymisedReason.RETENTION)


def retention_apply(*, today: date | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """The retention policy (settings RETENTION_*): closed cases anonymised N years after
    closing, open cases after N years without activity. Running it twice changes nothing the
    second time. Returns counts (no personal data)."""
    today = today or timezone.localdate()
    closed_cutoff = years_before(today, settings.RETENTION_CLOSED_CASE_YEARS)
    inactive_cutoff = years_before(today, settings.RETENTION_INACTIVE_CASE_YEARS)
    inactive_at = timezone.make_aware(datetime.combine(inactive_cutoff, datetime.min.time()))
    return {
        "consents_backfilled": consent_history_backfill(),
        "closed_cases": _retention_batches(
            _CLOSED, {"cutoff": closed_cutoff}, batch_size=batch_size
        ),
        "inactive_cases": _retention_batches(
            _inactive_sql(),
            {"cutoff": inactive_cutoff, "cutoff_at": inactive_at},
            batch_size=batch_size,
        ),
    }
