"""Every write of the reports module: request, enqueue, build, retry."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import builder
from reports.choices import Breakdown, Measure, Status, TerritoryLevel
from reports.models import Report
from reports.permissions import can_request_report, covers_programme
from reports.suppression import RULES_VERSION

logger = logging.getLogger(__name__)

# A queued report not picked up within this delay is handed to the worker again.
STALE_AFTER = timedelta(minutes=5)


def clean_parameters(data: dict) -> dict:
    """Plain JSON parameters, or a ValidationError naming the field."""
    errors = {}
    measures = [m for m in data.get("measures") or [] if m in Measure.values]
    if not measures:
        errors["measures"] = _("Choose at least one measure.")
    start, end = data.get("start"), data.get("end")
    if not start:
        errors["start"] = _("Enter the first day of the period.")
    if not end:
        errors["end"] = _("Enter the last day of the period.")
    if start and end and end < start:
        errors["end"] = _("The end of the period is before its start.")
    if start and end and end > timezone.localdate() + timedelta(days=366):
        errors["end"] = _("The period ends too far in the future.")
    breakdowns = [b for b in Breakdown.values if b in (data.get("breakdowns") or [])]
    level = data.get("territory_level") or TerritoryLevel.PROVINCE
    if level not in TerritoryLevel.values:
        errors["territory_level"] = _("Choose a territory level from the list.")
    if errors:
        raise ValidationError(errors)
    return {
        "measures": measures,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "breakdowns": breakdowns,
        "territory_level": level,
        "bureau_id": None,
    }


def report_request(*, user, data: dict) -> Report:
    """Save the request and hand it to the worker once the transaction commits. If the broker
    is down the report stays queued (``enqueued_at`` empty) and the beat task retries it."""
    if not can_request_report(user):
        raise PermissionDenied
    parameters = clean_parameters(data)
    if not covers_programme(user):
        parameters["bureau_id"] = user.organisation_id
    with transaction.atomic():
        report = Report(requested_by=user, parameters=parameters, rules_version=RULES_VERSION)
        report.full_clean()
        report.save()
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    report.refresh_from_db(fields=["enqueued_at"])
    return report


def report_enqueue(*, report_id: int) -> bool:
    from reports.tasks import build_report

    try:
        build_report.apply_async(
            args=[report_id],
            queue=getattr(settings, "REPORTS_TASK_QUEUE", None),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception:  # broker unreachable (kombu/redis errors vary by transport)
        logger.warning("report %s: broker unreachable, will be retried", report_id, exc_info=True)
        return False
    Report.objects.filter(pk=report_id, status=Status.QUEUED).update(enqueued_at=timezone.now())
    return True


def queued_reports_retry() -> int:
    """Beat, every minute: hand again to the worker reports never enqueued or stuck queued."""
    stale = timezone.now() - STALE_AFTER
    ids = list(
        Report.objects.filter(status=Status.QUEUED)
        .exclude(enqueued_at__gt=stale)
        .values_list("pk", flat=True)[:100]
    )
    return sum(report_enqueue(report_id=pk) for pk in ids)


def _set_progress(report_id: int, pct: int) -> None:
    Report.objects.filter(pk=report_id, status=Status.RUNNING).update(progress=pct)


def report_build(*, report_id: int) -> str:
    """Build the tables. A session advisory lock makes two deliveries of the same task build it
    once; a worker killed mid-way drops its connection and lock, and the broker re-delivers the
    task (acks_late) to another worker, which starts over. The final write is one UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [7007, report_id])
        if not cursor.fetchone()[0]:
            return "busy"
    try:
        report = Report.objects.filter(pk=report_id).first()
        if report is None or report.status in (Status.DONE, Status.FAILED):
            return "skipped"
        now = timezone.now()
        Report.objects.filter(pk=report_id).update(
            status=Status.RUNNING, started_at=now, data_time=now, progress=1, error=""
        )
        try:
            tables = builder.build(
                report.parameters, progress=lambda pct: _set_progress(report_id, pct)
            )
        except Exception as exc:
            logger.exception("report %s failed", report_id)
            Report.objects.filter(pk=report_id).update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                error=_("The report could not be built (%(error)s). Request it again, or ask an "
                        "administrator if it fails again.") % {"error": type(exc).__name__},
            )  # fmt: skip
            return "failed"
        Report.objects.filter(pk=report_id).update(
            status=Status.DONE,
            progress=100,
            result={"tables": tables},
            checksum=builder.checksum(tables),
            rules_version=RULES_VERSION,
            finished_at=timezone.now(),
        )
        return "done"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [7007, report_id])
