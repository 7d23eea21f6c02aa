"""Reads of case work, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from baom.casework.models import CaseNote, FollowUp, FollowUpStatus, PersonSeen
from baom.models import Beneficiary

OPEN_CASE = ~Q(status="closed") & Q(merged_into__isnull=True, anonymised_at__isnull=True)


def cases_filter(value: str, user) -> Q:
    """The beneficiary list's "cases" filter: mine, unassigned (open), or one agent's."""
    if value == "mine":
        return Q(assigned_to_id=user.pk)
    if value == "unassigned":
        return Q(assigned_to__isnull=True) & ~Q(status="closed")
    if value.isdigit():
        return Q(assigned_to_id=int(value))
    return Q()


def beneficiary_notes(beneficiary: Beneficiary, *, user) -> QuerySet:
    """A person's notes the user may read (flagged notes need baom.view_sensitive)."""
    return (
        CaseNote.objects.visible_to(user)
        .filter(beneficiary=beneficiary)
        .select_related("author")
        .order_by("-date", "-id")
    )


def beneficiary_follow_ups(beneficiary: Beneficiary, *, user) -> QuerySet:
    return (
        FollowUp.objects.visible_to(user)
        .filter(beneficiary=beneficiary)
        .select_related("assigned_to")
        .order_by("-due_on", "-id")
    )


def follow_up_get_for(user, uuid) -> FollowUp:
    follow_up = (
        FollowUp.objects.visible_to(user)
        .select_related("beneficiary", "assigned_to")
        .filter(uuid=uuid)
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


def my_follow_ups_due(*, user, today, limit: int = 10) -> list[FollowUp]:
    """The user's due follow-ups up to today (overdue first), with the person's code."""
    return list(
        FollowUp.objects
        .filter(assigned_to_id=user.pk, status=FollowUpStatus.DUE, due_on__lte=today)
        .select_related("beneficiary")
        .only("uuid", "due_on", "purpose", "status", "beneficiary__uuid", "beneficiary__code",
              "beneficiary__first_name", "beneficiary__last_name")
        .order_by("due_on", "id")[:limit]
    )  # fmt: skip


def my_follow_up_counts(*, user, today) -> dict[str, int]:
    return FollowUp.objects.filter(
        assigned_to_id=user.pk, status=FollowUpStatus.DUE, due_on__lte=today
    ).aggregate(
        today=Count("pk", filter=Q(due_on=today)),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )


def recently_seen(*, user, limit: int = 8) -> list[PersonSeen]:
    return list(
        PersonSeen.objects.visible_to(user)
        .filter(beneficiary__bureau_id=user.organisation_id)
        .select_related("beneficiary")
        .only("seen_at", "beneficiary__uuid", "beneficiary__code", "beneficiary__first_name",
              "beneficiary__last_name")
        .order_by("-seen_at")[:limit]
    )  # fmt: skip


def caseload(*, bureau_id: int, today) -> list[dict]:
    """Per agent of the bureau (and "unassigned"): open cases and overdue follow-ups, in two
    queries served by the partial indexes beneficiary_open_caseload and followup_due_by_bureau."""
    open_cases = dict(
        Beneficiary.objects.filter(OPEN_CASE, bureau_id=bureau_id)
        .values("assigned_to_id")
        .annotate(n=Count("*"))
        .values_list("assigned_to_id", "n")
        .order_by()
    )
    overdue = dict(
        FollowUp.objects.filter(bureau_id=bureau_id, status=FollowUpStatus.DUE, due_on__lt=today)
        .values("assigned_to_id")
        .annotate(n=Count("*"))
        .values_list("assigned_to_id", "n")
        .order_by()
    )
    return [
        {"agent_id": agent, "open": open_cases.get(agent, 0), "overdue": overdue.get(agent, 0)}
        for agent in sorted(set(open_cases) | set(overdue), key=lambda a: (a is None, a or 0))
    ]
