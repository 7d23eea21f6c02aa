"""Thin Celery tasks: ids in, a service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def remind_overdue_referrals() -> int:
    from referrals.services import overdue_reminders_send

    return overdue_reminders_send()
