"""Grants, their events, tranches, indicators, milestones and reports."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from projects.models._base import (
    MONEY,
    ZERO,
    BeneficiaryCategory,
    TransitionEvent,
    _money,
)
from projects.models.proposals import Proposal
from projects.scopes import IndicatorAchievementQuerySet, ThroughGrantQuerySet


# --- Grants -----------------------------------------------------------------------------
class GrantQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.permissions import manages_programme, writes_proposals

        if manages_programme(user):
            return self
        if writes_proposals(user) and user.organisation_id:
            return self.filter(proposal__organisation_id=user.organisation_id)
        return self.none()


class Grant(TimeStampedModel):
    """The grant agreement (convention) of a selected proposal."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.OneToOneField(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="grant"
    )
    reference = models.CharField(_("agreement reference"), max_length=32, unique=True)
    agreement_date = models.DateField(_("agreement date"))
    amount = models.DecimalField(
        _("grant amount (MAD)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    cofinancing_amount = _money(_("co-financing (MAD)"), default=ZERO)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ONGOING
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-agreement_date", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")),
                name="grant_start_before_end",
                violation_error_message=_("The grant must start before it ends."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.proposal.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:grant_detail", args=[self.uuid])


class GrantEvent(TransitionEvent):
    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="events"
    )

    objects = ThroughGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant event")
        verbose_name_plural = _("grant events")
        ordering = ["grant", "created_at", "pk"]

    @property
    def to_status_label(self) -> str:
        return Grant.Status(self.to_status).label


class Tranche(TimeStampedModel):
    """A disbursement tranche: planned, then paid."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="tranches"
    )
    number = models.PositiveSmallIntegerField(_("tranche"))
    planned_date = models.DateField(_("planned date"))
    planned_amount = models.DecimalField(
        _("planned amount (MAD)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    condition = models.CharField(_("condition"), max_length=300, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("paid amount (MAD)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    objects = ThroughGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement tranche")
        verbose_name_plural = _("disbursement tranches")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="tranche_number_unique"),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True, paid_amount__isnull=True)
                | Q(paid_on__isnull=False, paid_amount__gt=0),
                name="tranche_paid_date_and_amount_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant.reference} #{self.number}"

    @property
    def is_late(self) -> bool:
        return self.paid_on is None and self.planned_date < timezone.localdate()


class Indicator(TimeStampedModel):
    """A grant's indicator with its targets for women and men (and a category if relevant)."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    category = models.CharField(
        _("beneficiary category"),
        max_length=16,
        choices=BeneficiaryCategory.choices,
        blank=True,
        help_text=_("Leave empty when the indicator counts every category."),
    )
    target_women = models.PositiveIntegerField(_("target: women"), default=0)
    target_men = models.PositiveIntegerField(_("target: men"), default=0)

    objects = ThroughGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["grant", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "name", "category"], name="indicator_unique_per_grant"
            )
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorAchievement(TimeStampedModel):
    """What one report counted for one indicator over a period, women and men apart."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="achievements",
    )
    period_end = models.DateField(_("period ending on"))
    women = models.PositiveIntegerField(_("women"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = IndicatorAchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator achievement")
        verbose_name_plural = _("indicator achievements")
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"], name="achievement_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.period_end})"


class Milestone(TimeStampedModel):
    """An activity or milestone of a grant, planned then done."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("activity or milestone"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ThroughGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity or milestone")
        verbose_name_plural = _("activities and milestones")
        ordering = ["grant", "planned_date", "pk"]

    def __str__(self) -> str:
        return self.title


class Report(TimeStampedModel):
    """A narrative or financial report the holder owes, submits, and a manager approves."""

    class Kind(models.TextChoices):
        NARRATIVE = "narrative", _("Narrative report")
        FINANCIAL = "financial", _("Financial report")

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        SUBMITTED = "submitted", pgettext_lazy("status of a grant report", "Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period_end = models.DateField(_("period ending on"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.EXPECTED
    )
    content = models.TextField(_("report"), blank=True)
    amount_spent = _money(_("amount spent over the period (MAD)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(_("manager's note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = ThroughGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant report")
        verbose_name_plural = _("grant reports")
        ordering = ["grant", "due_date", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.period_end})"

    @property
    def is_late(self) -> bool:
        return (
            self.status in {self.Status.EXPECTED, self.Status.RETURNED}
            and self.due_date < timezone.localdate()
        )


class GrantReferenceCounter(models.Model):
    """The last agreement number given per year (PRIM-2026-0001, -0002...): taken by one atomic
    upsert (``projects.services.grants.next_grant_reference``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("grant reference counter")
        verbose_name_plural = _("grant reference counters")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
