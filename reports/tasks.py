"""Thin Celery tasks: ids in, a service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def build_report(self, report_id: int) -> str:
    """Idempotent: a re-delivered task for a finished report does nothing. If another worker
    holds the report (a duplicate delivery, or a killed worker whose connection PostgreSQL has
    not yet dropped), try again later rather than acknowledge a report nobody builds."""
    from reports.services import report_build

    outcome = report_build(report_id=report_id)
    if outcome == "busy":
        raise self.retry(countdown=15, max_retries=40)
    return outcome


@shared_task(ignore_result=True)
def retry_queued_reports() -> int:
    from reports.services import queued_reports_retry

    return queued_reports_retry()


@shared_task(ignore_result=True)
def create_scheduled_report(frequency: str) -> str:
    """Beat (monthly, quarterly): the regional report of the previous full period, once."""
    from reports.scheduling import scheduled_report_create

    report, created = scheduled_report_create(frequency=frequency)
    return f"{report.uuid} {'created' if created else 'exists'}"
