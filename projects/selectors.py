"""Reads that matter, scoped to the user, with every total computed by the database."""

from __future__ import annotations

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone

from accounts.models import Territory
from projects.models import (
    ZERO,
    BudgetLine,
    Call,
    Component,
    Criterion,
    Decision,
    Grant,
    Indicator,
    Proposal,
    Review,
    Score,
    Tranche,
)

MONEY_OUT = DecimalField(max_digits=14, decimal_places=2)
SCORE_OUT = DecimalField(max_digits=7, decimal_places=2)


def _subtotal(queryset, outer: str, field: str, output=MONEY_OUT):
    """A correlated ``SUM(field)`` over ``queryset`` grouped by ``outer``."""
    return Coalesce(
        Subquery(
            queryset.values(outer).annotate(total=Sum(field)).values("total")[:1],
            output_field=output,
        ),
        Value(0, output_field=output),
    )


def get_or_404(queryset, **lookup):
    """Fetch and authorise in one call: the same 404 for "does not exist" and "not yours"."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as error:
        raise Http404 from error


# --- Calls ------------------------------------------------------------------------------
def call_list(*, user):
    return (
        Call.objects.visible_to(user)
        .select_related("region", "component")
        .annotate(
            submitted=Count(
                "proposals", filter=~Q(proposals__status=Proposal.Status.DRAFT), distinct=True
            ),
            committed=_subtotal(
                Decision.objects.filter(
                    proposal__call=OuterRef("pk"), outcome=Decision.Outcome.SELECTED
                ),
                "proposal__call",
                "amount",
            ),
        )
        .order_by("-opens_at", "title", "pk")  # a GROUP BY query ignores Meta.ordering
    )


def call_funnel(*, user):
    """Per call: submitted, eligible, reviewed, selected (counted by the database)."""
    passed = [
        Proposal.Status.ELIGIBLE,
        Proposal.Status.SELECTED,
        Proposal.Status.WAITING_LIST,
        Proposal.Status.REJECTED,
    ]
    return (
        Call.objects.visible_to(user)
        .published()
        .select_related("region", "component")
        .annotate(
            submitted=Count(
                "proposals", filter=~Q(proposals__status=Proposal.Status.DRAFT), distinct=True
            ),
            eligible=Count("proposals", filter=Q(proposals__status__in=passed), distinct=True),
            reviewed=Count(
                "proposals",
                filter=Q(proposals__reviews__status=Review.Status.SUBMITTED),
                distinct=True,
            ),
            selected=Count(
                "proposals", filter=Q(proposals__status=Proposal.Status.SELECTED), distinct=True
            ),
            committed=_subtotal(
                Decision.objects.filter(
                    proposal__call=OuterRef("pk"), outcome=Decision.Outcome.SELECTED
                ),
                "proposal__call",
                "amount",
            ),
        )
        .order_by("-opens_at", "title", "pk")
    )


# --- Proposals --------------------------------------------------------------------------
def with_totals(queryset):
    """Budget total, weighted score (as a percentage of the best possible), reviews done."""
    weighted = _subtotal(
        Score.objects.filter(
            review__proposal=OuterRef("pk"), review__status=Review.Status.SUBMITTED
        ),
        "review__proposal",
        F("value") * F("criterion__weight"),
        output=SCORE_OUT,
    )
    reviews_done = Coalesce(
        Subquery(
            Review.objects.filter(proposal=OuterRef("pk"), status=Review.Status.SUBMITTED)
            .values("proposal")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    grid_weight = _subtotal(
        Criterion.objects.filter(call=OuterRef("call")), "call", "weight", output=SCORE_OUT
    )
    return queryset.annotate(
        budget_total=_subtotal(
            BudgetLine.objects.filter(proposal=OuterRef("pk")), "proposal", "amount"
        ),
        reviews_done=reviews_done,
        weighted=weighted,
        grid_weight=grid_weight,
    ).annotate(
        score=ExpressionWrapper(
            F("weighted")
            * 100
            / NullIf(F("reviews_done") * F("grid_weight") * F("call__scale_max"), 0),
            output_field=SCORE_OUT,
        )
    )


def proposal_list(*, user, call: Call | None = None):
    queryset = Proposal.objects.visible_to(user).select_related("call", "organisation", "decision")
    if call is not None:
        queryset = queryset.filter(call=call)
    return with_totals(queryset)


def proposal_ranking(*, user, call: Call):
    """The call's submitted proposals, best weighted score first."""
    return (
        proposal_list(user=user, call=call)
        .exclude(status=Proposal.Status.DRAFT)
        .order_by(F("score").desc(nulls_last=True), "submitted_at")
    )


