"""What the law 09-08 modules share: the consent fields, the retention actor, a person's ids."""

from __future__ import annotations

from baom.choices import ConsentPurpose
from baom.models import (
    Beneficiary,
)

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
