"""The public self-registration form and the officer's validation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from diaspora.choices import ConsentChannel, MemberSource, MemberStatus
from diaspora.models import DiasporaMember
from tests.diaspora import factories

pytestmark = pytest.mark.django_db
URL = "/diaspora/register/"


def form_data(**overrides):
    commune = factories.souss_commune()
    return {
        "first_name": "Amina",
        "last_name": "Test",
        "sex": "female",
        "age_band": "35-44",
        "email": "Amina.Test@Example.org",
        "phone": "+33 6 12 34 56 78",
        "country": "FR",
        "city": "Lyon",
        "origin_commune": commune.pk,
        "profession": "Ingénieure",
        "skills": "irrigation, solaire",
        "sectors": ["water", "agriculture"],
        "contributions": ["skills_transfer"],
        "languages": ["ar", "fr"],
        "consent": "on",
        "website": "",
    } | overrides


def post(client, data, address="192.0.2.10"):
    # English, so that the assertions hold before and after the French catalogue is written.
    return client.post(URL, data, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def test_the_form_opens_without_login(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'name="consent"' in response.content
    assert b'name="website"' in response.content  # the honeypot


def test_a_registration_waits_for_validation_with_its_consent(client):
    response = post(client, form_data())
    assert response.status_code == 302
    assert response.url == reverse("diaspora:register_done")
    member = DiasporaMember.objects.get()
    assert member.status == MemberStatus.PENDING
    assert member.source == MemberSource.SELF_REGISTRATION
    assert member.consent_to_contact and member.consent_date is not None
    assert member.consent_channel == ConsentChannel.ONLINE_FORM
    assert member.email == "amina.test@example.org"
    assert member.phone == "+33612345678"
    assert member.sectors == ["water", "agriculture"]


def test_without_consent_nothing_is_stored(client):
    data = form_data()
    del data["consent"]
    response = post(client, data)
    assert response.status_code == 400
    assert "Without your consent to be contacted" in response.content.decode()
    assert not DiasporaMember.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "06 12 34 56 78", "Enter the number with its country code"),
        ("phone", "+33 12", "Enter a valid international phone number"),
        ("country", "XX", "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(client, field, value, message):
    response = post(client, form_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DiasporaMember.objects.exists()


def test_email_or_phone_is_needed(client):
    response = post(client, form_data(email="", phone=""))
    assert response.status_code == 400
    assert "Give an email address or a phone number" in response.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "AMINA.TEST@example.ORG", "phone": ""},  # same email, other case
        {"email": "other@example.org", "phone": "0033 612-345-678"},  # same phone, other format
    ],
)
def test_a_duplicate_is_reported_without_the_other_persons_data(client, overrides):
    first = factories.member(
        factories.officer(), first_name="Zoulikha", last_name="Hidden-Surname",
        email="amina.test@example.org", phone="+33612345678", city="Marseille",
    )  # fmt: skip
    response = post(client, form_data(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "already in the registry" in page
    for private in ("Zoulikha", "Hidden-Surname", "Marseille", first.phone):
        assert private not in page
    assert DiasporaMember.objects.count() == 1


def test_the_honeypot_pretends_success_and_stores_nothing(client):
    response = post(client, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not DiasporaMember.objects.exists()


def test_a_flood_from_one_address_is_cut_off(client, settings):
    settings.DIASPORA_REGISTRATION_LIMIT = 3
    for n in range(3):
        post(client, form_data(email=f"flood{n}@example.org", phone=""))
    response = post(client, form_data(email="flood9@example.org", phone=""))
    assert response.status_code == 429
    assert "Too many registrations" in response.content.decode()
    assert DiasporaMember.objects.count() == 3
    # Another address is not affected.
    assert (
        post(client, form_data(email="else@example.org", phone=""), "192.0.2.99").status_code == 302
    )


def _pending(client):
    post(client, form_data())
    return DiasporaMember.objects.get()


def test_an_officer_validates_a_registration(client, login):
    member = _pending(client)
    officer = factories.officer()
    login(officer)
    page = client.get(reverse("diaspora:pending"))
    assert "Amina Test" in page.content.decode()
    assert "Amina Test" not in client.get(reverse("diaspora:index")).content.decode()

    response = client.post(
        reverse("diaspora:member_decide", args=[member.uuid]), {"decision": "validate"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.VALIDATED
    assert member.validated_by == officer
    assert "Amina Test" in client.get(reverse("diaspora:index")).content.decode()

    # A second decision on the same registration changes nothing.
    client.post(reverse("diaspora:member_decide", args=[member.uuid]), {"decision": "reject"})
    assert DiasporaMember.objects.filter(pk=member.pk, status=MemberStatus.VALIDATED).exists()


def test_a_rejected_registration_is_deleted(client, login):
    member = _pending(client)
    login(factories.officer())
    client.post(reverse("diaspora:member_decide", args=[member.uuid]), {"decision": "reject"})
    assert not DiasporaMember.objects.exists()


def test_a_programme_manager_sees_but_does_not_validate(client, login, make_user):
    member = _pending(client)
    login(make_user(Role.PROGRAMME_MANAGER, language="en"))
    assert client.get(reverse("diaspora:index")).status_code == 200
    assert client.get(reverse("diaspora:pending")).status_code == 403
    response = client.post(
        reverse("diaspora:member_decide", args=[member.uuid]), {"decision": "validate"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.status == MemberStatus.PENDING
