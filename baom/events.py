"""What baom announces to the apps above it. A lower app never imports an upper one
(import-linter contract "baom does not import referrals", docs/architecture.md): an upper app
subscribes here in its ``AppConfig.ready()``.

Each registry is a plain list (not a Django signal): subscribers run in order, inside the
caller's transaction, and an exception in one undoes the whole change.

- ``SHARING_ENDED``: ``f(*, beneficiary_ids: list[int], actor, action: str, wipe=False,
  notify=True)``. A person's sharing with partners ended: ``action`` is ``"consent_withdrawn"``
  (sharing consent withdrawn) or ``"anonymised"`` (``wipe``: erase the free text too).
- ``ACCESS_EXPORT_SECTIONS``: ``f(beneficiary_ids: list[int]) -> dict[str, list[dict]]``:
  sections added to a person's access-request file (law 09-08).
- ``TIMELINE_ENTRIES``: ``f(beneficiary) -> list[dict]`` (``kind``, ``date``, ``object``):
  entries added to a person's timeline.
- ``PAPER_REFERRALS``: ``f(*, beneficiary_ids: list[int], user=None, limit=None) -> list``:
  the person's referrals for a printed paper (objects with ``sent_at``, ``to_organisation``,
  ``service`` and ``get_status_display()``): the ones ``user`` may see, open ones first, or,
  without ``user``, every referral sent (the access-request answer).
- ``RETENTION_RECENT_ACTIVITY``: SQL conditions on ``b.id`` (the person) with the parameter
  ``%(cutoff_at)s``, true when the upper app saw activity since the cutoff: such a person is
  not anonymised as inactive.
"""

from __future__ import annotations

from collections.abc import Callable

SHARING_ENDED: list[Callable] = []
ACCESS_EXPORT_SECTIONS: list[Callable] = []
TIMELINE_ENTRIES: list[Callable] = []
PAPER_REFERRALS: list[Callable] = []
RETENTION_RECENT_ACTIVITY: list[str] = []


def subscribe(registry: list, item) -> None:
    """Add ``item`` once (``ready()`` may run more than once in tests)."""
    if item not in registry:
        registry.append(item)


def sharing_ended(**payload) -> None:
    for subscriber in SHARING_ENDED:
        subscriber(**payload)


def paper_referrals(**query) -> list:
    rows: list = []
    for subscriber in PAPER_REFERRALS:
        rows += subscriber(**query)
    return rows
