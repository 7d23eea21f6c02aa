"""Scheduled regional reports: Celery beat asks for the previous full month or quarter, once
per period, and the reports page offers them to the statistician."""

from __future__ import annotations

import datetime
import json
from unittest import mock

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from accounts.roles import Role
from reports import services
from reports.choices import Measure, Status
from reports.models import Report, ScheduledReport
from reports.scheduling import previous_period, scheduled_report_create
from reports.tasks import create_scheduled_report
from tests.reports.factories import apsi2

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "today", "start", "end"),
    [
        ("monthly", D(2026, 11, 1), D(2026, 10, 1), D(2026, 10, 31)),
        ("monthly", D(2026, 3, 5), D(2026, 2, 1), D(2026, 2, 28)),
        ("monthly", D(2026, 1, 1), D(2025, 12, 1), D(2025, 12, 31)),
        ("quarterly", D(2026, 4, 1), D(2026, 1, 1), D(2026, 3, 31)),
        ("quarterly", D(2026, 6, 30), D(2026, 1, 1), D(2026, 3, 31)),
        ("quarterly", D(2026, 10, 2), D(2026, 7, 1), D(2026, 9, 30)),
        ("quarterly", D(2026, 2, 10), D(2025, 10, 1), D(2025, 12, 31)),
    ],
)
def test_previous_full_period(frequency, today, start, end):
    assert previous_period(frequency, today) == (start, end)


@pytest.mark.django_db
def test_the_beat_schedules_exist():
    tasks = {t.name: t for t in PeriodicTask.objects.filter(task__endswith="scheduled_report")}
    assert set(tasks) == {"reports-scheduled-monthly", "reports-scheduled-quarterly"}
    monthly, quarterly = tasks["reports-scheduled-monthly"], tasks["reports-scheduled-quarterly"]
    assert json.loads(monthly.kwargs) == {"frequency": "monthly"}
    assert json.loads(quarterly.kwargs) == {"frequency": "quarterly"}
    assert quarterly.crontab.month_of_year == "1,4,7,10" and monthly.crontab.day_of_month == "1-7"
    assert monthly.enabled and quarterly.enabled


@pytest.mark.django_db
def test_running_the_schedule_twice_makes_one_report_and_enqueues_it(
    django_capture_on_commit_callbacks,
):
    """EAGER: the beat task runs in this process (``.apply()``); the build is mocked."""
    with (
        mock.patch("reports.tasks.build_report.apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
        mock.patch("reports.scheduling.timezone.localdate", return_value=D(2026, 4, 2)),
    ):
        first = create_scheduled_report.apply(kwargs={"frequency": "quarterly"}).get()
        second = create_scheduled_report.apply(kwargs={"frequency": "quarterly"}).get()
        create_scheduled_report.apply(kwargs={"frequency": "monthly"}).get()
    assert first.endswith("created") and second.endswith("exists")
    assert first.split()[0] == second.split()[0]
    assert ScheduledReport.objects.count() == 2 and Report.objects.count() == 2
    run = ScheduledReport.objects.get(frequency="quarterly")
    report = run.report
    assert (run.period_start, run.period_end) == (D(2026, 1, 1), D(2026, 3, 31))
    assert report.requested_by is None and report.status == Status.QUEUED
    assert report.parameters["start"] == "2026-01-01" and report.parameters["end"] == "2026-03-31"
    assert set(report.parameters["measures"]) == set(Measure.values)
    assert report.parameters["bureau_id"] is None
    assert enqueue.call_count == 2  # each new report handed to the worker once
    assert enqueue.call_args_list[0].kwargs["args"] == [report.pk]
    report.refresh_from_db()
    assert report.enqueued_at is not None


@pytest.mark.django_db
def test_a_scheduled_report_builds_and_is_offered_to_the_statistician(
    make_user, login, django_assert_max_num_queries
):
    apsi2()
    with mock.patch("reports.tasks.build_report.apply_async"):
        report, created = scheduled_report_create(frequency="quarterly", today=D(2026, 4, 1))
        older, _created = scheduled_report_create(frequency="monthly", today=D(2026, 4, 1))
    assert created
    assert services.report_build(report_id=report.pk) == "done"
    # A statistician's own report as well, to be listed alongside.
    statistician = make_user(Role.STATISTICIAN)
    Report.objects.create(requested_by=statistician, parameters=report.parameters)
    client = login(statistician)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("reports:index")).content.decode()
    assert 'data-testid="scheduled-reports"' in page
    assert page.count('data-testid="scheduled-report"') == 2
    assert page.count('data-testid="scheduled-badge"') == 4  # in the list and in the history
    assert report.get_absolute_url() in page and older.get_absolute_url() in page
    detail = client.get(report.get_absolute_url())
    assert detail.status_code == 200
    assert detail.context["tables"]
    assert any(value == "Rapport programmé"
               for _label, value in detail.context["parameters"])  # fmt: skip


@pytest.mark.django_db
def test_a_supervisor_is_not_offered_the_regional_reports(make_user, login):
    with mock.patch("reports.tasks.build_report.apply_async"):
        scheduled_report_create(frequency="monthly", today=D(2026, 4, 1))
    page = login(make_user(Role.SUPERVISOR)).get(reverse("reports:index")).content.decode()
    assert 'data-testid="scheduled-reports"' not in page
    assert 'data-testid="scheduled-badge"' not in page
