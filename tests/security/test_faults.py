"""Fault tests with real Celery worker processes, the real Redis broker and the real
PostgreSQL: a worker killed mid-report, a task enqueued in a rolled-back transaction, the broker
down during intake, and what the task messages carry."""

from __future__ import annotations

import contextlib
import datetime
import importlib
import inspect
import json
import socket

import psycopg
import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.roles import Role
from baom import services as baom_services
from baom.models import Beneficiary, Distribution, ServiceType, Visit
from config.celery import app
from reports import builder
from reports import services as report_services
from reports.choices import Status
from reports.models import Report
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation
from tests.reports.worker import database_url_for_tests
from tests.security.conftest import STATS
from tests.security.workers import Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)


class Rollback(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def reference_data():
    """Service types and territories (a transactional test empties every table at its end)."""
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    with override_settings(REPORTS_TASK_QUEUE=pool.queue):
        try:
            yield pool
        finally:
            pool.stop_all()
            redis.Redis.from_url(settings.REDIS_URL).delete(pool.queue)


def some_activity(agent, people: int = 6):
    for n in range(people):
        person = BeneficiaryFactory(agent=agent, registered_on=START + datetime.timedelta(days=n))
        baom_services.distribution_record(
            beneficiary=person, agent=agent, kit_type="hygiene", quantity=1,
            for_household=False, date=START + datetime.timedelta(days=n + 1),
        )  # fmt: skip


@contextlib.contextmanager
def done_transitions_counted():
    """A trigger counts every UPDATE that makes a report 'done' (the exactly-once proof)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE security_report_done (report_id bigint, at timestamptz DEFAULT now());"
            "CREATE FUNCTION security_report_done() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO security_report_done (report_id) VALUES (NEW.id); RETURN NEW; END $$ "
            "LANGUAGE plpgsql;"
            "CREATE TRIGGER security_report_done AFTER UPDATE ON reports_report FOR EACH ROW "
            "WHEN (NEW.status = 'done' AND OLD.status IS DISTINCT FROM 'done') "
            "EXECUTE FUNCTION security_report_done();"
        )
    try:
        yield lambda: _count("SELECT count(*) FROM security_report_done")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS security_report_done ON reports_report;"
                "DROP FUNCTION IF EXISTS security_report_done();"
                "DROP TABLE IF EXISTS security_report_done;"
            )


def _count(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_report_lets_the_report_finish_exactly_once(workers):
    """The build is held in the middle by a lock on the table its second measure reads (no
    sleep anywhere); the worker is SIGKILLed there; a new worker finishes the report once."""
    agent = UserFactory(role=Role.AGENT)
    some_activity(agent)
    statistician = UserFactory(role=Role.STATISTICIAN)
    parameters = report_services.clean_parameters(
        {"measures": ["new_beneficiaries", "kits"], "start": START, "end": END}
    )
    expected = builder.build(parameters)
    report = Report.objects.create(requested_by=statistician, parameters=parameters)
    kits_table = Distribution._meta.db_table
    with done_transitions_counted() as done_count:
        with psycopg.connect(database_url_for_tests(), autocommit=False) as blocker:
            blocker.execute(f"LOCK TABLE {kits_table} IN ACCESS EXCLUSIVE MODE")
            first = workers.start()
            assert report_services.report_enqueue(report_id=report.pk)
            # In the middle: the first measure is built (progress between 1 and 100) and the
            # worker waits on the table of the second.
            wait_for(
                lambda: Report.objects.filter(
                    pk=report.pk, status=Status.RUNNING, progress__gt=1, progress__lt=100
                ).exists(),
                what="the report half built",
            )
            wait_for(
                lambda: _count(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE %s",
                    [f"%{kits_table}%"],
                ),
                what="the worker blocked on the second measure",
            )
            workers.kill(first)
            blocker.rollback()  # the orphaned backend runs on, fails to answer, and exits
        workers.start()
        wait_for(
            lambda: Report.objects.filter(
                pk=report.pk, status__in=[Status.DONE, Status.FAILED]
            ).exists(),
            timeout=120,
            what="the report finished by the second worker",
        )
        report.refresh_from_db()
        assert report.status == Status.DONE, report.error
        assert Report.objects.count() == 1
        assert done_count() == 1  # finished exactly once
        # One set of tables, with the numbers an uninterrupted build gives (the stored tables
        # may carry more keys, e.g. the rule set, than the bare builder output).
        tables = report.result["tables"]
        assert [t["key"] for t in tables] == [t["key"] for t in expected]
        for stored, built in zip(tables, expected, strict=True):
            assert {k: stored[k] for k in built} == built
        assert report.checksum == builder.checksum(tables)
    STATS["fault_kill_done_once"] += 1


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(workers):
    statistician = UserFactory(role=Role.STATISTICIAN)
    data = {"measures": ["kits"], "start": START, "end": END}
    broker = redis.Redis.from_url(settings.REDIS_URL)
    with pytest.raises(Rollback), transaction.atomic():
        rolled_back = report_services.report_request(user=statistician, data=data)
        raise Rollback
    assert not Report.objects.filter(pk=rolled_back.pk).exists()
    assert broker.llen(workers.queue) == 0  # nothing was ever sent
    # A committed request, then a worker: it receives that one task and no other.
    kept = report_services.report_request(user=statistician, data=data)
    assert broker.llen(workers.queue) == 1
    workers.start()
    wait_for(lambda: Report.objects.filter(pk=kept.pk, status=Status.DONE).exists(),
             what="the committed report built")  # fmt: skip
    logs = workers.logs()
    assert logs.count("reports.tasks.build_report[") >= 1
    received = [line for line in logs.splitlines() if "received" in line]
    assert len(received) == 1, received
    STATS["fault_rollback_never_ran"] += 1


def test_a_referral_notification_of_a_rolled_back_referral_is_never_sent(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async",
        lambda task, args=None, kwargs=None, **options: sent.append((task.name, args)),
    )
    agent = UserFactory(role=Role.AGENT)
    organisation, _staff = receiving_organisation()
    person = BeneficiaryFactory(agent=agent)
    from referrals import services as referral_services

    with pytest.raises(Rollback), transaction.atomic():
        referral_services.referral_send(
            beneficiary=person, to_organisation=organisation, actor=agent, reason="Test"
        )
        raise Rollback
    assert sent == []
    referral_services.referral_send(
        beneficiary=person, to_organisation=organisation, actor=agent, reason="Test"
    )
    # The outbox rows of the committed referral only (in-app and email for the inbox's staff).
    assert {name for name, _args in sent} == {"core.tasks.deliver_outbox_message"}


@contextlib.contextmanager
def redis_down():
    """Broker and cache pointed at a port where nothing listens, as with Redis stopped."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    caches = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": dead}}
    saved = (app.conf.broker_url, app.conf.broker_write_url)
    app.conf.broker_url, app.conf.broker_write_url = dead, None
    old_pool, app._pool = app._pool, None
    app.amqp._producer_pool = None
    try:
        with override_settings(CACHES=caches):
            yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.broker_write_url = saved
        app._pool = old_pool
        app.amqp._producer_pool = None


