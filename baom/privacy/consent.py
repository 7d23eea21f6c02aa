"""Consent per purpose (processing, sharing, contact): history, changes and their effects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baom import events, permissions
from baom.choices import ConsentMethod, ConsentPurpose
from baom.models import (
    Beneficiary,
    ConsentRecord,
)
from baom.privacy.common import BATCH_SIZE, CONSENT_FIELDS, person_ids
from core import audit

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
