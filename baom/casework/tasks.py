"""Thin Celery tasks of case work."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def remind_follow_ups() -> int:
    """Beat, every morning: tomorrow's follow-ups reminded to their agents (idempotent)."""
    from baom.casework.services import follow_up_reminders_send

    return follow_up_reminders_send()
