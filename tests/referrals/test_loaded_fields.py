"""Querysets load only what the reader may see: a referral's receiving side reads the person's
minimum card and what the sender chose to share, never the need-to-know fields, and nothing of
the person once its access has ended. Checked on the loaded instances
(``get_deferred_fields``) and on every SQL statement of the page (query capture), not only on
the rendered HTML."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from referrals import selectors, services
from referrals.choices import DeclineReason
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db

SECRET = "Note-confidentielle-7Q"
# Never for the receiving side: need-to-know, and what this referral does not share.
FORBIDDEN = ("confidential_notes", "gbv_survivor", "nationality", "vulnerabilities",
             "household_size", "children_count", "commune_id", "consent_date")  # fmt: skip


@pytest.fixture
def referred():
    """A person with need-to-know data, referred with the category shared (nothing else)."""
    agent = UserFactory(role=Role.AGENT)
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation)
    person = BeneficiaryFactory(
        agent=supervisor,  # cleared for need-to-know fields: they are really stored
        first_name="Awa",
        last_name="Sidibé",
        phone="+212612345678",
        nationality="SN",
        vulnerabilities=["pregnant"],
        gbv_survivor=True,
        confidential_notes=SECRET,
        children_count=2,
    )
    person.refresh_from_db()
    assert person.confidential_notes == SECRET and person.gbv_survivor  # stored indeed
    organisation, staff = receiving_organisation()
    referral = send_referral(
        agent=agent, to_organisation=organisation, beneficiary=person, shared_fields=["category"]
    )
    return {"referral": referral, "staff": staff, "agent": agent, "person": person}


def _beneficiary_columns(queries) -> set[str]:
    """The columns of the person's table named in the statements (``"baom_beneficiary"."x"``)."""
    names = set()
    for query in queries:
        sql = query["sql"]
        for chunk in sql.split('"baom_beneficiary"."')[1:]:
            names.add(chunk.split('"', 1)[0])
    return names


def test_the_receiving_side_loads_the_card_and_what_is_shared(referred):
    referral = selectors.referral_get_for(referred["staff"], referred["referral"].uuid)
    person = referral.beneficiary
    deferred = person.get_deferred_fields()
    assert set(FORBIDDEN) <= deferred, set(FORBIDDEN) - deferred
    assert "category" not in deferred  # shared by the sender
    assert {"first_name", "last_name", "phone", "sex", "birth_date"}.isdisjoint(deferred)


def test_the_page_of_the_receiving_side_never_selects_forbidden_fields(client, referred):
    client.force_login(referred["staff"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(referred["referral"].get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sidibé".upper() in content.upper()  # the card is shown
    assert SECRET not in content
    selected = _beneficiary_columns(captured.captured_queries)
    assert selected, "the page reads the person's card"
    assert selected.isdisjoint(FORBIDDEN), selected & set(FORBIDDEN)


def test_no_field_of_the_person_once_access_has_ended(client, referred):
    """Declined: the receiving side keeps dates, status and organisations, not the person. Its
    name is not even read from the database."""
    services.referral_transition(
        referral=referred["referral"],
        action="decline",
        actor=referred["staff"],
        decline_reason=DeclineReason.NO_CAPACITY,
    )
    referral = selectors.referral_get_for(referred["staff"], referred["referral"].uuid)
    assert not referral.identity_visible
    assert {
        "first_name",
        "last_name",
        "code",
        "phone",
    } <= referral.beneficiary.get_deferred_fields()
    client.force_login(referred["staff"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(referred["referral"].get_absolute_url())
    assert response.status_code == 200
    assert "Sidibé".upper() not in response.content.decode().upper()
    selected = _beneficiary_columns(captured.captured_queries)
    assert selected.isdisjoint({"first_name", "last_name", "phone", *FORBIDDEN}), selected


def test_the_inbox_loads_names_and_codes_only(referred):
    from core.pagination import CappedPaginator

    page = CappedPaginator(selectors.inbox(user=referred["staff"], box="new"), 25).get_page(1)
    (referral,) = selectors.with_identity(user=referred["staff"], page=page).object_list
    assert referral.pk == referred["referral"].pk and referral.identity_visible
    deferred = referral.beneficiary.get_deferred_fields()
    assert set(FORBIDDEN) | {"phone", "birth_date"} <= deferred
    assert referral.beneficiary.last_name == "Sidibé"


def test_the_inbox_never_reads_the_name_once_access_has_ended(client, referred):
    """Declined: the row stays in the receiving side's inbox ("done"), without the person;
    the list's queries never select the name or the code."""
    services.referral_transition(
        referral=referred["referral"],
        action="decline",
        actor=referred["staff"],
        decline_reason=DeclineReason.NO_CAPACITY,
    )
    client.force_login(referred["staff"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("referrals:index"), {"box": "done"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sidibé".upper() not in content.upper()
    assert referred["person"].code not in content
    selected = _beneficiary_columns(captured.captured_queries)
    assert selected.isdisjoint({"first_name", "last_name", "code", "phone", *FORBIDDEN}), selected


def test_the_sending_bureau_still_sees_the_shared_card(client, referred):
    client.force_login(referred["agent"])
    response = client.get(referred["referral"].get_absolute_url())
    assert response.status_code == 200
    assert "Sidibé".upper() in response.content.decode().upper()
    assert SECRET not in response.content.decode()
