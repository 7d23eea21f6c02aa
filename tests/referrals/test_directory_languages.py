"""The directory's free text in the reader's language, French when not translated.

Policy (docs/referrals.md, core/translated.py): the plain column is the French text; an Arabic
or English page shows the ``_ar``/``_en`` version when it is filled, else the French one,
marked ``lang="fr"``. Expected texts are the ones typed below, not read back from the code.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.urls import reverse

from core.models import AuditEvent
from referrals.models import DirectoryEntry
from tests.baom.factories import BeneficiaryFactory
from tests.referrals.factories import DirectoryEntryFactory, receiving_organisation

pytestmark = pytest.mark.django_db

TRANSLATED = {
    "description": "Accueil de jour et écoute.",
    "description_ar": "استقبال نهاري ودعم نفسي.",
    "description_en": "Day centre and counselling.",
    "opening_hours": "Lun–ven 9h–17h",
    "opening_hours_ar": "من الاثنين إلى الجمعة، من 9:00 إلى 17:00",
    "opening_hours_en": "Mon–Fri 9:00–17:00",
    "contact_point": "Accueil du centre",
    "contact_point_ar": "استقبال المركز",
    "contact_point_en": "Centre front desk",
}
FRENCH_ONLY = {
    "description": "Cours de darija.",
    "opening_hours": "Sam 10h–12h",
    "contact_point": "Secrétariat",
}


def card_of(page: str, organisation_name: str) -> str:
    """The directory card of one organisation in the page's HTML."""
    cards = page.split('data-testid="directory-entry"')[1:]
    return next(card for card in cards if organisation_name in card)


@pytest.fixture
def entries(db):
    translated = DirectoryEntryFactory(organisation__name="Association Asadaf", **TRANSLATED)
    french_only = DirectoryEntryFactory(organisation__name="Association Tasimant", **FRENCH_ONLY)
    return translated, french_only


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ("Accueil de jour et écoute.", "Lun–ven 9h–17h", "Accueil du centre")),
        (
            "ar",
            (
                "استقبال نهاري ودعم نفسي.",
                "من الاثنين إلى الجمعة، من 9:00 إلى 17:00",
                "استقبال المركز",
            ),
        ),
        ("en", ("Day centre and counselling.", "Mon–Fri 9:00–17:00", "Centre front desk")),
    ],
)
def test_the_card_shows_the_text_of_the_page_language(client, agent, entries, language, expected):
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("referrals:directory")).content.decode()
    card = card_of(page, "Association Asadaf")
    for text in expected:
        assert text in card
    others = set(TRANSLATED.values()) - set(expected)
    assert [text for text in others if text in card] == []
    assert 'lang="fr"' not in card


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_untranslated_text_falls_back_to_french_marked_as_french(
    client, agent, entries, language
):
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("referrals:directory")).content.decode()
    card = card_of(page, "Association Tasimant")
    for text in FRENCH_ONLY.values():
        assert f'<span lang="fr" dir="auto">{text}</span>' in card


def test_a_blank_translation_counts_as_missing(client, agent, entries):
    translated, _french_only = entries
    DirectoryEntry.objects.filter(pk=translated.pk).update(opening_hours_ar="   ")
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    card = card_of(client.get(reverse("referrals:directory")).content.decode(), "Asadaf")
    assert '<span lang="fr" dir="auto">Lun–ven 9h–17h</span>' in card
    assert "استقبال المركز" in card


def test_the_referral_form_carries_the_page_language_text(client, agent):
    organisation, _staff = receiving_organisation(organisation__name="Association Asadaf")
    DirectoryEntry.objects.filter(organisation=organisation).update(
        **{**TRANSLATED, "contact_point_ar": ""}
    )
    person = BeneficiaryFactory(agent=agent)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(reverse("referrals:create", args=[person.uuid])).content.decode()
    raw = page.split('id="directory-data" type="application/json">', 1)[1].split("</script>")[0]
    entry = json.loads(raw)[str(organisation.pk)]
    assert entry["description"] == "استقبال نهاري ودعم نفسي."
    assert entry["hours"] == "من الاثنين إلى الجمعة، من 9:00 إلى 17:00"
    assert entry["contact"] == "Accueil du centre"
    assert entry["text_languages"] == {"description": "ar", "hours": "ar", "contact": "fr"}
    assert 'data-separator="، "' in page  # Arabic lists in the card use the Arabic comma


def test_an_association_writes_its_entry_in_three_languages(client, login):
    organisation, staff = receiving_organisation()
    login(staff)
    response = client.post(
        reverse("referrals:directory_edit"),
        {**TRANSLATED, "languages": ["fr"], "accepts_referrals": "on", "response_days": "4"},
    )
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get(organisation=organisation)
    assert {field: getattr(entry, field) for field in TRANSLATED} == TRANSLATED
    assert (
        AuditEvent.objects.filter(
            object_type="referrals.directoryentry", object_id=str(entry.pk), action="update"
        ).count()
        == 1
    )


def test_a_too_long_description_changes_nothing(client, login):
    organisation, staff = receiving_organisation()
    login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.post(
        reverse("referrals:directory_edit"),
        {
            **TRANSLATED,
            "description_ar": "ن" * 601,
            "languages": ["fr"],
            "accepts_referrals": "on",
            "response_days": "4",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["description_ar"]
    entry = DirectoryEntry.objects.get(organisation=organisation)
    assert (entry.description, entry.description_ar, entry.response_days) == ("", "", 3)
