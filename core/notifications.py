"""In-app notifications and emails through a transactional outbox.

How it works (docs/architecture.md, "Notifications and the outbox"):

1. A service that causes a notification calls ``notify(...)`` inside its own transaction. It
   writes one ``OutboxMessage`` per recipient and channel (in-app, email) and asks, *after
   commit*, a worker to deliver each one. If the transaction rolls back, nothing was written
   and nothing is sent. If the broker is down, the rows wait in the table.
2. ``deliver(message_id=...)`` (the ``core.tasks.deliver_outbox_message`` task) locks the row
   (``SKIP LOCKED``: a second worker holding the same id skips it), and returns at once when it
   was already sent. In-app: one ``Notification`` row linked one-to-one to the message, in the
   same transaction as the ``sent`` mark. Email: rendered in the recipient's language, sent,
   then marked. A failure records the error and the next attempt, with exponential backoff
   (1, 2, 4 ... minutes, at most 6 attempts), and the task retries itself.
3. ``sweep()`` (beat, every minute) hands every pending row whose next attempt is due to a
   worker: the rows written while Redis was down, and those whose task was lost.

Apps register what their messages say with ``register(kind, subject=..., text=...)``, where
``text`` is a callable ``params -> str`` called with the recipient's language active: core never
imports an app. ``params`` carry ids, codes, dates and status codes only: no personal value is
stored in the outbox, sent to the broker, or written in an email.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

Channel = OutboxMessage.Channel
State = OutboxMessage.State

MAX_ATTEMPTS = 6
# The header of every email naming its outbox message.
OUTBOX_HEADER = "X-Tawjih-Outbox-Id"
# A message not delivered within this delay after its commit is picked up by the sweep.
SWEEP_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class Kind:
    subject: Callable[[dict], str]
    text: Callable[[dict], str]


_KINDS: dict[str, Kind] = {}


def register(kind: str, *, subject: Callable[[dict], str], text: Callable[[dict], str]) -> None:
    """An app declares one kind of message (called from its ``AppConfig.ready``)."""
    _KINDS[kind] = Kind(subject=subject, text=text)


def render_text(kind: str, params: dict) -> str:
    entry = _KINDS.get(kind)
    if entry is None:
        return str(_("Notification"))
    try:
        return str(entry.text(params))
    except (KeyError, ValueError):  # parameters of an older version of the message
        return str(_("Notification"))


def render_subject(kind: str, params: dict) -> str:
    entry = _KINDS.get(kind)
    return str(entry.subject(params)) if entry is not None else str(_("Notification"))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16, 32 minutes after the 1st, 2nd ... failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


# --- Writing (inside the caller's transaction) ------------------------------------------------
def notify(
    *,
    recipients: Iterable,
    kind: str,
    params: dict | None = None,
    url: str = "",
    email: bool = True,
) -> list[OutboxMessage]:
    """Queue an in-app notification (and an email, for recipients with an address) for each
    active recipient, in the caller's transaction; delivery is asked for after commit."""
    if kind not in _KINDS:
        raise ValueError(f"unregistered notification kind {kind!r}")
    now = timezone.now()
    rows = []
    seen = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        channels = [Channel.IN_APP]
        if email and user.email:
            channels.append(Channel.EMAIL)
        rows += [
            OutboxMessage(
                channel=channel,
                recipient=user,
                kind=kind,
                params=params or {},
                url=url,
                next_attempt_at=now + SWEEP_GRACE,
            )
            for channel in channels
        ]
    if not rows:
        return []
    messages = OutboxMessage.objects.bulk_create(rows)
    ids = [m.pk for m in messages]
    # robust: with the broker down the caller's write stands; the sweep delivers later.
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return messages


def enqueue(ids: list[int]) -> None:
    from core.tasks import deliver_outbox_message

    queue = getattr(settings, "NOTIFICATIONS_TASK_QUEUE", None)
    for pk in ids:
        deliver_outbox_message.apply_async((pk,), queue=queue) if queue else (
            deliver_outbox_message.delay(pk)
        )


# --- Delivering (the worker) ------------------------------------------------------------------
def deliver(*, message_id: int) -> str:
    """Deliver one outbox message at most once. Returns its state afterwards ("sent",
    "pending" for a retry, "failed" after the last attempt, "skipped" when another worker
    holds it or it does not exist)."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "skipped"
        if message.state != State.PENDING:
            return message.state
        now = timezone.now()
        try:
            if message.channel == Channel.IN_APP:
                Notification.objects.get_or_create(
                    outbox=message,
                    defaults={
                        "recipient_id": message.recipient_id,
                        "kind": message.kind,
                        "params": message.params,
                        "url": message.url,
                    },
                )
            else:
                _send_email(message)
        except Exception as error:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.state = State.FAILED
                logger.error("outbox message %s failed for good: %s", message.pk, error)
            else:
                message.next_attempt_at = now + backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            return message.state
        message.state = State.SENT
        message.sent_at = now
        message.attempts += 1
        message.save(update_fields=["state", "sent_at", "attempts"])
        return message.state


def _send_email(message: OutboxMessage) -> None:
    user = message.recipient
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_subject(message.kind, message.params)
        body = render_text(message.kind, message.params)
        if message.url:
            body += "\n\n" + str(
                _("Open it in Tawjih: %(link)s") % {"link": settings.SITE_URL + message.url}
            )
    # The outbox id in a header: the receiving side (and the fault test) can tell a message
    # sent twice from two messages.
    EmailMessage(subject, body, None, [user.email], headers={OUTBOX_HEADER: str(message.pk)}).send()


def sweep(*, now=None, limit: int = 1000) -> int:
    """Hand every pending message whose attempt is due to a worker (beat, every minute); the
    next attempt is pushed back so a message waiting in a busy queue is not enqueued twice a
    minute (a duplicate would be harmless: delivery is idempotent). Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                next_attempt_at=now + timedelta(minutes=5)
            )
    if ids:
        enqueue(ids)
    return len(ids)


# --- Reading and marking read -----------------------------------------------------------------
def notifications_of(user):
    """A user's own notifications: nobody reads anyone else's."""
    return Notification.objects.visible_to(user)


def unread_count(user) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def notifications_mark_read(*, actor, ids: Iterable[int] | None = None, url: str = "") -> int:
    """Mark some (``ids``), those of one page (``url``), or all of the actor's notifications
    read. Returns how many changed."""
    unread = notifications_of(actor).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    if url:
        unread = unread.filter(url=url)
    return unread.update(read_at=timezone.now())
