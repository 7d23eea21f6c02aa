"""Reviews (conflict declaration, scores) and the committee's decision.

Lock order (``projects.locks``): call, then proposal, then review.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from projects import locks, permissions
from projects.models import ZERO, Call, Decision, Proposal, Review, Score
from projects.services._common import (
    Refused,
    _money,
    _require_manager,
    _sum,
    apply_transition,
    audit_write,
    fmt,
    service,
)
from projects.services.proposals import proposal_transition
from projects.workflow import DECISION_ACTIONS, REVIEW_TRANSITIONS


# --- Reviews ----------------------------------------------------------------------------
@service(target="proposal")
def review_assign(*, proposal: Proposal, reviewer, actor) -> Review:
    _require_manager(actor)
    proposal = locks.lock_proposal(proposal.pk)
    if proposal.status != Proposal.Status.ELIGIBLE:
        raise Refused(_("Only eligible proposals are sent to reviewers."))
    if not permissions.is_reviewer(reviewer):
        raise ValidationError({"reviewer": _("This person is not a reviewer.")})
    if reviewer.organisation_id == proposal.organisation_id:
        raise ValidationError({"reviewer": _("A reviewer cannot score their own organisation.")})
    if Review.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": _("This reviewer is already assigned.")})
    review = Review.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=actor)
    audit_write(actor=actor, obj=review, action=audit.Action.CREATE)
    return review


@service(target="review")
def review_declare_interest(*, review: Review, actor, conflict: bool, note: str = "") -> Review:
    """The reviewer declares, before scoring, whether they have a conflict of interest. A
    conflict is a transition (assigned -> conflict); "no conflict" only stamps the review."""
    review = locks.lock_review(review.pk)
    if review.reviewer_id != actor.pk or not permissions.is_reviewer(actor):
        raise PermissionDenied
    if review.status != Review.Status.ASSIGNED or review.no_conflict_declared_at:
        raise Refused(_("You already made your declaration for this proposal."))
    if conflict:
        if not note.strip():
            raise ValidationError({"conflict_note": _("Describe the conflict of interest.")})
        apply_transition(
            REVIEW_TRANSITIONS,
            review,
            "declare_conflict",
            actor=actor,
            reviewer_id=review.reviewer_id,
            refusal=_("This review is %(status)s: that step is not possible now."),
        )
        review.conflict_note = note
    else:
        review.no_conflict_declared_at = timezone.now()
    review.save(update_fields=["status", "conflict_note", "no_conflict_declared_at", "updated_at"])
    audit_write(actor=actor, obj=review)
    return review


@service(target="review")
def review_submit(*, review: Review, actor, scores: dict[int, dict], comment: str = "") -> Review:
    """Score every criterion of the call's grid: ``{criterion_id: {"value", "comment"}}``."""
    review = locks.lock_review(review.pk)
    if review.reviewer_id != actor.pk or not permissions.is_reviewer(actor):
        raise PermissionDenied
    if review.status == Review.Status.CONFLICT:
        raise Refused(
            _("You declared a conflict of interest on this proposal: you cannot score it.")
        )
    if review.status == Review.Status.SUBMITTED:
        raise Refused(_("You already scored this proposal."))
    if review.no_conflict_declared_at is None:
        raise Refused(_("Declare first whether you have a conflict of interest."))
    call = review.proposal.call
    if review.proposal.status != Proposal.Status.ELIGIBLE:
        raise Refused(_("This proposal is no longer open to scoring."))
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
    apply_transition(
        REVIEW_TRANSITIONS,
        review,
        "score",
        actor=actor,
        reviewer_id=review.reviewer_id,
        refusal=_("This review is %(status)s: that step is not possible now."),
    )
    for criterion in criteria:
        entry = scores[criterion.pk]
        Score.objects.create(
            review=review,
            criterion=criterion,
            value=int(entry["value"]),
            comment=entry.get("comment", ""),
        )
    review.comment = comment
    review.submitted_at = timezone.now()
    review.save(update_fields=["status", "comment", "submitted_at", "updated_at"])
    audit_write(actor=actor, obj=review)
    return review


# --- Committee decision -----------------------------------------------------------------
def call_committed(call: Call) -> Decimal:
    """What the committee already granted on this call (computed by the database)."""
    return _sum(
        Decision.objects.filter(proposal__call=call, outcome=Decision.Outcome.SELECTED), "amount"
    )


def decision_blockers(proposal: Proposal, call: Call, *, at=None) -> list[str]:
    """Why the committee cannot decide on this proposal yet without an override: the call is
    still open, or fewer reviews are in than the call needs."""
    at = at or timezone.now()
    blockers = []
    if at < call.closes_at:
        blockers.append(
            _("The call closes on %(date)s: the committee decides after it closes.")
            % {"date": timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M")}
        )
    scored = proposal.reviews.filter(status=Review.Status.SUBMITTED).count()
    if scored < call.reviews_required:
        blockers.append(
            _("%(scored)s of the %(needed)s reviews the call needs are in.")
            % {"scored": scored, "needed": call.reviews_required}
        )
    return blockers


def _after_envelope_check() -> None:
    """Nothing; a seam where the race test holds one decision between its envelope check and
    its insert, to prove the call's lock makes the other decision wait."""


@service(target="proposal")
def decision_record(
    *,
    proposal: Proposal,
    actor,
    outcome: str,
    reasons: str,
    committee_date: datetime.date,
    amount: Decimal | None = None,
    override_reason: str = "",
) -> Decision:
    """Record the committee's decision, once per proposal, within the call's envelope.

    The committee decides after the call closes and once the reviews the call needs are in; a
    programme manager may decide earlier with ``override_reason`` (kept on the decision and
    audited). The call's row is locked first (then the proposal's), so two decisions on the
    same call are taken one after the other and the envelope check sees the other's amount.
    """
    _require_manager(actor)
    call = locks.lock_call(proposal.call_id)
    proposal = locks.lock_proposal(proposal.pk)
    if Decision.objects.filter(proposal=proposal).exists():
        raise Refused(_("The committee's decision on this proposal is already recorded."))
    if outcome not in DECISION_ACTIONS:
        raise ValidationError({"outcome": _("Choose a decision.")})
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons of the decision.")})
    if not proposal.reviews.filter(status=Review.Status.SUBMITTED).exists():
        raise Refused(_("No reviewer has scored this proposal yet."))
    override_reason = override_reason.strip()
    blockers = decision_blockers(proposal, call)
    if blockers and not override_reason:
        raise Refused(blockers)
    if override_reason and not permissions.can_override_committee_rules(actor):
        raise PermissionDenied
    if not blockers:
        override_reason = ""  # nothing was overridden
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
            raise Refused(
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
        _after_envelope_check()
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
        override_reason=override_reason,
        decided_by=actor,
    )
    decision.full_clean()
    decision.save()
    audit_write(actor=actor, obj=decision, action=audit.Action.CREATE)
    if override_reason:
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type="projects.decision_override",
            object_id=str(decision.pk),
        )
    return decision
