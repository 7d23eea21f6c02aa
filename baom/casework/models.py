"""Case work on a person: follow-ups, case notes, and who last opened whom (the worklist's
"recently seen"). Imported at the end of ``baom.models`` so Django registers them in ``baom``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from baom.scopes import PersonSeenQuerySet
from core.models import TimeStampedModel


class FollowUpStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("follow-up status", "Due")
    DONE = "done", pgettext_lazy("follow-up status", "Done")
    RESCHEDULED = "rescheduled", pgettext_lazy("follow-up status", "Rescheduled")
    CANCELLED = "cancelled", pgettext_lazy("follow-up status", "Cancelled")


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        from baom.permissions import beneficiary_scope

        return self.filter(beneficiary__in=beneficiary_scope(_beneficiaries(), user))

    def due(self):
        return self.filter(status=FollowUpStatus.DUE)


def _beneficiaries():
    from baom.models import Beneficiary

    return Beneficiary.objects.all()


class FollowUp(TimeStampedModel):
    """An appointment with a person: a date, a purpose, the agent who does it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        "baom.Beneficiary",
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    bureau = models.ForeignKey(
        Organisation, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    visit = models.ForeignKey(
        "baom.Visit",
        verbose_name=_("from the visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["assigned_to", "due_on"],
                name="followup_due_by_agent",
                condition=models.Q(status="due"),
            ),
            models.Index(
                fields=["bureau", "due_on", "assigned_to"],
                name="followup_due_by_bureau",
                condition=models.Q(status="due"),
            ),
            models.Index(fields=["beneficiary", "due_on"], name="followup_beneficiary"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["cancelled", "rescheduled"]) | ~models.Q(reason=""),
                name="followup_closed_has_reason",
                violation_error_message=_("Give the reason."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.due_on} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("baom:followup_detail", kwargs={"uuid": self.uuid})

    @property
    def is_overdue(self) -> bool:
        return self.status == FollowUpStatus.DUE and self.due_on < timezone.localdate()


class CaseNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Notes on the people the user may see; flagged (need-to-know) notes only for users
        with ``baom.view_sensitive``."""
        from baom.permissions import beneficiary_scope, can_see_sensitive

        notes = self.filter(beneficiary__in=beneficiary_scope(_beneficiaries(), user))
        if not can_see_sensitive(user):
            notes = notes.filter(sensitive=False)
        return notes


class CaseNote(models.Model):
    """A dated note on a person's case, on their timeline."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        "baom.Beneficiary",
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="case_notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("note"), max_length=4000)
    sensitive = models.BooleanField(
        _("need-to-know"),
        default=False,
        help_text=_("Only users with access to sensitive information read this note."),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["beneficiary", "-date"], name="casenote_beneficiary")]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.date}"


class PersonSeen(models.Model):
    """When a user last opened a person's record (the worklist's "recently seen people")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    beneficiary = models.ForeignKey("baom.Beneficiary", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    objects = PersonSeenQuerySet.as_manager()

    class Meta:
        verbose_name = _("person seen")
        verbose_name_plural = _("people seen")
        ordering = ["-seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "beneficiary"], name="person_seen_once")
        ]
        indexes = [models.Index(fields=["user", "-seen_at"], name="person_seen_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.beneficiary_id}"