def test_with_redis_down_intake_works_and_reports_are_delayed_then_retried(client, workers):
    agent = UserFactory(role=Role.AGENT, language="en")
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation, language="en")
    service = ServiceType.objects.filter(is_active=True, is_sensitive=False).first()
    with redis_down():
        assert report_services.report_enqueue(report_id=0) is False  # the broker is down
        client.force_login(agent)
        response = client.post("/beneficiaries/new/", {
            "first_name": "Mariam", "last_name": "Redisdown", "sex": "female",
            "birth_date": "1994-02-03", "nationality": "ML", "category": "rpt",
            "consent_processing": "on", "consent_date": timezone.localdate().isoformat(),
            "consent_method": "oral", "household_size": "1", "children_count": "0",
            "confirm_new": "1",
        })  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:2000]
        person = Beneficiary.objects.get(last_name="Redisdown")
        response = client.post(f"/beneficiaries/{person.uuid}/visit/", {
            "date": timezone.localdate().isoformat(), "channel": "walk_in",
            "needs": [service.pk], "notes": "",
        })  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Visit.objects.filter(beneficiary=person).count() == 1

        client.force_login(supervisor)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(
            "/reports/new/",
            {"measures": ["kits"], "start": START.isoformat(), "end": END.isoformat(),
             "territory_level": "province"},
            follow=True,
        )  # fmt: skip
        assert response.status_code == 200
        page = response.content.decode()
        assert "cannot be reached right now" in page and "retried automatically" in page
        report = Report.objects.get()
        assert report.status == Status.QUEUED and report.enqueued_at is None
    # Redis is back: what beat runs every minute hands the report to a worker.
    migration = importlib.import_module("reports.migrations.0002_retry_queued_schedule")
    assert migration.TASK == "reports.tasks.retry_queued_reports"
    workers.start()
    assert report_services.queued_reports_retry() == 1
    wait_for(lambda: Report.objects.filter(pk=report.pk, status=Status.DONE).exists(),
             what="the delayed report built")  # fmt: skip
    STATS["fault_redis_down_ok"] += 1


