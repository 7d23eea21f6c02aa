"""Issue 18 #4: the role the application connects as cannot rewrite or empty the audit trail,
and tampering by the owner is detected by the hash chain (``verify_audit``)."""

from __future__ import annotations

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.management.commands.db_app_role import grant_app_role
from core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "tawjih_app_test"


@pytest.fixture
def app_connection():
    """A connection to the test database as the application role (made by the real command)."""
    grant_app_role(ROLE)
    settings = connection.settings_dict
    conn = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or None, dbname=settings["NAME"],
        user=ROLE, autocommit=True,
    )  # fmt: skip
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


def refused(conn, statement: str) -> bool:
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


INSERT = (
    "INSERT INTO core_auditevent (created_at, username, action, object_type, object_id, path) "
    "VALUES (now(), 'app', 'read', 'baom.beneficiary', 'x', '/')"
)


def test_the_application_role_appends_and_reads_but_cannot_rewrite(app_connection):
    conn = app_connection
    conn.execute(INSERT)
    assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] == 1
    # Normal work elsewhere: it may change other tables.
    conn.execute("UPDATE accounts_organisation SET name = name WHERE false")
    for statement in (
        "UPDATE core_auditevent SET username = 'x'",
        "DELETE FROM core_auditevent",
        "TRUNCATE core_auditevent",
        "TRUNCATE core_auditevent_default",
        "DELETE FROM core_auditevent_default",
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "UPDATE core_audithead SET seq = 0",
        "DROP TABLE core_auditevent",
        "CREATE TRIGGER t BEFORE INSERT ON core_auditevent FOR EACH ROW "
        "EXECUTE FUNCTION core_auditevent_append_only()",
    ):
        assert refused(conn, statement), statement
    assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] == 1
    # The beat task's partitions: through the owner's function only.
    conn.execute("SELECT core_audit_ensure_partitions(6)")


def test_lines_are_chained_and_owner_tampering_is_detected(app_connection):
    for _ in range(5):
        app_connection.execute(INSERT)
    # A COPY (core.bulk, record_many) is chained line by line in the same statement.
    columns = "created_at, username, action, object_type, object_id, path"
    copy_sql = f"COPY core_auditevent ({columns}) FROM STDIN"
    with app_connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for n in range(3):
            copy.write_row(("2026-12-01T10:00:00Z", "app", "read", "baom.beneficiary",
                            f"copy-{n}", "/"))  # fmt: skip
    call_command("verify_audit")
    lines = list(AuditEvent.objects.order_by("chain_seq"))
    assert len(lines) == 8 and len({line.chain_seq for line in lines}) == 8
    assert [b.prev_hash for b in lines[1:]] == [a.line_hash for a in lines[:-1]]
    # The owner disables the append-only trigger and rewrites a line.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(
            "UPDATE core_auditevent SET username = 'someone else' WHERE chain_seq = %s",
            [lines[2].chain_seq],
        )
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


def test_a_deleted_line_is_detected(app_connection):
    for _ in range(4):
        app_connection.execute(INSERT)
    seq = AuditEvent.objects.order_by("chain_seq")[1].chain_seq
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute("DELETE FROM core_auditevent WHERE chain_seq = %s", [seq])
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    from core.audit_chain import verify

    result = verify()
    assert [(s, problem) for s, _pk, problem in result.problems] == [
        (seq + 1, "line missing before")
    ]
