"""Every lock the site takes, named in one place.

Row locks: ``select_for_update(of=("self",))``, so that a query that joins (``select_related``)
locks only the row it changes, never the bureau, the person or the organisation it reads.

Lock order (take them in this order, never the reverse, so two transactions cannot wait for each
other): organisation-wide rows (directory entry, counters) → the person (``Beneficiary``, by
ascending pk when there are several: merges) → their records (visits, referrals by ascending pk,
merges) → devices and audit lines. A service that needs a person's referral locks the person
first (``referrals.services.referral_send``), never a referral then its person.

Advisory locks (PostgreSQL ``pg_advisory_lock(class, id)``): the first key names what is locked,
the second is the row's id. Tests and operators read ``pg_locks`` with these numbers.
"""

from __future__ import annotations

# reports.services: a report being built (second key: the report's pk). Held by the worker's
# session for the whole build; a re-delivered task sees it taken and leaves.
REPORT_BUILD = 7007

# Every advisory key by name (a test checks that no two share a number).
ADVISORY_KEYS = {"REPORT_BUILD": REPORT_BUILD}
