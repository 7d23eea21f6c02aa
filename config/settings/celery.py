"""Celery settings (read by config/celery.py through the CELERY_ namespace)."""

from datetime import timedelta

from config.env import env_int

# Audit lines older than this many months are detached from the trail (0: keep everything;
# otherwise at least 12, enforced by PostgreSQL).
AUDIT_KEEP_MONTHS = env_int("AUDIT_KEEP_MONTHS", 0, minimum=0)

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Africa/Casablanca"
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 2}
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 30
CELERY_TASK_TIME_LIMIT = 60 * 35
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat copies these into its tables at start; admins can then see and tune them.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "outbox-sweep": {
        "task": "core.tasks.sweep_outbox",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "audit-partitions": {
        "task": "core.tasks.audit_partitions",
        "schedule": timedelta(days=1),
        "kwargs": {"months_ahead": 3, "keep_months": AUDIT_KEEP_MONTHS},
    },
}
