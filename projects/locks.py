"""Row locks of the projects app, in one place, and the order they are taken in.

Lock order (a service that needs several rows takes them in this order, never the reverse, so
two services cannot deadlock):

    call -> proposal -> review -> grant -> tranche -> report

Each function locks one row with ``SELECT ... FOR UPDATE OF <its table>`` (``of=("self",)``):
a ``select_related`` join reads the related rows without locking them, so locking a proposal
never locks its call behind the caller's back (which would take the call after the proposal,
against the order above).
"""

from __future__ import annotations

from projects.models import Call, Grant, Proposal, Report, Review, Tranche


def _lock(queryset, pk):
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def lock_call(pk: int) -> Call:
    return _lock(Call.objects.all(), pk)


def lock_proposal(pk: int) -> Proposal:
    return _lock(Proposal.objects.select_related("call"), pk)


def lock_review(pk: int) -> Review:
    return _lock(Review.objects.select_related("proposal__call"), pk)


def lock_grant(pk: int) -> Grant:
    return _lock(Grant.objects.select_related("proposal"), pk)


def lock_tranche(pk: int) -> Tranche:
    return _lock(Tranche.objects.all(), pk)


def lock_report(pk: int) -> Report:
    return _lock(Report.objects.select_related("grant__proposal"), pk)
