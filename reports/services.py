"""Every write of the reports module: request, enqueue, build, retry."""

from __future__ import annotations

import itertools
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baom.choices import AGE_BANDS
from core import db, locks
from reports import builder, suppression
from reports import notifications as report_notifications
from reports.choices import (
    PROGRAMME_MEASURES,
    Breakdown,
    Crossing,
    Measure,
    PeriodSplit,
    Protection,
    Status,
    TerritoryLevel,
)
from reports.models import Report
from reports.permissions import can_request_report, covers_programme
from reports.suppression import CURRENT

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
    split = data.get("period_split") or ""
    if split not in PeriodSplit.values:
        errors["period_split"] = _("Choose a split by period from the list.")
    top = data.get("nationality_top") or builder.DEFAULT_TOP
    if not isinstance(top, int) or not 1 <= top <= MAX_TOP:
        errors["nationality_top"] = _("Show between 1 and %(max)s nationalities.") % {
            "max": MAX_TOP
        }
    protection = data.get("protection") or Protection.SUPPRESS
    if protection not in Protection.values:
        errors["protection"] = _("Choose a small-count protection from the list.")
    crossings = [c for c in Crossing.values if c in (data.get("crossings") or [])]
    if len(crossings) > MAX_CROSSINGS:
        errors["crossings"] = _("Ask for at most %(max)s crossed tables.") % {"max": MAX_CROSSINGS}
    bands = data.get("age_bands") or AGE_BANDS
    try:
        bands = check_age_bands(bands)
    except ValueError as exc:
        errors["age_bands"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return {
        "measures": measures,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "breakdowns": breakdowns,
        "territory_level": level,
        "bureau_id": None,
        "period_split": split,
        "nationality_top": top,
        "age_bands": [list(band) for band in bands],
        "protection": protection,
        "crossings": [Crossing(c).dims for c in crossings],
    }


MAX_TOP = 50
MAX_CROSSINGS = 3


def check_age_bands(bands) -> list[tuple[int, int | None]]:
    """Bands that start at 0, follow each other without gap or overlap, and end with an open
    band ("60+"); a ValueError with a message for the user otherwise."""
    try:
        bands = [(int(low), None if high is None else int(high)) for low, high in bands]
    except (TypeError, ValueError):
        raise ValueError(_("Write the age bands as 0-4, 5-11, …, 60+.")) from None
    if not bands or bands[0][0] != 0:
        raise ValueError(_("The first age band must start at 0."))
    if bands[-1][1] is not None:
        raise ValueError(_("The last age band must be open, such as 60+."))
    for (low, high), (next_low, _h) in itertools.pairwise(bands):
        if high is None or high < low or next_low != high + 1:
            raise ValueError(
                _("Age bands must follow each other without gap or overlap (%(low)s-%(high)s).")
                % {"low": low, "high": "" if high is None else high}
            )
    if len(bands) > 20:
        raise ValueError(_("Use at most 20 age bands."))
    return bands


def report_check(*, user, data: dict) -> dict:
    """The parameters of a request as the worker will get them (scoped to a supervisor's
    bureau), or a ValidationError, including "too fine to publish" with a coarser request
    suggested: known before anything is queued. Writes nothing."""
    if not can_request_report(user):
        raise PermissionDenied
    parameters = clean_parameters(data)
    if not covers_programme(user):
        if PROGRAMME_MEASURES & set(parameters["measures"]):
            raise ValidationError(
                {"measures": _("Projects and diaspora figures cover the whole programme: "
                               "they are not available in a bureau's report.")}
            )  # fmt: skip
        parameters["bureau_id"] = user.organisation_id
    refusal = publishable_check(parameters)
    if refusal:  # the form shows it on the breakdowns and suggests a coarser request
        raise ValidationError({"breakdowns": refusal})
    return parameters


def report_request(*, user, data: dict) -> Report:
    """Save the request and hand it to the worker once the transaction commits. If the broker
    is down the report stays queued (``enqueued_at`` empty) and the beat task retries it."""
    parameters = report_check(user=user, data=data)
    rules = CURRENT[parameters["protection"]]
    with transaction.atomic():
        report = Report(requested_by=user, parameters=parameters, rules_version=rules)
        report.full_clean()
        report.save()
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    report.refresh_from_db(fields=["enqueued_at"])
    return report


def publishable_check(parameters: dict) -> str:
    """Before anything is queued: "" if the report can be published under its rule set, else
    the message that says why not and suggests a coarser request. Exact, not a guess: it builds
    the person tables of the cheapest person measure asked (new beneficiaries, else people
    served: one GROUPING SETS query) and applies the worker's own ``too_fine`` rule."""
    from reports.choices import PERSON_MEASURES

    measures = [m for m in (Measure.NEW_BENEFICIARIES, Measure.BENEFICIARIES_SERVED)
                if m in parameters["measures"] and m in PERSON_MEASURES]  # fmt: skip
    if not measures or not (parameters.get("breakdowns") or parameters.get("crossings")
                            or parameters.get("period_split")):  # fmt: skip
        return ""
    try:
        # At most a few seconds: if the database is busy (a long lock, a huge period), the
        # form does not wait; the worker applies the same rule when it builds the report.
        # A statistics read like the build itself: on the replica when there is one.
        with db.snapshot() as alias, transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", ["5s"])
            tables = builder.build({**parameters, "measures": measures[:1]})
    except OperationalError:
        logger.info("publishable check skipped: the database did not answer in time")
        return ""
    rules = CURRENT[parameters.get("protection") or Protection.SUPPRESS]
    return too_fine_message(parameters) if suppression.too_fine(tables, rules) else ""


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


def stale_running_requeue() -> list[int]:
    """Reports left "running" by a dead worker go back to the queue. ``report_build`` holds a
    session advisory lock on the report while it builds, and PostgreSQL drops it with a dead
    worker's connection: a running report whose lock is free has nobody building it. (With
    Redis, the unacknowledged task would come back only after the broker's visibility timeout,
    hours later.) The status changes while this function holds the lock, so no worker can
    start on the report in between. Idempotent: the build starts over and writes its tables in
    one final UPDATE, so the report completes once."""
    requeued = []
    for pk in Report.objects.filter(status=Status.RUNNING).values_list("pk", flat=True)[:100]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [locks.REPORT_BUILD, pk])
            if not cursor.fetchone()[0]:
                continue  # a live worker is building it
            try:
                changed = Report.objects.filter(pk=pk, status=Status.RUNNING).update(
                    status=Status.QUEUED, progress=0, enqueued_at=None
                )
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [locks.REPORT_BUILD, pk])
        if changed:
            logger.warning("report %s: its worker died mid-build, queued again", pk)
            requeued.append(pk)
    return requeued


