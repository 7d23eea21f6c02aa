"""Create (if missing) and grant the role the web site and the workers connect as.

Run as the owner of the tables (the role that runs ``migrate``), after every ``migrate``: the
application role gets SELECT, INSERT, UPDATE, DELETE on every table and the use of every
sequence, but only INSERT and SELECT on the audit trail, and no TRUNCATE, TRIGGER or
REFERENCES anywhere. It owns nothing, so it cannot ALTER a table (disable a trigger), and as a
non-superuser it cannot set ``session_replication_role``. The audit partitions are created by
a SECURITY DEFINER function it may only call.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from django.db import connection
from psycopg import sql

AUDIT_TABLES = ("core_auditevent",)
HELPERS = ("core_audit_ensure_partitions(integer)",)


def grant_app_role(role: str, password: str = "") -> None:
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(name)
            )
        elif row[0]:
            raise ValueError(f"{role} is a superuser: the application role must not be one")
        if password:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
        database = sql.Identifier(connection.settings_dict["NAME"])
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(name),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
        ]
        # The audit trail, its partitions and its chain head: read and append only.
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND (c.relname = 'core_audithead' "
            "OR c.relname LIKE %s) AND c.relkind IN ('r', 'p')",
            ["core\\_auditevent%"],
        )
        for (table,) in cursor.fetchall():
            statements.append(
                sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), name)
            )
        for table in AUDIT_TABLES:
            statements.append(
                sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(sql.Identifier(table), name)
            )
        for function in HELPERS:
            statements.append(
                sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), name)
            )
        for statement in statements:
            cursor.execute(statement)


class Command(BaseCommand):
    help = "Create and grant the application's database role (run as the owner, after migrate)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--role", default=os.environ.get("DATABASE_APP_ROLE", "tawjih_app"),
            help="the role the site and workers connect as ($DATABASE_APP_ROLE, tawjih_app)",
        )  # fmt: skip

    def handle(self, *args, role, **options):
        grant_app_role(role, os.environ.get("DATABASE_APP_PASSWORD", ""))
        self.stdout.write(f"{role}: DML on the tables, INSERT and SELECT only on the audit trail")
