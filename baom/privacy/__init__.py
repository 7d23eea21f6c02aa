"""Law 09-08 in the intake module: consent per purpose, the rights of the person (access,
rectification, erasure or objection) and the retention policy.

Services in the sense of STYLE.md (keyword-only, validated, one transaction, audited), kept
apart from ``services.py`` so that the register import and these rules can change side by side.
Anonymisation and retention work on sets of ids in PostgreSQL (``UPDATE ... WHERE id = ANY``),
in batches, never with a Python loop over the rows.

The package is split by sub-domain (``consent``, ``rights``, ``retention``, and ``common``);
every public name stays importable from ``baom.privacy``.
"""

from baom.privacy.common import BATCH_SIZE, CONSENT_FIELDS, RETENTION_ACTOR, person_ids
from baom.privacy.consent import (
    consent_changes_from_edit,
    consent_history_backfill,
    consent_history_start,
    consent_history_start_for,
    consent_record,
    current_consents,
)
from baom.privacy.retention import retention_apply
from baom.privacy.rights import (
    access_request_export,
    beneficiary_anonymise,
    beneficiary_rectify,
    changes_record,
    person_data,
    snapshot,
    value_text,
)

__all__ = [
    "BATCH_SIZE",
    "CONSENT_FIELDS",
    "RETENTION_ACTOR",
    "access_request_export",
    "beneficiary_anonymise",
    "beneficiary_rectify",
    "changes_record",
    "consent_changes_from_edit",
    "consent_history_backfill",
    "consent_history_start",
    "consent_history_start_for",
    "consent_record",
    "current_consents",
    "person_data",
    "person_ids",
    "retention_apply",
    "snapshot",
    "value_text",
]
