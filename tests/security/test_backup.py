"""`make backup` / `make restore` (scripts/backup.py): a backup of a database with records,
restored into an EMPTY database and media directory, gives back the same records and files."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from accounts.roles import Role
from baom import services as baom_services
from baom.models import Beneficiary, ServiceType
from core.models import AuditEvent
from projects import services as projects_services
from projects.models import Attachment
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.projects import factories as projects_factories
from tests.reports.worker import database_url_for_tests

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
SCRIPT = str(Path(settings.BASE_DIR) / "scripts" / "backup.py")


def run_script(*args, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [sys.executable, SCRIPT, *args], env=env, capture_output=True, text=True, check=False,
        cwd=settings.BASE_DIR,
    )  # fmt: skip


def table_counts(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]  # fmt: skip
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608
            for t in tables
        }


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    source = database_url_for_tests()
    with psycopg.connect(source, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(source)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(source, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_into_an_empty_database_with_the_same_records(
    tmp_path, settings, empty_database
):
    call_command("load_reference_data", verbosity=0)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    agent = UserFactory(role=Role.AGENT)
    people = [
        BeneficiaryFactory(agent=agent, first_name="Aïcha", last_name="Backup"),
        BeneficiaryFactory(
            agent=agent, first_name="محمد", last_name="Restauré", phone="0612345678"
        ),
    ]
    baom_services.visit_record(
        beneficiary=people[0], agent=agent, date=people[0].registered_on, channel="walk_in",
        needs=[ServiceType.objects.filter(is_active=True, is_sensitive=False).first()],
        services=[], notes="Première visite", next_follow_up=None,
    )  # fmt: skip
    author = projects_factories.applicant()
    proposal = projects_factories.make_proposal(
        projects_factories.make_call(), author, submit=False
    )
    attachment = projects_services.attachment_add(
        proposal=proposal, actor=author,
        upload=SimpleUploadedFile("statuts.pdf", PDF, "application/pdf"),
    )  # fmt: skip
    assert AuditEvent.objects.exists()
    source = database_url_for_tests()
    before = table_counts(source)

    made = run_script("backup", "--output", str(tmp_path / "backups"), database_url=source,
                      media=media)  # fmt: skip
    assert made.returncode == 0, made.stderr
    (backup,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}
    assert oct(backup.joinpath("database.dump").stat().st_mode & 0o777) == "0o600"

    restored_media = tmp_path / "restored-media"
    done = run_script("restore", str(backup), database_url=empty_database, media=restored_media)
    assert done.returncode == 0, done.stderr

    assert table_counts(empty_database) == before  # every table, row for row
    with psycopg.connect(empty_database) as conn:
        rows = conn.execute(
            "SELECT uuid, code, first_name, last_name, phone FROM baom_beneficiary ORDER BY id"
        ).fetchall()
        assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
            (b.uuid, b.code, b.first_name, b.last_name, b.phone)
            for b in Beneficiary.objects.order_by("id")
        ]
        notes = conn.execute("SELECT notes FROM baom_visit").fetchone()[0]
        assert notes == "Première visite"
        stored = conn.execute(
            "SELECT file, original_name FROM projects_attachment WHERE uuid = %s",
            [attachment.uuid],
        ).fetchone()
        assert stored == (attachment.file.name, "statuts.pdf")
        # The audit trail stays append-only after a restore (the trigger came back).
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute("DELETE FROM core_auditevent")
    assert (restored_media / attachment.file.name).read_bytes() == PDF
    assert Attachment.objects.get().file.name == attachment.file.name

    # A second restore into the now populated database is refused, and changes nothing.
    again = run_script("restore", str(backup), database_url=empty_database, media=restored_media)
    assert again.returncode != 0 and "empty database" in again.stderr


def test_a_damaged_backup_is_refused(tmp_path, empty_database):
    media = tmp_path / "media"
    made = run_script("backup", "--output", str(tmp_path / "b"),
                      database_url=database_url_for_tests(),
                      media=media)  # fmt: skip
    assert made.returncode == 0, made.stderr
    (backup,) = (tmp_path / "b").iterdir()
    with backup.joinpath("database.dump").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00garbage\x00")
    refused = run_script("restore", str(backup), database_url=empty_database, media=media)
    assert refused.returncode != 0 and "checksum" in refused.stderr
    assert table_counts(empty_database) == {}
