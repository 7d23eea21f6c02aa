"""The referral form shows the directory and offers only the chosen organisation's services."""

from __future__ import annotations

import json
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from baom.models import ServiceType
from referrals.models import DirectoryEntry, Referral
from tests.baom.factories import BeneficiaryFactory
from tests.referrals.factories import receiving_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user):
    agent = make_user(Role.AGENT)
    organisation, _staff = receiving_organisation(organisation__name="Association Anir")
    entry = DirectoryEntry.objects.get(organisation=organisation)
    entry.opening_hours = "Lun–ven 9h–17h"
    entry.save()
    legal = ServiceType.objects.get(code="legal-aid")
    entry.services.set([legal])
    return agent, organisation, legal, BeneficiaryFactory(agent=agent)


def test_the_form_carries_each_organisations_directory_entry(client, setting):
    agent, organisation, legal, person = setting
    client.force_login(agent)
    page = client.get(reverse("referrals:create", args=[person.uuid])).content.decode()
    raw = page.split('id="directory-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    entry = json.loads(raw)[str(organisation.pk)]
    assert entry["name"] == "Association Anir"
    assert entry["services"] == [legal.pk] and entry["hours"] == "Lun–ven 9h–17h"
    assert "js/referral-form" in page


def test_a_service_the_organisation_does_not_offer_is_refused(client, setting):
    agent, organisation, legal, person = setting
    housing = ServiceType.objects.get(code="housing")
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {
        "to_organisation": organisation.pk, "service": housing.pk, "reason": "Logement",
        "urgency": "routine", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    response = client.post(reverse("referrals:create", args=[person.uuid]), data)
    assert response.status_code == 200
    assert "Association Anir does not offer this service" in response.content.decode()
    assert not Referral.objects.exists()
    data.update(service=legal.pk, idempotency_key=str(uuid.uuid4()))
    response = client.post(reverse("referrals:create", args=[person.uuid]), data)
    assert response.status_code == 302
    assert Referral.objects.get().service == legal