def queued_reports_retry() -> int:
    """Beat, every minute: hand again to the worker reports never enqueued or stuck queued,
    and reports whose worker died while building them."""
    stale_running_requeue()
    stale = timezone.now() - STALE_AFTER
    ids = list(
        Report.objects.filter(status=Status.QUEUED)
        .exclude(enqueued_at__gt=stale)
        .values_list("pk", flat=True)[:100]
    )
    return sum(report_enqueue(report_id=pk) for pk in ids)


def too_fine_message(parameters: dict) -> str:
    if parameters.get("crossings"):
        return _(
            "This report is too fine to publish: most of its figures are small counts that "
            "would be shown as 0 or k. Request it again with fewer crossed tables, a coarser "
            "territory level (province rather than commune or bureau), fewer age bands or "
            "nationalities, or over a longer period."
        )
    if parameters.get("territory_level") in (TerritoryLevel.COMMUNE, TerritoryLevel.BUREAU):
        return _(
            "This report is too fine to publish: most of its figures would be hidden to protect "
            "small counts. Request it again by province rather than by commune or bureau, with "
            "fewer breakdowns, or over a longer period."
        )
    return _(
        "This report is too fine to publish: most of its figures would be hidden to protect "
        "small counts. Request it again with fewer breakdowns (or fewer nationalities), "
        "without the split by period, or over a longer period."
    )


def _set_progress(report_id: int, pct: int) -> None:
    Report.objects.filter(pk=report_id, status=Status.RUNNING).update(progress=pct)


def report_build(*, report_id: int) -> str:
    """Build the tables. A session advisory lock makes two deliveries of the same task build it
    once; a worker killed mid-way drops its connection and lock, and the broker re-delivers the
    task (acks_late) to another worker, which starts over. The final write is one UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [locks.REPORT_BUILD, report_id])
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
        rules = suppression.rule_set(report.rules_version).version
        try:
            # From the read replica when there is one, in one snapshot: every measure sees the
            # same state of the data, and the build takes no CPU from the primary (core/db.py).
            with db.snapshot() as alias:
                data_time = db.snapshot_time(alias)
                tables = builder.build(
                    report.parameters, progress=lambda pct: _set_progress(report_id, pct)
                )
            for table in tables:  # every output applies the rule set the tables carry
                table["rules"] = rules
        except Exception as exc:
            logger.exception("report %s failed", report_id)
            with transaction.atomic():
                error = _(
                    "The report could not be built (%(error)s). Request it again, or ask an "
                    "administrator if it fails again."
                ) % {"error": type(exc).__name__}
                Report.objects.filter(pk=report_id).update(
                    status=Status.FAILED, finished_at=timezone.now(), error=error
                )
                report_notifications.report_finished(report, ready=False)
            return "failed"
        if suppression.too_fine(tables, rules):
            # Nothing is written: the user is told which coarser level to ask for.
            with transaction.atomic():
                Report.objects.filter(pk=report_id).update(
                    status=Status.FAILED,
                    finished_at=timezone.now(),
                    error=too_fine_message(report.parameters),
                )
                report_notifications.report_finished(report, ready=False)
            return "too_fine"
        # The tables and the requester's notification in one transaction (core.notifications).
        with transaction.atomic():
            Report.objects.filter(pk=report_id).update(
                status=Status.DONE,
                progress=100,
                data_time=data_time,
                result={"tables": tables},
                checksum=builder.checksum(tables),
                rules_version=rules,
                finished_at=timezone.now(),
            )
            report_notifications.report_finished(report, ready=True)
        return "done"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [locks.REPORT_BUILD, report_id])
