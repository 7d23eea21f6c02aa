"""An agent's casework papers in a real browser (issue 14): upload a document to a person
(a disguised file is refused with a message), link a household member, print the referral
slip in French and in Arabic. With TAWJIH_SCREENSHOTS=docs/screenshots, keeps screenshots of
the household card and the slip (rendered from the downloaded PDF with pypdfium2)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.roles import OrganisationKind, Role
from baom.models import HouseholdMember, PersonDocument
from referrals.models import DirectoryEntry
from tests.baom import files
from tests.baom.factories import BeneficiaryFactory
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.referrals.factories import DirectoryEntryFactory, send_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def use_language(page, language: str) -> None:
    """The language menu of the navigation, as a user switches."""
    if page.locator("html").get_attribute("lang") == language:
        return
    page.locator("#language-menu").click()
    page.get_by_test_id(f"lang-{language}").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def render_pdf(content: bytes, name: str) -> None:
    if not SCREENSHOTS:
        return
    import pypdfium2

    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(content)
    image = document[0].render(scale=1.4).to_pil()
    image.save(Path(SCREENSHOTS) / f"{name}.png")


@pytest.fixture
def bureau(transactional_db, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    call_command("load_reference_data", verbosity=0)
    bureau = OrganisationFactory(bureau=True, name="BAOM Agadir", code="AGA")
    agent = UserFactory(role=Role.AGENT, organisation=bureau, full_name="Agent Démo")
    partner = OrganisationFactory(
        name="Voix de Femmes du Maroc", acronym="VFM", kind=OrganisationKind.ASSOCIATION,
        address="Quartier Asadaf, Agadir", phone="+212528220000",
    )  # fmt: skip
    DirectoryEntryFactory(organisation=partner, languages=["fr", "ar", "darija"])
    DirectoryEntry.objects.filter(organisation=partner).update(
        opening_hours="Lundi–vendredi, 9h–17h", contact_point="Accueil, demander Mme Alaoui"
    )
    mother = BeneficiaryFactory(
        agent=agent, first_name="Awa", last_name="Koné", nationality="CI", household_size=3,
        children_count=1,
    )  # fmt: skip
    child = BeneficiaryFactory(agent=agent, first_name="Ismaël", last_name="Koné", nationality="CI")
    return {"agent": agent, "partner": partner, "mother": mother, "child": child}


def test_document_household_and_slip(page, bureau):
    agent, mother, child = bureau["agent"], bureau["mother"], bureau["child"]
    sign_in(page, agent)

    # A document: a real PDF is kept; an HTML page renamed .pdf is refused with a message.
    page.goto(mother.get_absolute_url())
    page.get_by_test_id("documents-link").click()
    form = page.get_by_test_id("document-form")
    form.locator("#id_kind").select_option("identity")
    form.locator("#id_file").set_input_files(
        {"name": "passeport.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}
    )
    page.get_by_test_id("document-submit").click()
    expect(page.get_by_test_id("document-row")).to_have_count(1)
    form = page.get_by_test_id("document-form")
    form.locator("#id_kind").select_option("medical")
    form.locator("#id_file").set_input_files(
        {"name": "lettre.pdf", "mimeType": "application/pdf", "buffer": files.HTML}
    )
    page.get_by_test_id("document-submit").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("lettre.pdf")
    expect(page.get_by_test_id("document-row")).to_have_count(1)
    assert PersonDocument.objects.get().original_name == "passeport.pdf"
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "baom-documents-refused-fr.png"))

    # The household: the child linked by code; the card appears on both pages.
    page.goto(mother.get_absolute_url())
    page.get_by_test_id("household-manage").click()
    form = page.get_by_test_id("household-form")
    form.locator("#id_code").fill(child.code)
    form.locator("#id_relationship").select_option("child")
    page.get_by_test_id("household-submit").click()
    card = page.get_by_test_id("household-card")
    expect(card).to_contain_text("Ismaël Koné")
    assert HouseholdMember.objects.get(beneficiary=child).relationship == "child"
    page.goto(child.get_absolute_url())
    expect(page.get_by_test_id("parent-link")).to_contain_text("Awa Koné")
    if SCREENSHOTS:
        page.goto(mother.get_absolute_url())
        page.get_by_test_id("household-card").screenshot(
            path=str(Path(SCREENSHOTS) / "baom-household-card-fr.png")
        )

    # The referral form shows the chosen partner's directory entry (served script, no CDN).
    page.goto(mother.get_absolute_url())
    page.get_by_test_id("refer").click()
    page.locator("#id_to_organisation").select_option(str(bureau["partner"].pk))
    expect(page.get_by_test_id("directory-card")).to_contain_text("9h–17h")

    # The slip, from the referral's page, in French then in Arabic.
    referral = send_referral(agent=agent, to_organisation=bureau["partner"], beneficiary=mother)
    for language in ("fr", "ar"):
        page.goto(referral.get_absolute_url())
        use_language(page, language)
        if language == "ar":
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            if SCREENSHOTS:
                page.goto(mother.get_absolute_url())
                page.get_by_test_id("household-card").screenshot(
                    path=str(Path(SCREENSHOTS) / "baom-household-card-ar.png")
                )
                page.goto(referral.get_absolute_url())
        with page.expect_download() as download_info:
            page.get_by_test_id("print-slip").click()
        download = download_info.value
        content = Path(download.path()).read_bytes()
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        assert "Quartier Asadaf, Agadir" in text and "9h–17h" in text
        assert PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"] == language
        render_pdf(content, f"referrals-slip-{language}")
