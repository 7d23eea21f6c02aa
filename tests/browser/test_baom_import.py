"""A supervisor imports a register, then uploads the same register again and is stopped; a
register with rows already known lists them, with a choice per row (issue 13)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from tablib import Dataset

from accounts.roles import Role
from baom.models import Beneficiary, RegisterImport
from baom.resources import HEADERS
from tests.browser.test_baom import shot, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def register_csv(names: list[tuple[str, str]]) -> bytes:
    dataset = Dataset(headers=list(HEADERS.values()))
    for n, (last, first) in enumerate(names):
        dataset.append([
            last, first, "F", f"{n + 1:02d}/03/1991", "", "Mali", "RPT", "", "Inezgane",
            "02/01/2026", "oui", "non", "", "", "",
        ])  # fmt: skip
    return dataset.export("csv").encode("utf-8")


def upload(page, content: bytes, name: str) -> None:
    page.goto("/beneficiaries/import/")
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_test_id("preview").click()


def test_a_supervisor_uploading_the_same_register_twice_is_stopped(page, transactional_db):
    call_command("load_reference_data", verbosity=0)
    supervisor = UserFactory(role=Role.SUPERVISOR, full_name="Superviseure Démo")
    names = [("Traoré", "Awa"), ("Koné", "Mariam"), ("Camara", "Binta")]
    content = register_csv(names)
    sign_in(page, supervisor)

    upload(page, content, "registre-janvier.csv")
    expect(page.get_by_test_id("import-ok")).to_be_visible()
    page.get_by_test_id("confirm-import").click()
    expect(page.locator(".alert-success")).to_contain_text("3")
    assert Beneficiary.objects.count() == 3

    # The same file again: stopped with the date of the first import, nothing to confirm.
    upload(page, content, "registre-janvier.csv")
    expect(page.locator("form[data-testid=import-form]")).to_contain_text("déjà été importé")
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    shot(page, "baom-import-refused-fr")

    # The register with one more row, saved again: the three known rows are listed.
    longer = register_csv([*names, ("Sylla", "Khadija")])
    upload(page, longer, "registre-janvier-v2.csv")
    expect(page.get_by_test_id("duplicate-row")).to_have_count(3)
    row = page.locator("[data-testid=duplicate-row][data-row='3']")
    row.get_by_label("Importer quand même").check()
    page.get_by_test_id("confirm-import").click()  # no reason: asked for one
    expect(row.locator(".invalid-feedback")).to_be_visible()
    row = page.locator("[data-testid=duplicate-row][data-row='3']")
    row.locator("input[type=text]").fill("Deux personnes de même nom, vérifié au guichet")
    shot(page, "baom-import-duplicates-fr")
    page.get_by_test_id("confirm-import").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Beneficiary.objects.count() == 5  # Sylla, and Koné imported anyway
    latest = RegisterImport.objects.order_by("-imported_at").first()
    assert (latest.created, latest.skipped) == (2, 2)

    # The same page in Arabic (right to left) for a colleague.
    colleague = UserFactory(
        role=Role.SUPERVISOR, organisation=supervisor.organisation, language="ar"
    )
    sign_in(page, colleague)
    upload(page, longer, "registre-janvier-v2.csv")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("form[data-testid=import-form]")).to_contain_text("سبق استيراد")
    upload(page, register_csv([*names, ("Diop", "Aïcha")]), "registre-v3.csv")
    expect(page.get_by_test_id("duplicate-row")).to_have_count(3)
    shot(page, "baom-import-duplicates-ar")
