"""Thin Celery tasks of the intake module: plain parameters in, a service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def apply_retention_policy() -> dict[str, int]:
    """Nightly (beat schedule in migration 0007): anonymise what the retention policy says is
    due. Takes and returns no personal data: counts only. Safe to run twice."""
    from baom.privacy import retention_apply

    return retention_apply()


# Case work's tasks (celery discovers baom.tasks only).
from baom.casework.tasks import remind_follow_ups  # noqa: E402, F401