def proposal_get_for(*, user, uuid) -> Proposal:
    return get_or_404(
        with_totals(
            Proposal.objects.visible_to(user).select_related(
                "call__region", "call__component", "organisation", "created_by"
            )
        ),
        uuid=uuid,
    )


def score_table(proposal: Proposal):
    """Per criterion: the mean score of the submitted reviews (for managers)."""
    return (
        Criterion.objects.filter(call=proposal.call_id)
        .annotate(
            total=Sum(
                "scores__value",
                filter=Q(
                    scores__review__proposal=proposal,
                    scores__review__status=Review.Status.SUBMITTED,
                ),
            ),
            count=Count(
                "scores",
                filter=Q(
                    scores__review__proposal=proposal,
                    scores__review__status=Review.Status.SUBMITTED,
                ),
            ),
        )
        .order_by("position")
    )


# --- Grants -----------------------------------------------------------------------------
def grant_list(*, user):
    return (
        Grant.objects.visible_to(user)
        .select_related("proposal__organisation", "proposal__call__region")
        .annotate(
            paid=_subtotal(Tranche.objects.filter(grant=OuterRef("pk")), "grant", "paid_amount"),
            late_tranches=Count(
                "tranches",
                filter=Q(tranches__paid_on__isnull=True, tranches__planned_date__lt=_today()),
                distinct=True,
            ),
            late_reports=Count(
                "reports",
                filter=Q(
                    reports__status__in=["expected", "returned"], reports__due_date__lt=_today()
                ),
                distinct=True,
            ),
        )
    )


def _today():
    return timezone.localdate()


def grant_get_for(*, user, uuid) -> Grant:
    return get_or_404(grant_list(user=user), uuid=uuid)


def indicator_progress(grants):
    """Targets and achievements, women and men apart, summed by the database."""
    return (
        Indicator.objects.filter(grant__in=grants)
        .select_related("grant")
        .annotate(
            achieved_women=Coalesce(Sum("achievements__women"), 0),
            achieved_men=Coalesce(Sum("achievements__men"), 0),
        )
        .order_by("grant__reference", "pk")
    )


def money_by_region_and_component(*, user):
    """Committed (committee decisions) and disbursed (paid tranches) per region and component."""
    committed = (
        Decision.objects.filter(
            outcome=Decision.Outcome.SELECTED,
            proposal__in=Proposal.objects.visible_to(user),
        )
        .values(
            "proposal__call__region__code",
            "proposal__call__region__name_fr",
            "proposal__call__component__code",
        )
        .annotate(total=Sum("amount"))
    )
    disbursed = (
        Tranche.objects.filter(grant__in=Grant.objects.visible_to(user), paid_on__isnull=False)
        .values("grant__proposal__call__region__code", "grant__proposal__call__component__code")
        .annotate(total=Sum("paid_amount"))
    )
    regions = {t.code: t for t in Territory.objects.regions()}
    components = {c.code: c for c in Component.objects.all()}
    rows: dict[tuple[str, str], dict] = {}
    for row in committed:
        key = (row["proposal__call__region__code"], row["proposal__call__component__code"])
        rows.setdefault(key, {"committed": ZERO, "disbursed": ZERO})["committed"] = row["total"]
    for row in disbursed:
        key = (
            row["grant__proposal__call__region__code"],
            row["grant__proposal__call__component__code"],
        )
        rows.setdefault(key, {"committed": ZERO, "disbursed": ZERO})["disbursed"] = row["total"]
    return [
        {"region": regions.get(r), "component": components.get(c), **values}
        for (r, c), values in sorted(rows.items())
    ]
