"""PRIM funding: programme components, calls, proposals, reviews, decisions, grants, tranches,
indicators and reports; trainings; communal action plans.

Money is ``Decimal`` in MAD with two places. Totals are never stored: selectors compute them in
the database. Every write goes through ``projects.services``; statuses change only through the
transition services of ``projects.workflow``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation, Territory
from core.models import TimeStampedModel, TranslatedNameModel

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def _money(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, validators=[MinValueValidator(ZERO)], **MONEY, **kwargs
    )


class BeneficiaryCategory(models.TextChoices):
    RPT = "rpt", _("Third-country national (RPT)")
    MRE = "mre", _("Moroccan living abroad (MRE)")
    MRE_RETURNEE = "mre_returnee", _("Returned Moroccan (MRE returnee)")
    HOST = "host", _("Host population")


class GenderMarker(models.IntegerChoices):
    NOT_TARGETED = 0, _("0: gender equality not targeted")
    SIGNIFICANT = 1, _("1: gender equality a significant objective")
    PRINCIPAL = 2, _("2: gender equality the principal objective")


# --- Programme and calls ----------------------------------------------------------------
class Component(TranslatedNameModel, TimeStampedModel):
    """One of the programme's components (e.g. funding of migration & development projects)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("programme component")
        verbose_name_plural = _("programme components")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(status=Call.Status.DRAFT)

    def open(self, at=None):
        at = at or timezone.now()
        return self.filter(status=Call.Status.PUBLISHED, opens_at__lte=at, closes_at__gt=at)

    def visible_to(self, user):
        """Managers see every call, drafts included; everyone else sees published calls."""
        from projects.permissions import manages_programme

        if manages_programme(user):
            return self
        return self.published()


class Call(TimeStampedModel):
    """A call for projects (appel à projets)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    component = models.ForeignKey(
        Component, verbose_name=_("component"), on_delete=models.PROTECT, related_name="calls"
    )
    region = models.ForeignKey(
        Territory,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="calls",
        limit_choices_to={"level": Territory.Level.REGION},
    )
    themes = models.TextField(_("themes"), help_text=_("One theme per line."))
    envelope = _money(_("budget envelope (MAD)"))
    min_grant = _money(_("minimum grant (MAD)"))
    max_grant = _money(_("maximum grant (MAD)"))
    cofinancing_min_percent = models.DecimalField(
        _("minimum co-financing (percentage of the total budget)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    eligibility_criteria = models.TextField(_("eligibility criteria"))
    required_documents = models.TextField(_("required documents"), blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("scoring scale (0 to)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Reviewers score each criterion from 0 to this number."),
    )
    gender_marker_required = models.BooleanField(
        _("gender marker required"),
        default=True,
        help_text=_("Proposals must aim at gender equality (marker 1 or 2) with a justification."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-opens_at", "title"]
        permissions = [("manage_programme", _("Can manage calls, reviews, decisions and grants"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_grant__lte=models.F("max_grant")),
                name="call_min_grant_below_max",
                violation_error_message=_("The minimum grant is above the maximum grant."),
            ),
            models.CheckConstraint(
                condition=Q(max_grant__lte=models.F("envelope")),
                name="call_max_grant_within_envelope",
                violation_error_message=_("The maximum grant is above the budget envelope."),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="call_opens_before_closing",
                violation_error_message=_("The call must open before it closes."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:call_detail", args=[self.uuid])

    @property
    def theme_list(self) -> list[str]:
        return [line.strip() for line in self.themes.splitlines() if line.strip()]

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= at < self.closes_at


class Criterion(TimeStampedModel):
    """A line of a call's scoring grid."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    label = models.CharField(_("criterion"), max_length=200)
    description = models.CharField(_("what reviewers look at"), max_length=500, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["call", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "label"], name="criterion_label_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.label


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
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

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

    class Meta:
        verbose_name = _("target beneficiaries")
        verbose_name_plural = _("target beneficiaries")
        ordering = ["proposal", "category"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "category"], name="target_category_unique")
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class TransitionEvent(models.Model):
    """One row per transition of a lifecycle (workflow.py): who did what, when, and why."""

    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status} → {self.to_status})"


class ProposalEvent(TransitionEvent):
    """One row per transition: who did what, when, and why."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["proposal", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status} → {self.to_status})"

    @property
    def to_status_label(self) -> str:
        return Proposal.Status(self.to_status).label


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
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

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


# --- Capacity building and communal plans ------------------------------------------------
class TrainingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.permissions import manages_programme

        return self if manages_programme(user) else self.none()


class Training(TimeStampedModel):
    """A training for project holders or local agents, with attendance counted by sex."""

    class Audience(models.TextChoices):
        PROJECT_HOLDERS = "project_holders", _("Project holders")
        LOCAL_AGENTS = "local_agents", _("Local authority and public service agents")
        MIXED = "mixed", _("Mixed")

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    women = models.PositiveIntegerField(_("women attending"), default=0)
    men = models.PositiveIntegerField(_("men attending"), default=0)
    sex_not_recorded = models.PositiveIntegerField(
        _("attending, sex not recorded"),
        default=0,
        help_text=_("Only for old records whose attendance was not counted by sex."),
    )
    organisations_count = models.PositiveIntegerField(
        _("organisations represented"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")),
                name="training_start_before_end",
                violation_error_message=_("The first day is after the last day."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.permissions import manages_programme

        return self if manages_programme(user) else self.none()


class CommunalActionPlan(TimeStampedModel):
    """A commune's (or region's) plan into which "migration & gender" actions are written."""

    class Kind(models.TextChoices):
        PAC = "pac", _("Communal action plan (PAC)")
        PDR = "pdr", _("Regional development plan (PDR)")

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("commune or region"),
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    kind = models.CharField(_("plan"), max_length=8, choices=Kind.choices, default=Kind.PAC)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("communal action plan")
        verbose_name_plural = _("communal action plans")
        ordering = ["territory__code", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "kind", "start_year"], name="action_plan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.territory} {self.start_year}-{self.end_year}"


class PlanAction(TimeStampedModel):
    """A "migration & gender" action integrated into a communal plan."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        INTEGRATED = "integrated", _("Integrated in the plan")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", pgettext_lazy("status of a training-plan action", "Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        CommunalActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    responsible_service = models.CharField(_("responsible service"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return self.title
