"""Programme components, calls for projects and their scoring grid."""

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

from accounts.models import Territory
from core.models import TimeStampedModel, TranslatedNameModel, current_language
from projects.models._base import (
    ZERO,
    _money,
)
from projects.scopes import CriterionQuerySet


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


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


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
    title = models.CharField(_("title (French)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
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
    themes = models.TextField(_("themes (French)"), help_text=_("One theme per line."))
    themes_ar = models.TextField(_("themes (Arabic)"), blank=True)
    themes_en = models.TextField(_("themes (English)"), blank=True)
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
    eligibility_criteria = models.TextField(_("eligibility criteria (French)"))
    eligibility_criteria_ar = models.TextField(_("eligibility criteria (Arabic)"), blank=True)
    eligibility_criteria_en = models.TextField(_("eligibility criteria (English)"), blank=True)
    required_documents = models.TextField(
        _("required documents (French)"),
        blank=True,
        help_text=_(
            "One document per line. A proposal cannot be submitted until a file is attached "
            "for each of them."
        ),
    )
    required_documents_ar = models.TextField(
        _("required documents (Arabic)"),
        blank=True,
        help_text=_("Same lines, same order as in French."),
    )
    required_documents_en = models.TextField(
        _("required documents (English)"),
        blank=True,
        help_text=_("Same lines, same order as in French."),
    )
    reviews_required = models.PositiveSmallIntegerField(
        _("reviews needed per proposal"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("The committee decides on a proposal once this many reviewers scored it."),
    )
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
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("projects:call_detail", args=[self.uuid])

    def _localized(self, field: str) -> str:
        """The field in the active language, falling back to French (the ``field`` column)."""
        language = current_language()
        if language != "fr":
            value = getattr(self, f"{field}_{language}", "")
            if value and value.strip():
                return value
        return getattr(self, field)

    @property
    def display_title(self) -> str:
        return self._localized("title")

    @property
    def display_eligibility_criteria(self) -> str:
        return self._localized("eligibility_criteria")

    @property
    def theme_list(self) -> list[str]:
        return _lines(self._localized("themes"))

    @property
    def required_document_list(self) -> list[str]:
        """The documents a proposal must attach, as the French lines (the attachment's key)."""
        return _lines(self.required_documents)

    @property
    def required_document_choices(self) -> list[tuple[str, str]]:
        """``(French key, label in the active language)`` per required document; a translated
        line is used only when the translation has as many lines as the French."""
        keys = self.required_document_list
        labels = _lines(self._localized("required_documents"))
        if len(labels) != len(keys):
            labels = keys
        return list(zip(keys, labels, strict=True))

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

    objects = CriterionQuerySet.as_manager()

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
