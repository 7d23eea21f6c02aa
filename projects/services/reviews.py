"""Reviews (conflict declaration, scores) and the committee's decision."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.models import (
    ZERO,
    Call,
    Decision,
    Proposal,
    Review,
    Score,
)
from projects.services._common import _money, _require_manager, _sum, fmt
from projects.services.proposals import proposal_transition
from projects.workflow import (
    DECISION_ACTIONS,
)


# --- Reviews ----------------------------------------------------------------------------
@transaction.atomic
def review_assign(*, proposal: Proposal, reviewer, actor) -> Review:
    _require_manager(actor)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.ELIGIBLE:
        raise ValidationError(_("Only eligible proposals are sent to reviewers."))
    if not permissions.is_reviewer(reviewer):
        raise ValidationError({"reviewer": _("This person is not a reviewer.")})
    if reviewer.organisation_id == proposal.organisation_id:
        raise ValidationError({"reviewer": _("A reviewer cannot score their own organisation.")})
    if Review.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": _("This reviewer is already assigned.")})
    return Review.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=actor)


@transaction.atomic
def review_declare_interest(*, review: Review, actor, conflict: bool, note: str = "") -> Review:
    """The reviewer declares, before scoring, whether they have a conflict of interest."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.reviewer_id != actor.pk or not permissions.is_reviewer(actor):
        raise PermissionDenied
    if review.status != Review.Status.ASSIGNED or review.no_conflict_declared_at:
        raise ValidationError(_("You already made your declaration for this proposal."))
    if conflict:
        if not note.strip():
            raise ValidationError({"conflict_note": _("Describe the conflict of interest.")})
        review.status = Review.Status.CONFLICT
        review.conflict_note = note
    else:
        review.no_conflict_declared_at = timezone.now()
    review.save(update_fields=["status", "conflict_note", "no_conflict_declared_at", "updated_at"])
    return review


@transaction.atomic
def review_submit(*, review: Review, actor, scores: dict[int, dict], comment: str = "") -> Review:
    """Score every criterion of the call's grid: ``{criterion_id: {"value", "comment"}}``."""
    review = Review.objects.select_for_update().select_related("proposal__call").get(pk=review.pk)
    if review.reviewer_id != actor.pk or not permissions.is_reviewer(actor):
        raise PermissionDenied
    if review.status == Review.Status.CONFLICT:
        raise ValidationError(
            _("You declared a conflict of interest on this proposal: you cannot score it.")
        )
    if review.status == Review.Status.SUBMITTED:
        raise ValidationError(_("You already scored this proposal."))
    if review.no_conflict_declared_at is None:
        raise ValidationError(_("Declare first whether you have a conflict of interest."))
    call = review.proposal.call
    if review.proposal.status != Proposal.Status.ELIGIBLE:
        raise ValidationError(_("This proposal is no longer open to scoring."))
    criteria = list(call.criteria.all())
    for criterion in criteria:
        entry = scores.get(criterion.pk)
        value = None if entry is None else entry.get("value")
        if value is None:
            raise ValidationError(
                _("%(criterion)s: give a score.") % {"criterion": criterion.label}
            )
        if not 0 <= int(value) <= call.scale_max:
            raise ValidationError(
                _("%(criterion)s: %(value)s is outside the scale (0 to %(max)s).")
                % {"criterion": criterion.label, "value": value, "max": call.scale_max}
            )
    for criterion in criteria:
        entry = scores[criterion.pk]
        Score.objects.create(
            review=review,
            criterion=criterion,
            value=int(entry["value"]),
            comment=entry.get("comment", ""),
        )
    review.status = Review.Status.SUBMITTED
    review.comment = comment
    review.submitted_at = timezone.now()
    review.save(update_fields=["status", "comment", "submitted_at", "updated_at"])
    return review


# --- Committee decision -----------------------------------------------------------------
def call_committed(call: Call) -> Decimal:
    """What the committee already granted on this call (computed by the database)."""
    return _sum(
        Decision.objects.filter(proposal__call=call, outcome=Decision.Outcome.SELECTED), "amount"
    )


@transaction.atomic
def decision_record(
    *,
    proposal: Proposal,
    actor,
    outcome: str,
    reasons: str,
    committee_date: datetime.date,
    amount: Decimal | None = None,
) -> Decision:
    """Record the committee's decision, once per proposal, within the call's envelope.

    The call's row is locked first, so two decisions on the same call are taken one after the
    other and the envelope check sees the other's amount.
    """
    _require_manager(actor)
    call = Call.objects.select_for_update().get(pk=proposal.call_id)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if Decision.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("The committee's decision on this proposal is already recorded."))
    if outcome not in DECISION_ACTIONS:
        raise ValidationError({"outcome": _("Choose a decision.")})
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons of the decision.")})
    if not proposal.reviews.filter(status=Review.Status.SUBMITTED).exists():
        raise ValidationError(_("No reviewer has scored this proposal yet."))
    if outcome == Decision.Outcome.SELECTED:
        amount = _money(proposal.requested_amount if amount is None else amount)
        if amount <= 0:
            raise ValidationError({"amount": _("The amount granted must be above zero.")})
        if amount > proposal.requested_amount:
            raise ValidationError(
                {"amount": _("The amount granted is above the amount requested.")}
            )
        committed = call_committed(call)
        if committed + amount > call.envelope:
            raise ValidationError(
                {
                    "amount": _(
                        "This grant of %(amount)s MAD would exceed the call's envelope: "
                        "%(committed)s MAD of %(envelope)s MAD are already committed, "
                        "%(left)s MAD are left."
                    )
                    % {
                        "amount": fmt(amount),
                        "committed": fmt(committed),
                        "envelope": fmt(call.envelope),
                        "left": fmt(call.envelope - committed),
                    }
                }
            )
    else:
        amount = ZERO
    proposal_transition(
        proposal=proposal, action=DECISION_ACTIONS[outcome], actor=actor, note=reasons
    )
    decision = Decision(
        proposal=proposal,
        outcome=outcome,
        amount=amount,
        reasons=reasons,
        committee_date=committee_date,
        decided_by=actor,
    )
    decision.full_clean()
    decision.save()
    return decision
