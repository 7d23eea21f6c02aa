"""What /healthz checks: the database and Redis, each within a short timeout."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from core.tasks import HEARTBEAT_KEY


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return False, exc.__class__.__name__
    return True, "ok"


def check_redis() -> tuple[bool, str, float | None]:
    """Ping Redis; also read the age of the last worker heartbeat (informational)."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        beat = client.get(HEARTBEAT_KEY)
    except redis.RedisError as exc:
        return False, exc.__class__.__name__, None
    finally:
        client.close()
    age = round(time.time() - float(beat), 1) if beat else None
    return True, "ok", age