def test_with_redis_down_a_referral_is_still_sent(client):
    agent = UserFactory(role=Role.AGENT, language="en")
    organisation, _staff = receiving_organisation()
    person = BeneficiaryFactory(agent=agent)
    client.force_login(agent)
    with redis_down():
        response = client.post(f"/referrals/new/{person.uuid}/", {
            "to_organisation": organisation.pk, "reason": "Needs a lawyer",
            "urgency": "routine", "idempotency_key": "6f1c1c57-3b7e-4d5c-9b43-0a1d9f2b0c11",
        })  # fmt: skip
    assert response.status_code == 302
    assert person.referrals.count() == 1


# --- Task messages carry ids, never personal data ----------------------------------------
PLAIN = {"int", "str", "bool", "float", "None", "int | None", "str | None"}


def project_tasks():
    app.loader.import_default_modules()
    return {
        name: task for name, task in app.tasks.items()
        if name.split(".")[0] in {"core", "accounts", "baom", "referrals", "projects",
                                   "diaspora", "reports"}
    }  # fmt: skip


def test_every_task_takes_plain_parameters_only():
    tasks = project_tasks()
    assert "reports.tasks.build_report" in tasks
    for name, task in tasks.items():
        signature = inspect.signature(task.run)
        for parameter in signature.parameters.values():
            if parameter.name == "self":
                continue
            annotation = parameter.annotation
            text = (
                annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
            )
            assert text in PLAIN, f"{name}({parameter.name}: {text or 'no annotation'})"


def test_the_messages_sent_during_a_journey_carry_no_personal_data(client, monkeypatch):
    sent = []
    # On each project task object, then on celery's Task class (in this order, so that undoing
    # the patches gives every task its real method back).
    for name, task in project_tasks().items():
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=None, kwargs=None, _name=name, **options: sent.append(
                {"task": _name, "args": list(args or []), "kwargs": dict(kwargs or {})}
            ),
        )
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async",
        lambda task, args=None, kwargs=None, **options: sent.append(
            {"task": task.name, "args": list(args or []), "kwargs": dict(kwargs or {})}
        ),
    )
    from accounts.roles import sync_role_groups

    sync_role_groups()  # an earlier transactional test's flush may have emptied the role groups
    agent = UserFactory(role=Role.AGENT, language="en")
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation)
    organisation, staff = receiving_organisation()
    secrets = ["Zaynabou", "Traore-Secret", "+212661234567", "0661234567", "zaynabou@example.org"]
    client.force_login(agent)
    client.post("/beneficiaries/new/", {
        "first_name": secrets[0], "last_name": secrets[1], "sex": "female",
        "birth_date": "1990-01-01", "category": "rpt", "phone": secrets[3],
        "consent_processing": "on", "consent_sharing": "on",
        "consent_date": timezone.localdate().isoformat(), "consent_method": "oral",
        "household_size": "1", "children_count": "0", "confirm_new": "1",
    })  # fmt: skip
    person = Beneficiary.objects.get(last_name=secrets[1])
    service = ServiceType.objects.filter(is_active=True, is_sensitive=False).first()
    client.post(f"/beneficiaries/{person.uuid}/visit/", {
        "date": timezone.localdate().isoformat(), "channel": "walk_in",
        "needs": [service.pk], "notes": f"Called {secrets[0]} on {secrets[2]}",
    })  # fmt: skip
    client.post(f"/referrals/new/{person.uuid}/", {
        "to_organisation": organisation.pk, "reason": f"{secrets[0]} needs a lawyer",
        "urgency": "routine", "note": secrets[4],
        "idempotency_key": "0b9f3a52-7a53-4a43-8c32-5a8a2a7c9f10",
    })  # fmt: skip
    referral = person.referrals.get()
    client.force_login(staff)
    client.post(f"/referrals/{referral.uuid}/accept/", {"note": f"Seen {secrets[0]}"})
    client.force_login(supervisor)
    requested = client.post(
        "/reports/new/",
        {
            "measures": ["new_beneficiaries"],
            "start": "2026-01-01",
            "end": "2026-06-30",
            "territory_level": "province",
        },
    )
    assert requested.status_code == 302, requested.content.decode()[:1000]
    names = {m["task"] for m in sent}
    assert {"core.tasks.deliver_outbox_message", "reports.tasks.build_report"} <= names
    for message in sent:
        payload = json.dumps([message["args"], message["kwargs"]], ensure_ascii=False)
        assert not any(s.lower() in payload.lower() for s in secrets), message
        for value in [*message["args"], *message["kwargs"].values()]:
            assert isinstance(value, int | str | bool | type(None)), message
            if isinstance(value, str):
                assert len(value) <= 64, message
    STATS["task_messages_checked"] += len(sent)
