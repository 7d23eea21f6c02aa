"""Importing a legacy register: dry-run preview with every row's errors, all-or-nothing apply."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from import_export.formats.base_formats import XLSX
from tablib import Dataset

from accounts.roles import Role
from baom.imports import template_dataset
from baom.models import Beneficiary, ConsentRecord
from baom.resources import HEADERS
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/beneficiaries/import/"
LATIN1_CSV = "Nom;Prénom;Sexe;Catégorie;Consentement au traitement\nLé;Zoé;F;RPT;oui\n".encode(
    "cp1252"
)


@pytest.fixture
def supervisor(make_user):
    call_command("load_reference_data", verbosity=0)
    return make_user(Role.SUPERVISOR)


def register(rows: int, *, bad: dict[int, dict] | None = None) -> Dataset:
    dataset = Dataset(headers=list(HEADERS.values()))
    for n in range(rows):
        row = {
            "Nom": f"Nom{n}", "Prénom": f"Prénom{n}", "Sexe": "F" if n % 2 else "Homme",
            "Date de naissance": "15/03/1990", "Âge estimé": "", "Nationalité": "Sénégal",
            "Catégorie": "RPT", "Téléphone": "", "Commune": "Inezgane",
            "Date d'enregistrement": "02/01/2026", "Consentement au traitement": "oui",
            "Consentement au partage": "non",
            "Consentement à être contacté": "oui" if n % 3 else "", "Date du consentement": "",
            "Mode de consentement": "",
        }  # fmt: skip
        row.update((bad or {}).get(n, {}))
        dataset.append([row[h] for h in dataset.headers])
    return dataset


def upload(client, content: bytes, name: str):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def test_agents_cannot_import(client, login, agent):
    login(agent)
    assert client.get(URL).status_code == 403


def test_preview_saves_nothing_then_confirm_saves_every_row(client, login, supervisor):
    login(supervisor)
    response = upload(client, XLSX().export_data(register(12)), "registre.xlsx")
    assert response.status_code == 200
    assert 'data-testid="import-ok"' in response.content.decode()
    assert not Beneficiary.objects.exists()
    assert not AuditEvent.objects.filter(object_type="baom.beneficiary").exists()
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    done = client.post(URL, {"token": token})
    assert done.status_code == 302
    people = Beneficiary.objects.order_by("code")
    assert people.count() == 12
    assert people[0].code.endswith("-2026-00001")
    assert {p.bureau_id for p in people} == {supervisor.organisation_id}
    assert people.filter(sex="male").count() == 6
    assert people.first().commune.name_fr == "Inezgane"
    assert people.first().search_name == "prenom0 nom0"  # found by name search
    # One audit line per person registered, naming the record, never a personal value.
    created = AuditEvent.objects.filter(action="create", object_type="baom.beneficiary")
    assert sorted(created.values_list("object_id", flat=True)) == sorted(
        str(p.uuid) for p in people
    )
    assert {(e.actor_id, e.organisation_id) for e in created} == {
        (supervisor.pk, supervisor.organisation_id)
    }
    # Each person's consent history starts with the answers of the register.
    history = ConsentRecord.objects.filter(beneficiary__in=people)
    assert history.filter(purpose="processing", given=True).count() == 12
    assert history.filter(purpose="sharing", given=False).count() == 12
    assert history.filter(purpose="contact", given=True).count() == 8  # rows 1, 2, 4, 5, ...
    assert people.filter(consent_contact=True).count() == 8
    assert {r.recorded_by_id for r in history} == {supervisor.pk}
    assert client.post(URL, {"token": token}).status_code == 302  # a replay imports nothing
    assert Beneficiary.objects.count() == 12


def test_one_bad_row_among_many_saves_nothing_and_names_row_and_column(client, login, supervisor):
    login(supervisor)
    dataset = register(300, bad={
        10: {"Nom": "x" * 300, "Date d'enregistrement": "2026-13-45"},
        41: {"Date de naissance": "31/12/2099"},
        150: {"Sexe": "peut-être", "Téléphone": "12"},
        299: {"Nationalité": "Atlantide", "Consentement au traitement": "non"},
    })  # fmt: skip
    csv_bytes = dataset.export("csv").encode("utf-8")
    page = upload(client, csv_bytes, "registre.csv").content.decode()
    assert 'data-testid="import-errors"' in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page)
    found = {(int(n), html.unescape(column)) for n, column in rows}
    assert (12, "Nom") in found and (12, "Date d'enregistrement") in found
    assert (43, "Date de naissance") in found  # header is line 1, first row is line 2
    assert (152, "Sexe") in found and (152, "Téléphone") in found
    assert (301, "Nationalité") in found and (301, "Consentement au traitement") in found
    assert 'name="token"' not in page
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "vide.csv", "vide"),
        (b"Prenom,Age\nA,3\n", "autre.csv", "modèle"),
        (LATIN1_CSV, "latin.csv", "UTF-8"),
        (b"PK\x03\x04 not really a spreadsheet", "faux.xlsx", "XLSX"),
        (b"x" * (5 * 1024 * 1024 + 10), "gros.csv", "trop volumineux"),
    ],
    ids=["empty", "wrong-headers", "not-utf8", "fake-xlsx", "too-large"],
)  # fmt: skip
def test_a_file_that_is_not_the_template_is_explained(
    client, login, supervisor, content, name, message
):
    login(supervisor)
    page = upload(client, content, name).content.decode()
    assert message.lower() in page.lower()
    assert not Beneficiary.objects.exists()


def test_semicolon_csv_and_estimated_age_are_understood(client, login, supervisor):
    login(supervisor)
    text = (
        "Nom;Prénom;Sexe;Âge estimé;Catégorie;Consentement au traitement\n"
        "Sow;Awa;femme;34;réfugié;OUI\n"
    )
    page = upload(client, text.encode("utf-8"), "r.csv").content.decode()
    assert 'data-testid="import-ok"' in page, page[page.find("import-errors") - 200 :][:2000]


def test_the_template_downloads_with_french_headers(client, login, supervisor):
    login(supervisor)
    response = client.get(reverse("baom:import_template"))
    assert response.status_code == 200
    dataset = XLSX().create_dataset(response.content)
    assert dataset.headers == list(HEADERS.values())
    assert dataset.headers == template_dataset().headers
