"""Inbox and sent list filters and search (issue 14)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from baom.models import Beneficiary, ServiceType
from referrals import services
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    agent = make_user(Role.AGENT)
    vfm, vfm_staff = receiving_organisation(organisation__name="Voix de Femmes")
    anir, anir_staff = receiving_organisation(organisation__name="Anir")
    legal = ServiceType.objects.get(code="legal-aid")
    housing = ServiceType.objects.get(code="housing")
    people = [
        BeneficiaryFactory(agent=agent, first_name=first, last_name=last)
        for first, last in [("Awa", "Diallo"), ("Mariam", "Sow"), ("Fanta", "Diallo"),
                            ("Ines", "Kone")]
    ]  # fmt: skip
    referrals = [
        send_referral(agent=agent, to_organisation=vfm, beneficiary=people[0], service=legal),
        send_referral(agent=agent, to_organisation=vfm, beneficiary=people[1], service=housing),
        send_referral(agent=agent, to_organisation=anir, beneficiary=people[2], service=legal),
        send_referral(agent=agent, to_organisation=anir, beneficiary=people[3], service=housing),
    ]
    services.referral_transition(referral=referrals[1], action="accept", actor=vfm_staff)
    last_month = timezone.now() - datetime.timedelta(days=40)
    Referral.objects.filter(pk=referrals[3].pk).update(sent_at=last_month)
    return {"agent": agent, "vfm": (vfm, vfm_staff), "anir": (anir, anir_staff),
            "legal": legal, "people": people, "referrals": referrals}  # fmt: skip


def names(response) -> list[str]:
    page = response.content.decode()
    return sorted(
        chunk.split(">", 1)[1].split("<", 1)[0]
        for chunk in page.split('data-testid="person-link"')[1:]
    )


def test_sent_list_filters(client, world):
    client.force_login(world["agent"])
    url = reverse("referrals:sent")
    vfm = world["vfm"][0]
    assert names(client.get(url)) == ["DIALLO Awa", "DIALLO Fanta", "KONE Ines", "SOW Mariam"]
    assert names(client.get(url, {"partner": vfm.pk})) == ["DIALLO Awa", "SOW Mariam"]
    assert names(client.get(url, {"service": world["legal"].pk})) == ["DIALLO Awa", "DIALLO Fanta"]
    assert names(client.get(url, {"status": "accepted"})) == ["SOW Mariam"]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert "KONE Ines" not in names(client.get(url, {"sent_from": since}))
    assert names(client.get(url, {"q": "diallo"})) == ["DIALLO Awa", "DIALLO Fanta"]
    # A partial code: the number part alone finds the person.
    code = world["people"][1].code  # e.g. BAB-2026-00002
    assert names(client.get(url, {"q": code[-5:]})) == ["SOW Mariam"]
    assert names(client.get(url, {"q": code.lower()})) == ["SOW Mariam"]


def test_inbox_filters_and_names_link_to_the_referral_for_a_partner(client, world):
    _vfm, staff = world["vfm"]
    client.force_login(staff)
    response = client.get(reverse("referrals:index"), {"box": "new", "q": "awa"})
    assert names(response) == ["DIALLO Awa"]
    page = response.content.decode()
    assert world["referrals"][0].get_absolute_url() in page
    assert world["people"][0].get_absolute_url() not in page  # no case file for a partner
    # The agent's own bureau: the name opens the case file.
    client.force_login(world["agent"])
    page = client.get(reverse("referrals:sent"), {"q": "awa"}).content.decode()
    assert world["people"][0].get_absolute_url() in page


def test_search_cannot_reveal_a_name_whose_access_ended(client, world):
    _anir, staff = world["anir"]
    declined = world["referrals"][2]  # Fanta Diallo, sent to Anir
    services.referral_transition(
        referral=declined, action="decline", actor=staff, decline_reason="no_capacity"
    )
    client.force_login(staff)
    response = client.get(reverse("referrals:index"), {"box": "done", "q": "fanta"})
    assert 'data-testid="referral-row"' not in response.content.decode()
    code = Beneficiary.objects.get(pk=declined.beneficiary_id).code
    response = client.get(reverse("referrals:index"), {"box": "done", "q": code[-5:]})
    assert 'data-testid="referral-row"' not in response.content.decode()
    # Without a search the row is listed, the name hidden.
    response = client.get(reverse("referrals:index"), {"box": "done"})
    assert response.content.decode().count('data-testid="referral-row"') == 1
    assert "Fanta" not in response.content.decode()


def test_filtered_lists_have_a_constant_query_count(client, world, django_assert_num_queries):
    agent = world["agent"]
    client.force_login(agent)
    url = reverse("referrals:sent")
    params = {"q": "diallo", "service": world["legal"].pk}
    client.get(url, params)  # warm the session and the content types
    # session, user, two for permissions, the chosen service checked, the count, the inbox
    # badge, the user's organisation, the partners' and services' options, the page of rows,
    # and the read lines of the people shown (one COPY, issue 18)
    with django_assert_num_queries(12):
        response = client.get(url, params)
    assert names(response) == ["DIALLO Awa", "DIALLO Fanta"]
    for n in range(6):
        send_referral(
            agent=agent, to_organisation=world["vfm"][0], service=world["legal"],
            beneficiary=BeneficiaryFactory(agent=agent, last_name="Diallo", first_name=f"P{n}"),
        )  # fmt: skip
    with django_assert_num_queries(12):
        response = client.get(url, params)
    assert len(names(response)) == 8
