"""Uploads and imports: content checked (not the extension), size limits, XML bombs, private
storage served only through a permission-checked view, and the all-or-nothing import.

Also covered elsewhere (not repeated here): the register import's empty / wrong-headers /
not-UTF-8 / fake-XLSX / too-large files (tests/baom/test_import.py::
test_a_file_that_is_not_the_template_is_explained), agents refused the import
(tests/baom/test_import.py::test_agents_cannot_import), an HTML page or an executable renamed
.pdf and a 5 MB attachment refused (tests/projects/test_views.py)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from accounts.roles import Role
from baom import imports
from baom.models import Beneficiary
from baom.resources import HEADERS
from diaspora.models import DiasporaMember
from projects.models import Attachment
from tests.factories import UserFactory
from tests.projects import factories as projects_factories
from tests.security.conftest import count

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    "</sheetData></worksheet>"
)


def xlsx(headers: list[str], rows: list[list[str]] = (), *, sheet_xml: str | None = None):
    """A real XLSX; with sheet_xml, its first sheet replaced by that XML."""
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if sheet_xml is None:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(item, data)
    return rebuilt.getvalue()


def a_zip_holding(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


def a_zip_bomb() -> bytes:
    """A real XLSX plus a member that unpacks to 110 MB of zeros (about 110 KB packed)."""
    out = io.BytesIO(xlsx(list(HEADERS.values())))
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w") as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(110):
            member.write(chunk)
    return out.getvalue()


@pytest.fixture
def supervisor(db):
    call_command("load_reference_data", verbosity=0)
    return UserFactory(role=Role.SUPERVISOR, language="en")


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.DIASPORA_OFFICER, language="en")


IMPORTS = {
    "baom": ("/beneficiaries/import/", "supervisor", Beneficiary),
    "diaspora": ("/diaspora/members/import/", "officer", DiasporaMember),
}
HOSTILE_FILES = {
    "exe-as-xlsx": (EXE, "registre.xlsx"),
    "exe-as-csv": (EXE, "registre.csv"),
    "html-as-xlsx": (HTML, "registre.xlsx"),
    "zip-of-html-as-xlsx": (a_zip_holding("index.html", HTML), "registre.xlsx"),
    "billion-laughs-xlsx": (xlsx(list(HEADERS.values()), sheet_xml=BILLION_LAUGHS), "r.xlsx"),
    "external-entity-xlsx": (xlsx(list(HEADERS.values()), sheet_xml=EXTERNAL_ENTITY), "r.xlsx"),
    "zip-bomb-xlsx": (a_zip_bomb(), "r.xlsx"),
}


@pytest.mark.parametrize("app", IMPORTS)
@pytest.mark.parametrize("case", HOSTILE_FILES)
def test_a_hostile_file_is_refused_with_a_message(client, request, app, case):
    url, user_fixture, model = IMPORTS[app]
    client.force_login(request.getfixturevalue(user_fixture))
    content, name = HOSTILE_FILES[case]
    started = time.monotonic()
    response = client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")})
    elapsed = time.monotonic() - started
    count(f"upload:{app}", "tried")
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert 'name="token"' not in page  # nothing offered for confirmation
    assert "invalid-feedback" in page or "alert-danger" in page or "errorlist" in page, page[:3000]
    assert "root:x:0:0" not in page  # the external entity was never resolved
    assert not model.objects.exists()
    # An XML bomb is refused before expansion (defusedxml), not after eating the memory.
    assert elapsed < 20
    count(f"upload:{app}", "refused")


def test_openpyxl_parses_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml must be installed: openpyxl then refuses XML entities"


def test_the_diaspora_import_has_a_size_limit(client, officer):
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    big = b"first_name,last_name\n" + b"Awa,Diallo\n" * (600_000)  # 6.6 MB
    response = client.post(
        "/diaspora/members/import/", {"file": SimpleUploadedFile("big.csv", big, "text/csv")}
    )
    assert response.status_code in (200, 400)
    assert "larger than 5 MB" in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert not DiasporaMember.objects.exists()


def register_rows(rows: int, bad_row: int) -> bytes:
    lines = [";".join(HEADERS.values())]
    for n in range(rows):
        sex = "Sexe inconnu" if n == bad_row else ("F" if n % 2 else "Homme")
        lines.append(
            f"Nom{n};Prénom{n};{sex};15/03/1990;;Sénégal;RPT;;Inezgane;02/01/2026;oui;non;;"
        )
    return ("\n".join(lines) + "\n").encode()


def test_one_bad_row_among_10000_commits_nothing_and_names_the_row_and_field(client, supervisor):
    """The 300-row version with four kinds of bad rows is in tests/baom/test_import.py."""
    content = register_rows(10_000, bad_row=7_321)
    client.force_login(supervisor)
    response = client.post(
        "/beneficiaries/import/", {"file": SimpleUploadedFile("registre.csv", content)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in page
    assert "<td>7323</td><td>Sexe</td>" in page  # data row 7,321 is line 7,323 of the file
    assert 'name="token"' not in page
    # The apply step, called directly with the same file: all or nothing.
    dataset = imports.read_register(content, "registre.csv")
    outcome = imports.run_import(
        dataset, bureau=supervisor.organisation, agent=supervisor, dry_run=False
    )
    assert not outcome.ok and outcome.created == 0
    assert [(e["row"], str(e["field"])) for e in outcome.errors] == [(7323, "Sexe")]
    assert not Beneficiary.objects.exists()


# --- Attachments ------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def draft(db):
    author = projects_factories.applicant(language="en")
    call = projects_factories.make_call()
    return projects_factories.make_proposal(call, author, submit=False), author


ATTACHMENTS = {
    "exe-as-xlsx": (EXE, "budget.xlsx"),
    "exe-as-docx": (EXE, "statuts.docx"),
    "html-as-png": (HTML, "logo.png"),
    "html-as-jpg": (HTML, "photo.jpg"),
    "zip-of-html-as-docx": (a_zip_holding("index.html", HTML), "statuts.docx"),
    "zip-of-exe-as-xlsx": (a_zip_holding("setup.exe", EXE), "budget.xlsx"),
    "zip-of-html-as-odt": (a_zip_holding("index.html", HTML), "statuts.odt"),
    "svg-as-png": (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "a.png"),
}


@pytest.mark.parametrize("case", ATTACHMENTS)
def test_an_attachment_is_checked_by_content(client, media, draft, case):
    proposal, author = draft
    client.force_login(author)
    content, name = ATTACHMENTS[case]
    response = client.post(
        f"/projects/proposals/{proposal.uuid}/attachments/",
        {"file": SimpleUploadedFile(name, content, "application/pdf")},
        follow=True,
    )
    count("upload:attachments", "tried")
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
    count("upload:attachments", "refused")


def test_real_office_documents_are_accepted(client, media, draft):
    proposal, author = draft
    client.force_login(author)
    book = xlsx(["Poste", "Montant"], [["Personnel", "1000"]])
    client.post(
        f"/projects/proposals/{proposal.uuid}/attachments/",
        {"file": SimpleUploadedFile("budget.xlsx", book, "application/octet-stream")},
    )
    assert Attachment.objects.get().original_name == "budget.xlsx"


def test_attachments_are_private_and_served_as_downloads(client, media, draft):
    proposal, author = draft
    client.force_login(author)
    client.post(
        f"/projects/proposals/{proposal.uuid}/attachments/",
        {"file": SimpleUploadedFile("statuts.pdf", PDF, "application/pdf")},
    )
    attachment = Attachment.objects.get()
    path = Path(attachment.file.path).resolve()
    # Stored under MEDIA_ROOT, which is neither inside nor holding the static files.
    static_dirs = [Path(settings.STATIC_ROOT).resolve()] + [
        Path(d[1] if isinstance(d, tuple) else d).resolve() for d in settings.STATICFILES_DIRS
    ]
    assert path.is_relative_to(media.resolve())
    assert not any(path.is_relative_to(d) for d in static_dirs)
    assert not any(d.is_relative_to(media.resolve()) for d in static_dirs)

    download = client.get(f"/projects/attachments/{attachment.uuid}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    # No URL serves the stored file directly.
    relative = path.relative_to(media.resolve()).as_posix()
    assert client.get(f"{settings.MEDIA_URL}{relative}").status_code == 404
    assert client.get(f"/static/../var/media/{relative}").status_code == 404
    # Another organisation's staff, and an anonymous visitor, do not get it.
    client.force_login(projects_factories.applicant())
    assert client.get(f"/projects/attachments/{attachment.uuid}/").status_code == 404
    client.logout()
    assert client.get(f"/projects/attachments/{attachment.uuid}/").status_code in (302, 404)


def test_a_zip_bomb_is_refused_from_its_directory_alone():
    from django.core.exceptions import ValidationError

    from core.spreadsheets import check_unpacked_size

    check_unpacked_size(xlsx(list(HEADERS.values()), [["a"] * len(HEADERS)]))  # a register: fine
    with pytest.raises(ValidationError, match=r"100 (Mo|MB)"):
        check_unpacked_size(a_zip_bomb())
    with pytest.raises(ValidationError) as refused:
        imports.read_register(a_zip_bomb(), "registre.xlsx")
    assert refused.value.code == "unpacked_too_large"
