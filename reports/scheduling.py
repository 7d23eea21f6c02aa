"""Scheduled regional reports: Celery beat asks for the previous full month or quarter; the
report is built like any other and offered to the statistician on the reports page."""

from __future__ import annotations

import calendar
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from reports.choices import Breakdown, Measure, TerritoryLevel
from reports.models import Frequency, Report, ScheduledReport
from reports.suppression import RULES_VERSION

# What a scheduled regional report counts: every measure, split by age band, category and
# province, for the whole programme.
SCHEDULED_BREAKDOWNS = [Breakdown.AGE_BAND, Breakdown.CATEGORY, Breakdown.TERRITORY]
_LOCK = 7008  # advisory lock namespace (7007 is report_build's)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def previous_period(frequency: str, today: date) -> tuple[date, date]:
    """The last full month or quarter before ``today``."""
    if frequency == Frequency.MONTHLY:
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return date(year, month, 1), month_end(year, month)
    if frequency == Frequency.QUARTERLY:
        quarter = (today.month - 1) // 3  # the current quarter, 0-based
        year, quarter = (today.year, quarter - 1) if quarter else (today.year - 1, 3)
        first = 3 * quarter + 1
        return date(year, first, 1), month_end(year, first + 2)
    raise ValueError(f"unknown frequency {frequency!r}")


def scheduled_parameters(start: date, end: date) -> dict:
    from reports.services import clean_parameters

    return clean_parameters(
        {
            "measures": list(Measure.values),
            "start": start,
            "end": end,
            "breakdowns": [str(b) for b in SCHEDULED_BREAKDOWNS],
            "territory_level": TerritoryLevel.PROVINCE,
        }
    )


def scheduled_report_create(*, frequency: str, today: date | None = None) -> tuple[Report, bool]:
    """The report of the previous full period, created once: a second run for the same period
    (beat runs each schedule on several nights, or twice by accident) returns the first."""
    from reports.services import report_enqueue

    start, end = previous_period(frequency, today or timezone.localdate())
    with transaction.atomic():
        with connection.cursor() as cursor:  # two beats at once: the second waits, then finds
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_LOCK, start.toordinal() * 10 + list(Frequency.values).index(frequency)],
            )
        existing = (
            ScheduledReport.objects.select_related("report")
            .filter(frequency=frequency, period_start=start)
            .first()
        )
        if existing is not None:
            return existing.report, False
        report = Report(
            requested_by=None,
            parameters=scheduled_parameters(start, end),
            rules_version=RULES_VERSION,
        )
        report.full_clean()
        report.save()
        ScheduledReport.objects.create(
            report=report, frequency=frequency, period_start=start, period_end=end
        )
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    return report, True


def latest_scheduled(user, *, limit: int = 4):
    """The newest scheduled reports the user may see, newest period first (for the reports
    page's "new scheduled reports" list)."""
    return (
        ScheduledReport.objects.filter(report__in=Report.objects.visible_to(user))
        .select_related("report")
        .defer("report__result")
        .order_by("-period_start", "frequency")[:limit]
    )
