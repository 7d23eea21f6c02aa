"""Reviews, scores and the committee's decision."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from projects.models._base import (
    ZERO,
    _money,
)
from projects.models.calls import Criterion
from projects.models.proposals import Proposal
from projects.scopes import DecisionQuerySet, ScoreQuerySet


# --- Review and decision ----------------------------------------------------------------
class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.permissions import is_reviewer, manages_programme

        if manages_programme(user):
            return self
        if is_reviewer(user):
            return self.filter(reviewer=user)
        return self.none()


class Review(TimeStampedModel):
    """A reviewer assigned to a proposal: their conflict-of-interest declaration and scores."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To score")
        CONFLICT = "conflict", _("Conflict of interest declared")
        SUBMITTED = "submitted", _("Scored")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED
    )
    conflict_note = models.TextField(_("conflict of interest"), blank=True)
    no_conflict_declared_at = models.DateTimeField(
        _("no conflict declared at"), null=True, blank=True
    )
    comment = models.TextField(_("general comment"), blank=True)
    submitted_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["proposal", "pk"]
        permissions = [("score_proposals", _("Can score the proposals assigned to them"))]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="review_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} / {self.reviewer}"

    def get_absolute_url(self) -> str:
        return reverse("projects:review_score", args=[self.uuid])


class Score(TimeStampedModel):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Decision(TimeStampedModel):
    """The committee's decision on a proposal, recorded once."""

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Selected")
        WAITING_LIST = "waiting_list", _("Waiting list")
        REJECTED = "rejected", _("Rejected")

    proposal = models.OneToOneField(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    amount = _money(_("amount granted (MAD)"), default=ZERO)
    reasons = models.TextField(_("reasons"))
    committee_date = models.DateField(_("committee date"))
    override_reason = models.TextField(
        _("reason for deciding early"),
        blank=True,
        help_text=_(
            "Filled only when a programme manager decided before the call closed or before "
            "the reviews it needs were in."
        ),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")
        ordering = ["-committee_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="selected", amount__gt=0)
                | (~Q(outcome="selected") & Q(amount=0)),
                name="decision_amount_only_when_selected",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_outcome_display()}"
