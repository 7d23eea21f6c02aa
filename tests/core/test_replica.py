"""Statistics read from a real streaming replica of the test database's PostgreSQL server.

The replica is made the way an operator makes one (``pg_basebackup -R``: a copy of the primary
that follows its write-ahead log), started next to the embedded server, and added to Django as
the ``replica`` database, as ``DATABASE_REPLICA_URL`` does in settings. Replay is then paused on
the replica, so what the replica answers and what the primary answers differ by a known set of
rows: that is how the tests tell which server a query read.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from baom.models import Beneficiary
from core import db
from scripts import pgreplica
from tests.baom.factories import BeneficiaryFactory

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def _primary_socket_dir() -> str | None:
    host = connections[DEFAULT_DB_ALIAS].settings_dict.get("HOST") or ""
    return host if host.startswith("/") else None


def _lsn(alias: str, sql: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = _lsn(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[db.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up with the primary")


def set_replay(paused: bool) -> None:
    with connections[db.REPLICA].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{'pause' if paused else 'resume'}()")


@pytest.fixture
def replica(transactional_db, settings):
    """A hot standby of the primary, registered as the ``replica`` database for the test."""
    socket_dir = _primary_socket_dir()
    if socket_dir is None or pgreplica.server_bin() is None:
        pytest.skip("needs the embedded PostgreSQL server (a Unix socket) and its binaries")
    user = connections[DEFAULT_DB_ALIAS].settings_dict.get("USER") or "postgres"
    root = Path(tempfile.mkdtemp(prefix="tawjih-replica-"))
    with pgreplica.streaming_replica(socket_dir, user, root, timeout=120) as sockets:
        # Registered the way settings would register DATABASE_REPLICA_URL, but as a connection
        # made for this test (pytest-django allows only the databases it knew when it started).
        conf = {**connections.settings[DEFAULT_DB_ALIAS], "HOST": str(sockets), "TEST": {}}
        connections[db.REPLICA] = connections[DEFAULT_DB_ALIAS].__class__(conf, alias=db.REPLICA)
        settings.DATABASES = {**settings.DATABASES, db.REPLICA: conf}
        try:
            wait_for_replay()
            yield
        finally:
            connections[db.REPLICA].close()
            del connections[db.REPLICA]


def test_reads_go_to_the_replica_only_inside_the_block_and_writes_stay_on_the_primary(replica):
    first, *_others = BeneficiaryFactory.create_batch(3)
    wait_for_replay()
    set_replay(paused=True)
    BeneficiaryFactory.create_batch(2)  # on the primary only, while the replica is paused

    assert Beneficiary.objects.count() == 5  # outside the block: the primary
    with db.replica_reads() as alias:
        assert alias == db.REPLICA
        assert Beneficiary.objects.count() == 3
        # A write inside the block still goes to the primary (a standby would refuse it).
        Beneficiary.objects.filter(pk=first.pk).update(first_name="Written")
        assert not Beneficiary.objects.filter(first_name="Written").exists()
    assert Beneficiary.objects.filter(first_name="Written").count() == 1
    set_replay(paused=False)
    wait_for_replay()
    with db.replica_reads():
        assert Beneficiary.objects.count() == 5
        assert Beneficiary.objects.filter(first_name="Written").count() == 1


def test_a_snapshot_sees_one_state_of_the_data_whatever_the_replica_replays_meanwhile(replica):
    BeneficiaryFactory.create_batch(2)
    wait_for_replay()
    with db.snapshot() as alias:
        assert alias == db.REPLICA
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM baom_beneficiary WHERE first_name = 'Later'")
            assert cursor.fetchone()[0] == 0
        # Committed on the primary and replayed on the replica while the snapshot is open.
        Beneficiary.objects.update(first_name="Later")
        wait_for_replay()
        assert not Beneficiary.objects.filter(first_name="Later").exists()  # the ORM too
    with db.replica_reads():
        assert Beneficiary.objects.filter(first_name="Later").count() == 2


def test_a_report_is_built_from_the_replica_and_written_on_the_primary(replica, make_user):
    """The report task reads every measure from the replica in one snapshot; the report row
    (status, tables, the time its data is from) is written on the primary."""
    from accounts.roles import Role
    from reports import services
    from reports.models import Report, Status
    from tests.reports.factories import REGISTERED, parameters

    agent = make_user(Role.AGENT)
    BeneficiaryFactory.create_batch(3, agent=agent, registered_on=REGISTERED, sex="female")
    wait_for_replay()
    set_replay(paused=True)
    BeneficiaryFactory.create_batch(2, agent=agent, registered_on=REGISTERED, sex="female")

    def build() -> Report:
        report = Report.objects.create(
            requested_by=make_user(Role.STATISTICIAN),
            parameters=parameters(measures=["new_beneficiaries"], breakdowns=[]),
            rules_version="2026.2",
        )
        assert services.report_build(report_id=report.pk) == "done"
        report.refresh_from_db()  # on the primary: the replica is paused
        return report

    def women(report) -> int:
        table = next(t for t in report.result["tables"] if t["key"] == "new_beneficiaries__total")
        return table["rows"][0]["cells"][0]

    paused = build()
    assert paused.status == Status.DONE
    assert women(paused) == 3  # what the replica had replayed, not the 5 on the primary
    set_replay(paused=False)
    wait_for_replay()
    assert women(build()) == 5


def test_the_forms_publishable_check_reads_from_the_replica(replica, make_user):
    """ "Can it be published?" builds a person table inside the web request: a statistics read,
    on the replica when there is one, so the primary answers the agents meanwhile."""
    from django.test.utils import CaptureQueriesContext

    from accounts.roles import Role
    from reports import services
    from tests.reports.factories import REGISTERED, parameters

    agent = make_user(Role.AGENT)
    BeneficiaryFactory.create_batch(3, agent=agent, registered_on=REGISTERED, sex="female")
    wait_for_replay()
    request = parameters(measures=["new_beneficiaries"], breakdowns=["category"])
    with (
        CaptureQueriesContext(connections[db.REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        services.publishable_check(request)
    assert any("GROUPING SETS" in q["sql"] for q in on_replica.captured_queries)
    assert not any("GROUPING SETS" in q["sql"] for q in on_primary.captured_queries)
