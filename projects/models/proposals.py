"""Proposals with their attachments, budget lines, targets and events."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Territory
from core.models import TimeStampedModel
from projects.models._base import (
    MONEY,
    ZERO,
    BeneficiaryCategory,
    GenderMarker,
    TransitionEvent,
    _money,
)
from projects.models.calls import Call
from projects.scopes import ThroughProposalQuerySet


# --- Proposals --------------------------------------------------------------------------
class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers: every proposal. Association staff: their organisation's. Reviewers: the
        proposals assigned to them. Anyone else: none."""
        from projects.permissions import is_reviewer, manages_programme, writes_proposals

        if manages_programme(user):
            return self
        if writes_proposals(user) and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        if is_reviewer(user):
            from projects.models.reviews import Review

            return self.filter(pk__in=Review.objects.filter(reviewer=user).values("proposal_id"))
        return self.none()


class Proposal(TimeStampedModel):
    """A project proposal written by an association in answer to a call."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible, under review")
        INELIGIBLE = "ineligible", _("Not eligible")
        SELECTED = "selected", _("Selected")
        WAITING_LIST = "waiting_list", _("Waiting list")
        REJECTED = "rejected", _("Rejected")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("applicant organisation"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    territories = models.ManyToManyField(
        Territory, verbose_name=_("territories"), blank=True, related_name="proposals"
    )
    requested_amount = _money(_("amount requested (MAD)"), default=ZERO)
    cofinancing_amount = _money(_("co-financing (MAD)"), default=ZERO)
    gender_marker = models.PositiveSmallIntegerField(
        _("gender marker"), choices=GenderMarker.choices, null=True, blank=True
    )
    gender_justification = models.TextField(_("gender marker justification"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    screening_reasons = models.TextField(_("screening reasons"), blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        permissions = [("apply_to_calls", _("Can write proposals for their organisation"))]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:proposal_detail", args=[self.uuid])


def attachment_path(instance, filename: str) -> str:
    """Stored under MEDIA_ROOT with a random name; the original name is kept on the row."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"projects/proposals/{instance.proposal.uuid}/{uuid.uuid4().hex}.{extension}"


class Attachment(TimeStampedModel):
    """A document attached to a proposal (statutes, reports...). Served only through a view
    that checks who may see the proposal, always as a download."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    document = models.CharField(
        _("required document"),
        max_length=200,
        blank=True,
        help_text=_("Which of the call's required documents this file is (empty: another one)."),
    )
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ThroughProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["proposal", "created_at"]

    def __str__(self) -> str:
        return self.original_name


class BudgetLine(TimeStampedModel):
    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        ACTIVITIES = "activities", _("Activities")
        EQUIPMENT = "equipment", _("Equipment")
        TRAVEL = "travel", _("Travel")
        TRAINING = "training", _("Training")
        COMMUNICATION = "communication", _("Communication")
        ADMINISTRATION = "administration", _("Administration")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(
        _("amount (MAD)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )

    objects = ThroughProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["proposal", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_pos")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description}"


class TargetGroup(TimeStampedModel):
    """How many women and men of one category a proposal (or a grant) plans to reach."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="targets"
    )
    category = models.CharField(_("category"), max_length=16, choices=BeneficiaryCategory.choices)
    women = models.PositiveIntegerField(_("women"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)

    objects = ThroughProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("target beneficiaries")
        verbose_name_plural = _("target beneficiaries")
        ordering = ["proposal", "category"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "category"], name="target_category_unique")
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class ProposalEvent(TransitionEvent):
    """One row per transition: who did what, when, and why."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="events"
    )

    objects = ThroughProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["proposal", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status} → {self.to_status})"

    @property
    def to_status_label(self) -> str:
        return Proposal.Status(self.to_status).label
