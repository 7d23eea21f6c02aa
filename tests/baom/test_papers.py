"""Papers to print (issue 14): the case summary, the referral slip and the access answer, in
French and Arabic, audited, with nothing need-to-know on the summary or the slip."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import Role
from baom.choices import Sex
from baom.models import ServiceType
from core.models import AuditEvent
from referrals import services as referral_services
from referrals.models import DirectoryEntry
from tests.baom.factories import BeneficiaryFactory, VisitFactory, service, supervisor_of
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, language="fr")


@pytest.fixture
def person(agent):
    supervisor = supervisor_of(agent.organisation)
    person = BeneficiaryFactory(
        agent=supervisor, first_name="Mariama", last_name="Sow", gbv_survivor=True,
        confidential_notes="SECRET-NOTE", sex=Sex.FEMALE,
    )  # fmt: skip
    VisitFactory(beneficiary=person, agent=agent, services=[service("reception")])
    return person


@pytest.fixture
def partner():
    organisation, staff = receiving_organisation()
    organisation.address = "12 rue Tiznit, Agadir"
    organisation.phone = "+212528000000"
    organisation.save()
    DirectoryEntry.objects.filter(organisation=organisation).update(
        opening_hours="Lun–ven 9h–17h", contact_point="Accueil"
    )
    return organisation, staff


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    return response.content


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_case_summary_is_one_page_without_need_to_know(client, agent, person, language):
    from django.conf import settings

    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = get(client, reverse("baom:case_summary", args=[person.uuid]))
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    text = text_of(content)
    assert person.code in text and "Mariama" in text
    assert "SECRET-NOTE" not in text
    assert (
        AuditEvent.objects.filter(action="export", object_id=str(person.uuid), actor=agent).count()
        == 1
    )


def test_case_summary_refused_outside_the_bureau(client, person):
    for outsider in (UserFactory(role=Role.AGENT), UserFactory(role=Role.ASSOCIATION_STAFF)):
        client.force_login(outsider)
        response = client.get(reverse("baom:case_summary", args=[person.uuid]))
        assert response.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_referral_slip_carries_the_partner_directory_and_no_reason(client, agent, person, partner):
    organisation, staff = partner
    referral = send_referral(
        agent=agent, to_organisation=organisation, beneficiary=person,
        service=ServiceType.objects.get(code="legal-aid"), reason="RAISON-PRIVEE",
        note="NOTE-PRIVEE",
    )  # fmt: skip
    client.force_login(agent)
    url = reverse("referrals:slip", args=[referral.uuid])
    for language in ("fr", "ar"):
        text = text_of(get(client, url, lang=language))
        assert f"REF-{referral.uuid.hex[:8].upper()}" in text
        assert "12 rue Tiznit, Agadir" in text and "9h–17h" in text
        assert "RAISON-PRIVEE" not in text and "NOTE-PRIVEE" not in text
        assert "SECRET-NOTE" not in text
    assert AuditEvent.objects.filter(action="export", object_id=str(referral.uuid)).count() == 2
    # The detail page offers the button to the sender only.
    page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    assert 'data-testid="print-slip"' in page
    client.force_login(staff)
    page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    assert 'data-testid="print-slip"' not in page
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.ASSOCIATION_STAFF))
    assert client.get(url).status_code == 404


def test_a_sensitive_service_is_not_named_on_the_slip(client, agent, person, partner):
    organisation, _staff = partner
    sensitive = ServiceType.objects.filter(is_sensitive=True).first()
    supervisor = supervisor_of(agent.organisation)
    referral = send_referral(
        agent=supervisor, to_organisation=organisation, beneficiary=person, service=sensitive
    )
    client.force_login(supervisor)
    text = text_of(get(client, reverse("referrals:slip", args=[referral.uuid]), lang="en"))
    assert sensitive.name_en not in text and "Confidential service" in text


def test_access_answer_in_the_persons_language(client, agent, person):
    supervisor = supervisor_of(agent.organisation)
    client.force_login(supervisor)
    url = reverse("baom:access_answer", args=[person.uuid])
    french = text_of(get(client, url, lang="fr"))
    assert "Mariama" in french and "SECRET-NOTE" in french  # everything held, for the person
    assert "09-08" in french
    arabic = PdfReader(io.BytesIO(get(client, url, lang="ar")))
    assert arabic.trailer["/Root"]["/Lang"] == "ar"
    assert (
        AuditEvent.objects.filter(
            action="export", object_id=str(person.uuid), actor=supervisor
        ).count()
        == 2
    )
    client.force_login(agent)  # answering rights is a supervisor's task
    assert client.get(url).status_code == 403


def test_slip_refused_once_the_referral_is_declined(client, agent, person, partner):
    organisation, staff = partner
    referral = send_referral(agent=agent, to_organisation=organisation, beneficiary=person)
    referral_services.referral_transition(
        referral=referral, action="decline", actor=staff, decline_reason="no_capacity"
    )
    client.force_login(agent)
    assert client.get(reverse("referrals:slip", args=[referral.uuid])).status_code == 403
