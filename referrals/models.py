"""Service directory, networks, referrals with their events (notifications: core.notifications)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Territory
from baom.choices import Language
from baom.models import Beneficiary, ServiceType
from core.models import TimeStampedModel
from core.translated import localized
from referrals.choices import (
    OPEN_STATUSES,
    DeclineReason,
    Outcome,
    SharedField,
    Status,
    Urgency,
)


class Network(TimeStampedModel):
    """A group of member organisations, e.g. the CMSM."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        Organisation, verbose_name=_("members"), related_name="networks", blank=True
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class DirectoryEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The service directory is read by every signed-in user (to choose where to refer);
        editing an entry is its organisation's (``referrals.permissions``)."""
        from accounts.permissions import is_signed_in

        return self if is_signed_in(user) else self.none()


class DirectoryEntry(TimeStampedModel):
    """What an organisation offers, where, in which languages, and whether it takes referrals."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="directory_entry",
    )
    services = models.ManyToManyField(
        ServiceType, verbose_name=_("services offered"), related_name="+", blank=True
    )
    territories = models.ManyToManyField(
        Territory, verbose_name=_("territories covered"), related_name="+", blank=True
    )
    languages = ArrayField(
        models.CharField(max_length=16, choices=Language.choices),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )
    # Free text in three languages (core.translated): the plain column is the French text.
    description = models.TextField(
        _("description (French)"),
        max_length=600,
        blank=True,
        help_text=_("What you offer and to whom, in two or three sentences."),
    )
    description_ar = models.TextField(_("description (Arabic)"), max_length=600, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=600, blank=True)
    opening_hours = models.CharField(_("opening hours (French)"), max_length=200, blank=True)
    opening_hours_ar = models.CharField(_("opening hours (Arabic)"), max_length=200, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=200, blank=True)
    contact_point = models.CharField(_("contact point (French)"), max_length=200, blank=True)
    contact_point_ar = models.CharField(_("contact point (Arabic)"), max_length=200, blank=True)
    contact_point_en = models.CharField(_("contact point (English)"), max_length=200, blank=True)
    accepts_referrals = models.BooleanField(_("accepts referrals"), default=True)
    response_days = models.PositiveSmallIntegerField(
        _("response deadline (working days)"), default=3
    )

    objects = DirectoryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def language_labels(self) -> list[str]:
        return [str(Language(c).label) for c in self.languages if c in Language.values]

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    @property
    def display_opening_hours(self) -> str:
        return localized(self, "opening_hours")

    @property
    def display_contact_point(self) -> str:
        return localized(self, "contact_point")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        from referrals.permissions import referral_scope

        return referral_scope(self, user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        return self.filter(status=Status.SENT, due_on__lt=today or timezone.localdate())


class Referral(TimeStampedModel):
    """A person sent by one organisation to another, for a service, with their consent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One per submitted form: two identical submissions create one referral.
    idempotency_key = models.UUIDField(unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    from_organisation = models.ForeignKey(
        Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        Organisation, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        ServiceType,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("referred on from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    reason = models.CharField(_("reason"), max_length=300)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    shared_fields = ArrayField(
        models.CharField(max_length=24, choices=SharedField.choices),
        verbose_name=_("also shared"),
        default=list,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=24, choices=DeclineReason.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    feedback = models.TextField(_("feedback to the sender"), blank=True)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["to_organisation", "status", "-sent_at"], name="referral_inbox"),
            # The inbox badges count by status and deadline from this index alone.
            models.Index(
                fields=["to_organisation", "status", "due_on"], name="referral_inbox_counts"
            ),
            models.Index(fields=["from_organisation", "-sent_at"], name="referral_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="referral_declined_has_reason",
                violation_error_message=_("A declined referral needs a reason."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(outcome=""),
                name="referral_completed_has_outcome",
                violation_error_message=_("A completed referral needs an outcome."),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_organisation=models.F("to_organisation")),
                name="referral_not_to_itself",
                violation_error_message=_("An organisation cannot refer to itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation_id} → {self.to_organisation_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", kwargs={"uuid": self.uuid})

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == Status.SENT
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class ReferralEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A referral's history: the referral's readers (``Referral.objects.visible_to``);
        notes are dropped once the person is no longer shared (``selectors.referral_events``)."""
        return self.filter(referral__in=Referral.objects.visible_to(user).values("pk"))


class ReferralEvent(models.Model):
    """Who did what to a referral, when, from which state to which."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = ReferralEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.action}"

    @property
    def label(self) -> str:
        """What the history shows: a claim and a progress note are not status changes."""
        if self.action == "claim":
            return _("Taken in charge")
        if self.action == "progress_note":
            return _("Progress note")
        return self.get_to_status_display()
