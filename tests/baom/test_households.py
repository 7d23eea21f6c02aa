"""Households (issue 14): link people of one bureau as a family, the card on each member's
page, the child linked to the parents, register the next member prefilled; audited;
statistics still count each person once; data-quality warnings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from baom import households, privacy
from baom.choices import Sex
from baom.models import Beneficiary, Household, HouseholdMember
from core.models import AuditEvent
from reports import builder
from tests.baom.factories import BeneficiaryFactory, supervisor_of
from tests.factories import CommuneFactory, UserFactory
from tests.reports.factories import REGISTERED, parameters

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, language="en")


@pytest.fixture
def family(agent):
    """A mother, her husband and two children, registered one by one."""
    mother = BeneficiaryFactory(agent=agent, first_name="Aminata", last_name="Kone")
    father = BeneficiaryFactory(agent=agent, first_name="Ibrahim", last_name="Kone", sex=Sex.MALE)
    son = BeneficiaryFactory(agent=agent, first_name="Moussa", last_name="Kone", sex=Sex.MALE)
    daughter = BeneficiaryFactory(agent=agent, first_name="Fanta", last_name="Kone")
    households.household_link(anchor=mother, relative=father, relationship="spouse", actor=agent)
    households.household_link(anchor=father, relative=son, relationship="child", actor=agent)
    households.household_link(anchor=mother, relative=daughter, relationship="child", actor=agent)
    return mother, father, son, daughter


def test_linking_builds_one_household_with_one_head(agent, family):
    household = Household.objects.get()
    roles = dict(
        HouseholdMember.objects.filter(household=household).values_list(
            "beneficiary__first_name", "relationship"
        )
    )
    assert roles == {"Aminata": "head", "Ibrahim": "spouse", "Moussa": "child", "Fanta": "child"}
    # Every write is in the audit trail: the household, then each of the four members.
    assert AuditEvent.objects.filter(object_type="baom.household", action="create").count() == 1
    linked = AuditEvent.objects.filter(object_type="baom.householdmember", action="create")
    assert sorted(linked.values_list("object_id", flat=True)) == sorted(str(p.uuid) for p in family)


def test_the_card_shows_every_member_and_links_a_child_to_the_parents(client, agent, family):
    mother, father, son, daughter = family
    client.force_login(agent)
    page = client.get(son.get_absolute_url()).content.decode()
    card = page[page.index('data-testid="household-card"') :]
    for person in (mother, father, daughter):
        assert person.get_absolute_url() in card
    parents = card[
        card.index('data-testid="parent-link"') : card.index(
            "</p>", card.index('data-testid="parent-link"')
        )
    ]
    assert mother.get_absolute_url() in parents and father.get_absolute_url() in parents
    assert daughter.get_absolute_url() not in parents


def test_only_people_of_the_same_bureau_can_be_linked(client, agent, family):
    mother = family[0]
    stranger = BeneficiaryFactory(agent=UserFactory(role=Role.AGENT))
    with translation.override("en"), pytest.raises(ValidationError, match="same bureau"):
        households.household_link(
            anchor=mother, relative=stranger, relationship="relative", actor=agent
        )
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("baom:household", args=[mother.uuid]),
        {"code": stranger.code, "relationship": "relative"},
    )
    assert response.status_code == 400
    assert "No person with this code in your bureau." in response.content.decode()
    assert not HouseholdMember.objects.filter(beneficiary=stranger).exists()


def test_other_bureaus_and_other_roles_cannot_link(client, agent, family):
    mother = family[0]
    loner = BeneficiaryFactory(agent=agent)
    for outsider in (UserFactory(role=Role.AGENT), UserFactory(role=Role.ASSOCIATION_STAFF)):
        with pytest.raises(PermissionDenied):
            households.household_link(
                anchor=mother, relative=loner, relationship="relative", actor=outsider
            )
        client.force_login(outsider)
        url = reverse("baom:household", args=[mother.uuid])
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"code": loner.code, "relationship": "relative"}).status_code in (
            403,
            404,
        )
    assert not HouseholdMember.objects.filter(beneficiary=loner).exists()


def test_a_person_is_in_one_household_and_a_household_has_one_head(agent, family):
    mother = family[0]
    other_head = BeneficiaryFactory(agent=agent)
    newcomer = BeneficiaryFactory(agent=agent)
    households.household_link(
        anchor=other_head, relative=newcomer, relationship="child", actor=agent
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already belongs"):
        households.household_link(
            anchor=mother, relative=newcomer, relationship="child", actor=agent
        )
    with pytest.raises(ValidationError):
        households.household_link(
            anchor=mother, relative=BeneficiaryFactory(agent=agent), relationship="head",
            actor=agent,
        )  # fmt: skip
    assert HouseholdMember.objects.filter(household__members__beneficiary=mother).count() == 4


def test_register_the_next_member_prefilled_and_linked(client, agent):
    commune = CommuneFactory()
    mother = BeneficiaryFactory(
        agent=agent, last_name="Traore", commune=commune, phone="0612345678",
        languages=["fr", "bambara"], household_size=3,
    )  # fmt: skip
    client.force_login(agent)
    url = reverse("baom:household_register", args=[mother.uuid]) + "?relationship=child"
    form = client.get(url).content.decode()
    assert 'value="Traore"' in form and 'data-testid="household-register"' in form
    response = client.post(
        url,
        {
            "first_name": "Salif", "last_name": "Traore", "sex": "male",
            "birth_date": "2019-05-02", "nationality": "ML", "category": "rpt",
            "commune": commune.pk, "languages": ["fr"], "children_count": "0",
            "household_size": "3", "consent_processing": "on", "consent_date": "2026-01-05",
            "consent_method": "oral", "vulnerabilities": [],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    child = Beneficiary.objects.get(first_name="Salif")
    assert child.bureau == mother.bureau
    assert HouseholdMember.objects.get(beneficiary=child).relationship == "child"
    assert HouseholdMember.objects.get(beneficiary=mother).relationship == "head"


def test_unlink_and_anonymisation_leave_the_household(client, agent, family):
    mother, father, son, daughter = family
    client.force_login(agent)
    client.post(reverse("baom:household_remove", args=[daughter.uuid]))
    assert not HouseholdMember.objects.filter(beneficiary=daughter).exists()
    assert AuditEvent.objects.filter(
        object_type="baom.householdmember", action="delete", object_id=str(daughter.uuid)
    ).exists()
    privacy.beneficiary_anonymise(
        beneficiary=son, actor=supervisor_of(agent.organisation), reason="erasure",
        method="oral", confirm_code=son.code,
    )  # fmt: skip
    assert set(HouseholdMember.objects.values_list("beneficiary", flat=True)) == {
        mother.pk,
        father.pk,
    }


def test_statistics_count_each_member_once():
    """Hand count: 2 women, 2 men registered; linked in a household or not, 4 people."""
    agent = UserFactory(role=Role.AGENT)
    people = [
        BeneficiaryFactory(agent=agent, sex=sex, registered_on=REGISTERED)
        for sex in (Sex.FEMALE, Sex.MALE, Sex.MALE, Sex.FEMALE)
    ]
    households.household_link(anchor=people[0], relative=people[1], relationship="spouse",
                              actor=agent)  # fmt: skip
    households.household_link(anchor=people[0], relative=people[2], relationship="child",
                              actor=agent)  # fmt: skip
    tables = {t["key"]: t for t in builder.build(parameters(measures=["new_beneficiaries"]))}
    rows = {r["key"]: r["cells"] for r in tables["new_beneficiaries__total"]["rows"]}
    assert rows == {"total": [2, 2, 0]}  # [female, male, not recorded]


def test_data_quality_warnings_are_shown_not_refusals(client, agent):
    person = BeneficiaryFactory(
        agent=agent, first_name="12345", last_name="Diallo", household_size=2, children_count=4
    )
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(person.get_absolute_url()).content.decode()
    warnings = page[page.index('data-testid="quality-warnings"') :][:1500]
    assert "smaller than the number of children" in warnings
    assert "made only of digits (12345)" in warnings
    clean = BeneficiaryFactory(agent=agent, household_size=5, children_count=3)
    assert (
        'data-testid="quality-warnings"'
        not in client.get(clean.get_absolute_url()).content.decode()
    )
