"""The public form's limit counts accepted registrations (per address and per email address),
and a diaspora officer's event mode raises it for a fair, bounded, audited, until its end.

The policy (docs/security.md, "Public diaspora form"): DIASPORA_REGISTRATION_LIMIT accepted
registrations per address and window, DIASPORA_REGISTRATION_EMAIL_LIMIT per email address; a
form sent back with errors does not count; above the limit the answer is 429 with a message in
the visitor's language and nothing is stored.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from diaspora import services
from diaspora.models import DiasporaMember, RegistrationEventMode
from tests.diaspora import factories
from tests.diaspora.test_registration import form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/diaspora/register/"
FAIR = "192.0.2.50"


def post(client, data, address=FAIR, language="en"):
    return client.post(URL, data, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)


def person(n: int, **overrides) -> dict:
    return form_data(**({"email": f"visitor{n}@example.org", "phone": ""} | overrides))


def test_failed_attempts_do_not_count(client, settings):
    assert settings.DIASPORA_REGISTRATION_LIMIT == 5  # the written default
    for n in range(5):
        refused = post(client, person(n, phone="06 12 34 56 78"))  # no country code
        assert refused.status_code == 400
    accepted = post(client, person(9))
    assert accepted.status_code == 302
    assert DiasporaMember.objects.count() == 1


def test_the_limit_refuses_the_next_accepted_registration_and_stores_nothing(client, settings):
    settings.DIASPORA_REGISTRATION_LIMIT = 3
    for n in range(3):
        assert post(client, person(n)).status_code == 302
    refused = post(client, person(3), language="fr")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert 'lang="fr"' in page
    assert "Too many registrations" not in page  # said in French, not in the source language
    assert refused.context["kind"] == "address"
    assert DiasporaMember.objects.count() == 3
    assert not DiasporaMember.objects.filter(email="visitor3@example.org").exists()
    refused_ar = post(client, person(4), language="ar")
    assert refused_ar.status_code == 429 and 'lang="ar"' in refused_ar.content.decode()
    # Another connection is not affected.
    assert post(client, person(5), address="192.0.2.99").status_code == 302


def test_a_duplicate_gives_its_place_back(client, settings):
    settings.DIASPORA_REGISTRATION_LIMIT = 2
    assert post(client, person(1)).status_code == 302
    assert post(client, person(1)).status_code == 400  # already registered: not accepted
    assert post(client, person(2)).status_code == 302  # the second place was still free
    assert post(client, person(3)).status_code == 429


def test_an_email_address_is_limited_too(client, settings):
    settings.DIASPORA_REGISTRATION_EMAIL_LIMIT = 1
    for _ in range(3):  # failed attempts with that address do not count
        assert post(client, person(1, phone="06")).status_code == 400
    assert post(client, person(1)).status_code == 302
    officer = factories.officer()
    services.member_reject(actor=officer, member=DiasporaMember.objects.get())
    again = post(client, person(1), address="198.51.100.7")
    assert again.status_code == 429
    assert again.context["kind"] == "email"
    assert not DiasporaMember.objects.exists()


def _switch_on(client, limit, hours=3, reason="Foire de la diaspora, Agadir"):
    ends = timezone.localtime() + datetime.timedelta(hours=hours)
    return client.post(
        reverse("diaspora:registration_limit"),
        {"limit": str(limit), "ends_at": ends.strftime("%d/%m/%Y %H:%M"), "reason": reason},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_event_mode_raises_the_limit_until_it_ends(client, login, settings):
    settings.DIASPORA_REGISTRATION_LIMIT = 2
    officer = factories.officer()
    login(officer)
    assert _switch_on(client, 4).status_code == 302
    mode = RegistrationEventMode.objects.get()
    assert (mode.limit, mode.started_by, mode.reason) == (
        4,
        officer,
        "Foire de la diaspora, Agadir",
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="diaspora.registrationeventmode", actor=officer
    ).exists()
    client.logout()

    for n in range(4):
        assert post(client, person(n)).status_code == 302
    assert post(client, person(4)).status_code == 429  # still bounded

    # As time passes, the event mode ends by itself: the usual limit is back.
    RegistrationEventMode.objects.update(ends_at=timezone.now() - datetime.timedelta(seconds=1))
    elsewhere = "203.0.113.9"
    for n in range(10, 12):
        assert post(client, person(n), address=elsewhere).status_code == 302
    assert post(client, person(12), address=elsewhere).status_code == 429


def test_an_officer_switches_it_off_early_and_it_is_audited(client, login, settings):
    settings.DIASPORA_REGISTRATION_LIMIT = 2
    officer = factories.officer()
    login(officer)
    _switch_on(client, 4)
    page = client.get(reverse("diaspora:registration_limit")).content.decode()
    assert 'data-testid="event-mode-on"' in page
    response = client.post(reverse("diaspora:registration_limit"), {"stop": "1"})
    assert response.status_code == 302
    mode = RegistrationEventMode.objects.get()
    assert mode.ended_by == officer and mode.ended_at is not None
    assert AuditEvent.objects.filter(
        action="update", object_type="diaspora.registrationeventmode", actor=officer
    ).exists()
    client.logout()
    for n in range(2):
        assert post(client, person(n)).status_code == 302
    assert post(client, person(2)).status_code == 429


@pytest.mark.parametrize(
    ("limit", "hours", "field", "message"),
    [
        (2, 3, "limit", "above the usual 2"),
        (5, 3, "limit", "at most 4"),
        (3, 30, "ends_at", "lasts 14 hours at most"),
        (3, -1, "ends_at", "must be in the future"),
    ],
)
def test_event_mode_is_bounded(client, login, settings, limit, hours, field, message):
    settings.DIASPORA_REGISTRATION_LIMIT = 2
    settings.DIASPORA_EVENT_MODE_MAX_LIMIT = 4
    settings.DIASPORA_EVENT_MODE_MAX_HOURS = 14
    login(factories.officer())
    response = _switch_on(client, limit, hours)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not RegistrationEventMode.objects.exists()


def test_only_those_who_validate_registrations_switch_it(client, login):
    from accounts.roles import Role

    login(UserFactory(role=Role.PROGRAMME_MANAGER))
    assert client.get(reverse("diaspora:registration_limit")).status_code == 403
    assert _switch_on(client, 10).status_code == 403
    assert not RegistrationEventMode.objects.exists()
