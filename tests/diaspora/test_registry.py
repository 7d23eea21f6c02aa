"""Who sees the registry, the consent rule, lists, exports, matching and contacts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from diaspora import services
from diaspora.matching import MatchCriteria, criteria_from_project, match
from diaspora.models import Contact, DiasporaMember
from diaspora.selectors import member_list
from diaspora.validators import normalise_phone
from tests.diaspora import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6.12.34.56.78", "+33612345678"),
        ("+33 (0)6 12-34-56-78", "+33612345678"),
        ("33612345678", "+33612345678"),
        ("+1 (514) 555-0199", "+15145550199"),
    ],
)
def test_phone_numbers_are_stored_in_one_international_form(raw, stored):
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize("raw", ["06 12 34 56 78", "+33 12", "+33 6 12 ab 56 78", "+0612345678"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_an_unknown_country_is_refused():
    with pytest.raises(ValidationError) as error:
        factories.member(factories.officer(), country="XX")
    assert "country" in error.value.error_dict


@pytest.mark.parametrize("role", list(Role))
def test_the_registry_opens_to_its_roles_only(client, login, make_user, role):
    login(make_user(role))
    expected = 200 if role in {Role.DIASPORA_OFFICER, Role.PROGRAMME_MANAGER, Role.ADMIN} else 403
    for name in ["index", "association_list", "event_list", "matching", "by_country"]:
        assert client.get(reverse(f"diaspora:{name}")).status_code == expected, name


@pytest.fixture
def registry():
    officer = factories.officer()
    tiznit = factories.souss_commune("SM-TIZ-TIZNIT", "Tiznit")
    mirleft = factories.souss_commune("SM-TIZ-MIRLEFT", "Mirleft")
    consenting = factories.member(
        officer, first_name="Amina", last_name="Visible", origin_commune=tiznit,
        sectors=["water", "agriculture"], skills="irrigation goutte-à-goutte, pompage solaire",
        contributions=["skills_transfer"], is_economic_ambassador=True,
    )  # fmt: skip
    withdrawn = factories.member(
        officer, first_name="Omar", last_name="Withdrawn", origin_commune=tiznit,
        sectors=["water"], skills="irrigation",
    )  # fmt: skip
    services.member_withdraw_consent(actor=officer, member=withdrawn)
    neighbour = factories.member(
        officer, first_name="Latifa", last_name="Neighbour", origin_commune=mirleft,
        sectors=["education"], country="BE", sex="female",
    )  # fmt: skip
    association = factories.association(
        officer, name="Tiznit Solidarité", origin_commune=tiznit, sectors=["water"]
    )
    return {
        "officer": officer, "tiznit": tiznit, "consenting": consenting,
        "withdrawn": withdrawn, "neighbour": neighbour, "association": association,
    }  # fmt: skip


def test_a_member_without_consent_never_appears(client, login, registry):
    officer = registry["officer"]
    login(officer)
    withdrawn = registry["withdrawn"]
    assert withdrawn not in member_list(user=officer)
    response = client.get(reverse("diaspora:index"), {"q": "Withdrawn"})
    assert list(response.context["page"]) == []
    assert "Omar" not in response.content.decode()
    export = client.get(reverse("diaspora:member_export", args=["csv"])).content.decode()
    assert "Amina" in export and "Withdrawn" not in export
    assert client.get(withdrawn.get_absolute_url()).status_code == 404
    found = match(user=officer, criteria=MatchCriteria(commune=registry["tiznit"]))
    assert withdrawn not in [m.obj for m in found]
    with pytest.raises(ValidationError):
        services.contact_record(
            actor=officer, member=withdrawn, made_on="2025-06-01", channel="phone",
            purpose="x", outcome="no_answer",
        )  # fmt: skip


def test_filters_narrow_the_list(client, login, registry):
    login(registry["officer"])
    page = client.get(reverse("diaspora:index"), {"country": "BE"}).content.decode()
    assert "Neighbour" in page and "Visible" not in page
    page = client.get(
        reverse("diaspora:index"), {"origin": registry["tiznit"].parent.pk}
    ).content.decode()
    assert "Neighbour" in page and "Visible" in page  # both communes are in Tiznit province
    page = client.get(reverse("diaspora:index"), {"sector": "water"}).content.decode()
    assert "Visible" in page and "Neighbour" not in page
    page = client.get(reverse("diaspora:index"), {"contribution": "investment"}).content.decode()
    assert "Visible" not in page


def test_list_pages_use_a_bounded_number_of_queries(
    client, login, registry, django_assert_max_num_queries
):
    officer = registry["officer"]
    for _n in range(15):
        factories.member(officer, origin_commune=registry["tiznit"], sectors=["water"])
    login(officer)
    for name in ["index", "association_list", "event_list", "by_country", "pending"]:
        with django_assert_max_num_queries(12):
            assert client.get(reverse(f"diaspora:{name}")).status_code == 200
    with django_assert_max_num_queries(14):
        client.get(reverse("diaspora:matching"), {"commune": registry["tiznit"].pk})


def test_members_by_country_split_by_sex(client, login, registry):
    login(registry["officer"])
    response = client.get(reverse("diaspora:by_country"))
    rows = {row["country"]: row for row in response.context["rows"]}
    assert rows["FR"]["women"] == 1 and rows["FR"]["total"] == 1  # the withdrawn one is out
    assert rows["BE"]["total"] == 1
    assert response.context["totals"]["ambassadors"] == 1


def test_matching_ranks_with_reasons(registry):
    from django.utils import translation

    translation.activate("en")  # the reasons are checked in the source language
    criteria = MatchCriteria(
        commune=registry["tiznit"], sectors=("water",), needs="Irrigation et pompage solaire"
    )
    results = match(user=registry["officer"], criteria=criteria)
    best = results[0]
    assert best.obj == registry["consenting"]
    assert "Comes from Tiznit" in best.reasons
    assert "Works in: Water" in best.reasons
    assert any(r.startswith("Skills and experience: irrigation") for r in best.reasons)
    assert "Economic ambassador of the region" in best.reasons
    kinds = {(r.kind, str(r.obj)) for r in results}
    assert ("association", "Tiznit Solidarité") in kinds
    neighbour = next(r for r in results if r.obj == registry["neighbour"])
    assert neighbour.reasons == ["Comes from the province of Province Tiznit"]
    assert neighbour.score < best.score


def test_a_funded_project_plugs_into_the_matching(registry):
    class Project:  # what the projects app will pass: plain attributes, no import
        commune = registry["tiznit"]
        sectors = ["water", "not-a-sector"]
        needs = "irrigation"
        title = "Irrigation des douars"
        reference = "PRIM-SM-2025-07"

    criteria = criteria_from_project(Project())
    assert criteria.sectors == ("water",) and criteria.project_reference == "PRIM-SM-2025-07"
    assert match(user=registry["officer"], criteria=criteria)[0].obj == registry["consenting"]


def test_an_officer_records_a_contact_from_the_matching(client, login, registry):
    login(registry["officer"])
    member = registry["consenting"]
    response = client.get(
        reverse("diaspora:matching"),
        {"label": "Irrigation des douars", "commune": registry["tiznit"].pk, "sectors": "water"},
    )
    assert "Comes from Tiznit" in response.content.decode()
    url = reverse("diaspora:contact_create", args=["member", member.uuid])
    assert client.get(url, {"about": "Irrigation des douars"}).status_code == 200
    response = client.post(
        url,
        {"made_on": "2025-06-02", "channel": "phone", "purpose": "Irrigation des douars",
         "project_reference": "PRIM-SM-2025-07", "outcome": "interested", "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.member == member and contact.made_by == registry["officer"]
    assert "Interested" in client.get(member.get_absolute_url()).content.decode()


def test_a_manager_reads_and_exports_but_does_not_edit(client, login, make_user, registry):
    login(make_user(Role.PROGRAMME_MANAGER))
    assert client.get(registry["consenting"].get_absolute_url()).status_code == 200
    assert client.get(reverse("diaspora:member_export", args=["csv"])).status_code == 200
    assert client.get(reverse("diaspora:member_create")).status_code == 403
    assert client.get(reverse("diaspora:member_import")).status_code == 403
    member = registry["consenting"]
    assert (
        client.post(reverse("diaspora:member_withdraw_consent", args=[member.uuid])).status_code
        == 403
    )
    assert DiasporaMember.objects.get(pk=member.pk).consent_to_contact


def test_an_officer_enters_a_member_and_an_association(client, login, registry):
    login(registry["officer"])
    response = client.post(
        reverse("diaspora:association_create"),
        {"name": "Amis de Taroudant", "country": "BE", "sectors": ["agriculture"],
         "partnership_status": "identified"},
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        reverse("diaspora:member_create"),
        {"first_name": "Nadia", "last_name": "Entered", "sex": "female", "country": "CA",
         "phone": "+1 514 555 0199", "consent_channel": "paper_form"},
    )  # fmt: skip
    assert response.status_code == 302
    member = DiasporaMember.objects.get(last_name="Entered")
    assert member.status == "validated" and member.consent_to_contact
    # The same phone in another format is a duplicate, shown on the field.
    response = client.post(
        reverse("diaspora:member_create"),
        {"first_name": "X", "last_name": "Y", "sex": "male", "country": "CA",
         "phone": "001-514-555-0199", "consent_channel": "email"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "This phone number is already in the registry." in response.content.decode()


def test_event_and_pending_lists_are_paginated_with_a_fixed_number_of_queries(
    client, login, registry, django_assert_num_queries
):
    """Exactly as many queries with 61 rows as with 1 (no query per row), and 50 rows a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = registry["officer"]
    factories.event(officer, title="Première")
    for n in range(3):
        services.member_self_register(
            consent=True, first_name="Samira", last_name=f"Fictive{n}", sex="female",
            email=f"pending{n}@example.org", country="BE",
        )  # fmt: skip
    login(officer)
    counts = {}
    for name in ["event_list", "pending"]:
        with CaptureQueriesContext(connection) as few:
            client.get(reverse(f"diaspora:{name}"))
        counts[name] = len(few)
    for n in range(60):
        factories.event(officer, title=f"Foire {n}")
    for n in range(3, 61):
        services.member_self_register(
            consent=True, first_name="Samira", last_name=f"Fictive{n}", sex="female",
            email=f"pending{n}@example.org", country="BE",
        )  # fmt: skip
    for name, rows in [("event_list", "event-table"), ("pending", "pending-list")]:
        with django_assert_num_queries(counts[name]):
            response = client.get(reverse(f"diaspora:{name}"))
        assert response.context["page"].paginator.count == 61
        assert len(response.context["page"].object_list) == 50
        assert rows in response.content.decode()
