"""Building blocks shared by every app's models."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.scopes import AuditEventQuerySet, NotificationQuerySet, OutboxMessageQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def current_language() -> str:
    """The active language among fr/ar/en ("fr" when none or another one is active)."""
    language = (get_language() or "fr").split("-")[0]
    return language if language in {"fr", "ar", "en"} else "fr"


class TranslatedNameModel(models.Model):
    """A reference record named in the three languages of the site.

    Explicit columns (not a translation framework) keep imports, exports and admin forms
    plain: an admin edits ``name_fr``, ``name_ar`` and ``name_en`` side by side.
    """

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to French."""
        return getattr(self, f"name_{current_language()}") or self.name_fr

    @staticmethod
    def name_field() -> str:
        """The column to order by for the active language."""
        return f"name_{current_language()}"


class AuditEvent(models.Model):
    """One line of the append-only audit trail: who did what to which record, from where.

    Never a personal value: the object is named by its type and public id only. PostgreSQL
    refuses any UPDATE or DELETE on the table (trigger in migration 0002).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        READ = "read", _("read")
        EXPORT = "export", _("export")
        LOGIN_FAILED = "login_failed", _("failed login")
        FORBIDDEN = "forbidden", _("forbidden")
        LOGIN = "login", _("sign-in")
        LOGOUT = "logout", _("sign-out")
        PASSWORD_RESET = "password_reset", _("password reset")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    # The hash chain, filled by PostgreSQL as the line is inserted (migration 0004): the line's
    # place in the chain, the previous line's hash and this line's hash (sha256, hex).
    chain_seq = models.BigIntegerField(_("chain position"), null=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False, db_default="")
    line_hash = models.CharField(max_length=64, editable=False, db_default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class OutboxMessage(models.Model):
    """One message to one user (an in-app notification or an email), written in the
    transaction that causes it and delivered afterwards by a worker (``core.notifications``).

    ``kind`` names a message registered by an app; ``params`` hold ids, codes and dates only,
    never a personal value: the text is rendered in the recipient's language when delivered.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in-app")
        EMAIL = "email", _("email")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending",
                condition=models.Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.recipient_id} ({self.state})"


class Notification(models.Model):
    """An in-app notification of one user: the bell counts the unread ones. Delivered from
    exactly one outbox message (the unique ``outbox`` link makes a second delivery a no-op)."""

    recipient = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    outbox = models.OneToOneField(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread_by_user",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind}"

    @property
    def text(self) -> str:
        from core.notifications import render_text

        return render_text(self.kind, self.params)
