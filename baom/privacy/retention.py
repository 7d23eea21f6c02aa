"""The retention policy: closed and inactive cases anonymised in batches (nightly beat task)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from baom import events
from baom.choices import AnonymisedReason
from baom.models import (
    Beneficiary,
)
from baom.privacy.common import BATCH_SIZE
from baom.privacy.consent import consent_history_backfill
from baom.privacy.rights import _anonymise
from baom.validators import years_before

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
