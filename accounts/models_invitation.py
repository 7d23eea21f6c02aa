"""The invitation a new user receives instead of a password typed by an administrator.

Only the SHA-256 of the link's secret is stored: the database (a backup, a replica, the admin)
never holds a usable link. An invitation is used once, expires after ``INVITATION_VALID_HOURS``
and is replaced by the next one sent to the same user. Services: ``accounts/invitations.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The invitations of the accounts the user may see (``User.objects.visible_to``):
        managers and admins all, a supervisor their organisation's, everyone their own."""
        from accounts.models import User

        return self.filter(user__in=User.objects.visible_to(user))


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        USED = "used", _("used")
        EXPIRED = "expired", _("expired")
        REPLACED = "replaced", _("replaced by a newer invitation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token_hash = models.CharField(_("hash of the link's secret"), max_length=64, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"

    def state_at(self, moment) -> str:
        if self.used_at is not None:
            return self.State.USED
        if self.replaced_at is not None:
            return self.State.REPLACED
        if moment >= self.expires_at:
            return self.State.EXPIRED
        return self.State.PENDING
