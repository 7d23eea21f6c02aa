"""The Celery task: eager runs, idempotent re-delivery, and a real worker."""

from __future__ import annotations

import time

import psycopg
import pytest
from celery.exceptions import Retry
from django.db import connection

from accounts.roles import Role
from reports import services
from reports.choices import Status
from reports.models import Report
from reports.tasks import build_report
from tests.factories import UserFactory
from tests.reports.factories import END, START, parameters
from tests.reports.worker import database_url_for_tests, real_worker


def test_task_options():
    assert build_report.acks_late is True
    assert build_report.reject_on_worker_lost is True


@pytest.mark.django_db
def test_task_run_eagerly_builds_once_and_a_redelivery_does_nothing():
    """EAGER: the task runs in this process (``.apply()``), not in a worker."""
    report = Report.objects.create(
        requested_by=UserFactory(role=Role.STATISTICIAN), parameters=parameters()
    )
    assert build_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    first = (report.checksum, report.finished_at)
    assert report.status == Status.DONE and report.progress == 100 and report.data_time
    assert build_report.apply(args=[report.pk]).get() == "skipped"  # re-delivered
    report.refresh_from_db()
    assert (report.checksum, report.finished_at) == first


@pytest.mark.django_db
def test_a_failure_is_recorded_with_a_message():
    report = Report.objects.create(
        requested_by=UserFactory(role=Role.STATISTICIAN),
        parameters=parameters(start="not-a-date"),
    )
    assert services.report_build(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == Status.FAILED and report.error


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_report():
    """A real Celery worker subprocess, on the real Redis, on a queue of its own."""
    with real_worker() as start_worker:
        start_worker()
        report = services.report_request(
            user=UserFactory(role=Role.STATISTICIAN),
            data={"measures": ["new_beneficiaries", "kits"], "start": START, "end": END},
        )
        assert report.enqueued_at is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.is_finished:
                break
            time.sleep(0.3)
    assert report.status == Status.DONE, report.error


@pytest.mark.django_db(transaction=True)
def test_a_delivery_while_another_worker_holds_the_report_is_retried_not_dropped():
    """EAGER: the task runs in this process; a second connection plays the other worker."""
    report = Report.objects.create(
        requested_by=UserFactory(role=Role.STATISTICIAN), parameters=parameters(measures=["kits"])
    )
    with psycopg.connect(database_url_for_tests()) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(7007, %s)", [report.pk])
        with pytest.raises(Retry):
            build_report.apply(args=[report.pk], throw=True)
    report.refresh_from_db()
    assert report.status == Status.QUEUED
    assert build_report.apply(args=[report.pk]).get() == "done"


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_lets_another_finish_it_exactly_once():
    """Two REAL worker processes: the first is killed (SIGKILL) while it counts; the beat task
    sees the report running with nobody holding it, queues it again, and the second worker
    builds it once, with the numbers an uninterrupted build gives."""
    from reports import builder
    from tests.baom.factories import BeneficiaryFactory
    from tests.reports.factories import REGISTERED

    agent = UserFactory(role=Role.AGENT)
    for sex in ["female"] * 12 + ["male"] * 7:
        BeneficiaryFactory(agent=agent, sex=sex, registered_on=REGISTERED)
    data = {"measures": ["new_beneficiaries", "kits"], "start": START, "end": END,
            "breakdowns": ["category"]}  # fmt: skip
    with real_worker() as start_worker:
        # Another session holds the beneficiaries table: the worker marks the report running,
        # then waits on its first count, where it is killed.
        blocker = psycopg.connect(database_url_for_tests())
        blocker.execute("LOCK TABLE baom_beneficiary IN ACCESS EXCLUSIVE MODE")
        report = services.report_request(user=UserFactory(role=Role.STATISTICIAN), data=data)
        first = start_worker()
        assert _wait_for(lambda: Report.objects.get(pk=report.pk).status == Status.RUNNING)
        first.kill()
        first.wait(timeout=30)
        blocker.rollback()
        blocker.close()

        def lock_dropped():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = 7007 AND objid = %s",
                    [report.pk],
                )
                return cursor.fetchone()[0] == 0

        assert _wait_for(lock_dropped)
        assert Report.objects.get(pk=report.pk).status == Status.RUNNING  # stuck
        assert services.queued_reports_retry() == 1  # the beat task, every minute
        start_worker()
        assert _wait_for(lambda: Report.objects.get(pk=report.pk).is_finished)
    report.refresh_from_db()
    assert report.status == Status.DONE, report.error
    assert Report.objects.count() == 1
    expected = builder.build(report.parameters)
    for table in expected:
        table["rules"] = report.rules_version
    assert report.checksum == builder.checksum(expected)
    totals = next(t for t in report.result["tables"] if t["key"] == "new_beneficiaries__total")
    assert totals["rows"][0]["cells"] == [12, 7, 0]
