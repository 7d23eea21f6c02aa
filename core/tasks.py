import time

import redis
from celery import shared_task
from django.conf import settings

HEARTBEAT_KEY = "tawjih:worker:heartbeat"


@shared_task(ignore_result=True)
def heartbeat() -> float:
    """Record that a worker (and beat, which schedules this) is alive; /healthz reports its age."""
    now = time.time()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    client.set(HEARTBEAT_KEY, now, ex=600)
    return now


@shared_task(bind=True, ignore_result=True, max_retries=5)
def deliver_outbox_message(self, message_id: int) -> str:
    """Deliver one outbox message (core.notifications.deliver); after a failure, retry at the
    backoff the message records (the beat sweep also picks it up if this retry is lost)."""
    from core.models import OutboxMessage
    from core.notifications import deliver

    state = deliver(message_id=message_id)
    if state == OutboxMessage.State.PENDING:
        message = OutboxMessage.objects.filter(pk=message_id).only("next_attempt_at").first()
        if message is not None:
            from django.utils import timezone

            countdown = max((message.next_attempt_at - timezone.now()).total_seconds(), 1)
            raise self.retry(countdown=countdown)
    return state


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Beat, every minute: enqueue the outbox messages never dispatched (broker down, lost
    task) or due for another attempt."""
    from core.notifications import sweep

    return sweep()


@shared_task(ignore_result=True)
def audit_partitions(months_ahead: int = 3, keep_months: int = 0) -> int:
    """Beat: the audit trail's monthly partitions, made ahead (a SECURITY DEFINER function
    owned by the migrating role, so the application role needs no DDL right); with
    ``keep_months`` (at least 12), older months are detached for archiving."""
    from datetime import date

    from django.utils import timezone

    from core.audit_chain import detach_before, ensure_partitions

    made = ensure_partitions(months_ahead)
    if keep_months:
        today = timezone.localdate()
        months = today.year * 12 + today.month - 1 - keep_months
        detach_before(date(months // 12, months % 12 + 1, 1))
    return made
