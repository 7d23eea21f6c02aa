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
