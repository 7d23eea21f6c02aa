"""Register import integrity (issue 13): duplicates within the file and against the bureau with
a choice per row, a file imported twice refused, one message for wrong headers, nothing saved
when an import fails. Expected rows are counted by hand from the fixtures below."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from import_export.formats.base_formats import XLSX
from tablib import Dataset

from accounts.roles import Role
from baom.models import Beneficiary, RegisterImport
from baom.resources import HEADERS
from core.models import AuditEvent
from tests.baom.factories import BeneficiaryFactory, supervisor_of
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
URL = "/beneficiaries/import/"
COLUMNS = [*HEADERS.values(), "Code"]


@pytest.fixture
def supervisor(make_user):
    call_command("load_reference_data", verbosity=0)
    return make_user(Role.SUPERVISOR)


def row(last, first, *, born="15/03/1990", phone="", code=""):
    values = {
        "Nom": last, "Prénom": first, "Sexe": "F", "Date de naissance": born, "Âge estimé": "",
        "Nationalité": "Mali", "Catégorie": "RPT", "Téléphone": phone, "Commune": "Inezgane",
        "Date d'enregistrement": "02/01/2026", "Consentement au traitement": "oui",
        "Consentement au partage": "non", "Consentement à être contacté": "",
        "Date du consentement": "", "Mode de consentement": "", "Code": code,
    }  # fmt: skip
    return [values[h] for h in COLUMNS]


def csv_of(rows) -> bytes:
    dataset = Dataset(headers=COLUMNS)
    for r in rows:
        dataset.append(r)
    return dataset.export("csv").encode("utf-8")


def upload(client, content: bytes, name: str = "registre.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def flagged(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-testid="duplicate-row" data-row="(\d+)"', page)}


@pytest.fixture
def register_with_duplicates(supervisor):
    """The bureau has A (Fatoumata Diallo, 15/03/1990, 0612345678) and B; another bureau has
    C (Aïssata Koné, 01/01/1985). The file (header on line 1):
        2 Nom0 Prénom0             clean
        3 Diallo Fatoumata 1990    same name and birth date as A
        4 Traoré Moussa, A's phone same phone as A
        5 Nom5 Prénom5, code of B  same code as B
        6 Camara Binta, 0600000001 clean (first of its kind in the file)
        7 Camara Binta             same name and birth date as row 6
        8 Sylla Mariam, 0600000001 same phone as row 6
        9 Koné Aïssata 1985        same as C, but C is another bureau's: not a duplicate
    Flagged: 3, 4, 5, 7, 8."""
    a = BeneficiaryFactory(
        agent=supervisor, first_name="Fatoumata", last_name="Diallo",
        birth_date=datetime.date(1990, 3, 15), phone="0612345678",
    )  # fmt: skip
    b = BeneficiaryFactory(agent=supervisor, first_name="Ibrahima", last_name="Bah")
    elsewhere = supervisor_of(OrganisationFactory(bureau=True))
    BeneficiaryFactory(
        agent=elsewhere, first_name="Aïssata", last_name="Koné",
        birth_date=datetime.date(1985, 1, 1),
    )  # fmt: skip
    rows = [
        row("Nom0", "Prénom0"),
        row("DIALLO", "fatoumata"),
        row("Traoré", "Moussa", born="01/02/1980", phone="+212 612-345-678"),
        row("Nom5", "Prénom5", born="02/02/1992", code=b.code),
        row("Camara", "Binta", born="03/03/1993", phone="0600000001"),
        row("Camara", "Binta", born="03/03/1993"),
        row("Sylla", "Mariam", born="04/04/1994", phone="0600000001"),
        row("Koné", "Aïssata", born="01/01/1985"),
    ]
    return csv_of(rows), a, b


def test_duplicates_within_the_file_and_against_the_bureau_are_listed(
    client, login, supervisor, register_with_duplicates
):
    content, a, b = register_with_duplicates
    login(supervisor)
    page = upload(client, content).content.decode()
    assert 'data-testid="import-duplicates"' in page
    assert 'data-testid="import-ok"' not in page  # never "all rows are correct"
    assert flagged(page) == {3, 4, 5, 7, 8}
    # Each flagged row names what it looks like.
    rows = dict(re.findall(r'data-row="(\d+)">(.*?)</tr>', page, flags=re.S))
    assert a.code in rows["3"] and "même nom et date de naissance" in rows["3"]
    assert a.code in rows["4"] and "même téléphone" in rows["4"]
    assert b.code in rows["5"] and "même code" in rows["5"]
    assert "ligne 6" in rows["7"] and "ligne 6" in rows["8"]
    assert Beneficiary.objects.count() == 3  # the preview saved nothing


def test_choices_are_honoured_and_the_reason_is_kept(
    client, login, supervisor, register_with_duplicates
):
    content, a, _b = register_with_duplicates
    login(supervisor)
    token = token_of(upload(client, content).content.decode())
    # Importing a duplicate without saying why is refused, and nothing is saved.
    page = client.post(URL, {"token": token, "choice-4": "import"}).content.decode()
    assert "Dites pourquoi" in page
    assert Beneficiary.objects.count() == 3
    # Skip 3, 5, 7, 8 (the default); import 4 anyway with a reason: 8 rows - 4 skipped.
    done = client.post(
        URL, {"token": token, "choice-4": "import", "reason-4": "  Homonyme,  autre  personne "}
    )
    assert done.status_code == 302
    imported = Beneficiary.objects.filter(bureau=supervisor.organisation).exclude(
        pk__in=[a.pk, _b.pk]
    )
    assert sorted(imported.values_list("last_name", flat=True)) == [
        "Camara", "Koné", "Nom0", "Traoré"
    ]  # fmt: skip
    record = RegisterImport.objects.get()
    assert (record.rows, record.created, record.skipped) == (8, 4, 4)
    assert record.imported_by == supervisor
    decisions = {d["row"]: d for d in record.decisions}
    assert {r: d["decision"] for r, d in decisions.items()} == {
        3: "skip", 4: "import", 5: "skip", 7: "skip", 8: "skip"
    }  # fmt: skip
    assert decisions[4]["reason"] == "Homonyme, autre personne"
    assert decisions[4]["uuid"] == str(imported.get(last_name="Traoré").uuid)
    assert decisions[4]["matches"] == [a.code]
    assert AuditEvent.objects.filter(
        action="create", object_type="baom.registerimport", object_id=str(record.pk),
        actor=supervisor,
    ).exists()  # fmt: skip


def test_the_same_file_is_refused_with_the_date_of_the_first_import(client, login, supervisor):
    login(supervisor)
    content = XLSX().export_data(_plain(4))
    first = upload(client, content, "registre.xlsx").content.decode()
    assert client.post(URL, {"token": token_of(first)}).status_code == 302
    assert Beneficiary.objects.count() == 4
    again = upload(client, content, "copie.xlsx").content.decode()
    assert "déjà été importé" in again
    day = RegisterImport.objects.get().imported_at
    assert f"{day.astimezone(datetime.UTC).year}" in again
    assert 'name="token"' not in again and 'data-testid="import-ok"' not in again
    # Another bureau's supervisor may import the same file: the hash is kept per bureau.
    other = supervisor_of(OrganisationFactory(bureau=True))
    client.logout()
    login(other)
    page = upload(client, content, "registre.xlsx").content.decode()
    assert 'data-testid="import-ok"' in page


def test_a_register_already_imported_but_saved_again_lists_every_row(client, login, supervisor):
    login(supervisor)
    dataset = _plain(5, phones=True)
    first = upload(client, XLSX().export_data(dataset), "registre.xlsx").content.decode()
    client.post(URL, {"token": token_of(first)})
    # The same register saved as CSV: another hash, but every row is a person already there.
    page = upload(client, dataset.export("csv").encode("utf-8"), "registre.csv").content.decode()
    assert 'data-testid="import-ok"' not in page
    assert flagged(page) == {2, 3, 4, 5, 6}


def test_two_previews_of_one_file_confirmed_twice_save_it_once(client, login, supervisor):
    login(supervisor)
    content = _plain(3).export("csv").encode("utf-8")
    first = token_of(upload(client, content).content.decode())
    second = token_of(upload(client, content).content.decode())  # another tab
    assert client.post(URL, {"token": first}).status_code == 302
    page = client.post(URL, {"token": second}, follow=True).content.decode()
    assert "déjà été importé" in page
    assert Beneficiary.objects.count() == 3
    assert RegisterImport.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Sexe": "Genre"}, ["Sexe", "Genre"]),  # a wrong header
        ({"Mode de consentement": "Remarques"}, ["Remarques"]),  # an extra one
    ],
    ids=["wrong", "extra"],
)
def test_a_wrong_or_extra_header_gives_one_message(client, login, supervisor, headers, expected):
    login(supervisor)
    dataset = _plain(40)
    dataset.headers = [headers.get(h, h) for h in dataset.headers]
    page = upload(client, dataset.export("csv").encode("utf-8")).content.decode()
    assert "n’est pas le modèle" in page or "n'est pas le modèle" in page
    for column in expected:
        assert column in page
    assert "has no attribute" not in page  # no internal error
    assert 'data-testid="import-errors"' not in page  # no table of per-row errors
    assert page.count("invalid-feedback") == 1
    assert not Beneficiary.objects.exists()


def test_a_failed_import_saves_no_row(client, login, supervisor):
    login(supervisor)
    dataset = _plain(30)
    dataset[29] = [*dataset[29][:-5], "peut-être", *dataset[29][-4:]]  # consent to sharing
    page = upload(client, dataset.export("csv").encode("utf-8")).content.decode()
    assert 'data-testid="import-errors"' in page and 'name="token"' not in page
    assert not Beneficiary.objects.exists()
    assert not RegisterImport.objects.exists()
    assert not AuditEvent.objects.filter(object_type__startswith="baom.").exists()


def _plain(rows: int, *, phones: bool = False) -> Dataset:
    dataset = Dataset(headers=list(HEADERS.values()))
    for n in range(rows):
        dataset.append([
            f"Nom{n}", f"Prénom{n}", "F", "15/03/1990", "", "Mali", "RPT",
            f"06000000{n:02d}" if phones else "", "Inezgane", "02/01/2026", "oui", "non", "", "",
            "",
        ])  # fmt: skip
    return dataset
