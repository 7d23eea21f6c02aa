"""Consent per purpose (law 09-08): processing, sharing with partners, being contacted, each
with its date, method and who recorded it, and its history."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from baom import privacy, services
from baom.choices import ConsentPurpose
from baom.models import Beneficiary, ConsentRecord
from core.models import AuditEvent
from tests.baom.factories import BeneficiaryFactory, ConsentRecordFactory, supervisor_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT)


def history(person, purpose=None):
    records = ConsentRecord.objects.filter(beneficiary=person).order_by("recorded_at", "id")
    if purpose:
        records = records.filter(purpose=purpose)
    return [(r.purpose, r.given, r.method, r.recorded_by_id) for r in records]


def test_registration_starts_the_history_with_each_answer_and_who_recorded_it(agent):
    person = BeneficiaryFactory(agent=agent, consent_sharing=False, consent_method="written")
    assert history(person) == [
        ("processing", True, "written", agent.pk),
        ("sharing", False, "written", agent.pk),
    ]  # being contacted was not asked: no entry, and the answer is no
    assert person.consent_contact is False
    asked = BeneficiaryFactory(agent=agent, consent_contact=True)
    assert ("contact", True, "oral", agent.pk) in history(asked)


def test_withdrawing_sharing_updates_the_answer_and_keeps_the_history(agent):
    person = BeneficiaryFactory(agent=agent)
    yesterday = TODAY - datetime.timedelta(days=1)
    record = ConsentRecordFactory(
        beneficiary=person, actor=agent, purpose="sharing", given=False, date=yesterday,
        method="phone",
    )  # fmt: skip
    person.refresh_from_db()
    assert person.consent_sharing is False
    assert person.version == 2  # an edit form opened before is refused, not silently lost
    assert (record.date, record.method, record.recorded_by) == (yesterday, "phone", agent)
    assert history(person, "sharing") == [
        ("sharing", True, "oral", agent.pk),
        ("sharing", False, "phone", agent.pk),
    ]
    assert AuditEvent.objects.filter(
        action="update", object_id=str(person.uuid), actor=agent
    ).exists()
    # Given again later: a new entry, the answer follows.
    ConsentRecordFactory(beneficiary=person, actor=agent, purpose="sharing", given=True)
    person.refresh_from_db()
    assert person.consent_sharing is True
    assert len(history(person, "sharing")) == 3


def test_contact_consent_is_recorded_on_its_own(agent):
    person = BeneficiaryFactory(agent=agent)
    ConsentRecordFactory(beneficiary=person, actor=agent, purpose="contact", given=True)
    person.refresh_from_db()
    assert (person.consent_processing, person.consent_sharing, person.consent_contact) == (
        True,
        True,
        True,
    )
    current = {c["purpose"]: c for c in privacy.current_consents(person)}
    assert current[ConsentPurpose.CONTACT]["record"].recorded_by == agent


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"purpose": "processing", "given": False}, "given"),
        ({"date": TODAY + datetime.timedelta(days=2)}, "date"),
        ({"method": "telepathy"}, "method"),
        ({"purpose": "marketing"}, "purpose"),
    ],
)
def test_bad_consent_is_refused_and_nothing_changes(agent, data, field):
    person = BeneficiaryFactory(agent=agent)
    before = history(person)
    values = {"purpose": "sharing", "given": False, "date": TODAY, "method": "oral", **data}
    with pytest.raises(ValidationError) as excinfo:
        privacy.consent_record(beneficiary=person, actor=agent, **values)
    assert field in excinfo.value.message_dict
    assert history(person) == before
    person.refresh_from_db()
    assert person.consent_processing and person.consent_sharing


@pytest.mark.parametrize(
    "role", [Role.ASSOCIATION_STAFF, Role.PROGRAMME_MANAGER, Role.STATISTICIAN, Role.ADMIN]
)
def test_only_the_bureau_records_consent(agent, make_user, role):
    person = BeneficiaryFactory(agent=agent)
    for outsider in (make_user(role), make_user(Role.AGENT)):  # and another bureau's agent
        with pytest.raises(PermissionDenied):
            privacy.consent_record(
                beneficiary=person, actor=outsider, purpose="sharing", given=False,
                date=TODAY, method="oral",
            )  # fmt: skip
    supervisor = supervisor_of(agent.organisation)
    privacy.consent_record(
        beneficiary=person, actor=supervisor, purpose="sharing", given=False, date=TODAY,
        method="oral",
    )  # fmt: skip
    assert history(person, "sharing")[-1] == ("sharing", False, "oral", supervisor.pk)


def test_an_edit_that_changes_a_consent_writes_its_history(agent):
    """Callers other than the consent page (an import, a script) keep the history too."""
    person = BeneficiaryFactory(agent=agent)
    services.beneficiary_update(
        beneficiary=person, actor=agent, data={"consent_sharing": False}, version=person.version
    )
    assert history(person, "sharing")[-1] == ("sharing", False, "oral", agent.pk)


def test_the_consent_page_records_and_shows_the_history(client, login, agent):
    person = BeneficiaryFactory(agent=agent)
    login(agent)
    url = reverse("baom:consent", args=[person.uuid])
    page = client.get(url).content.decode()
    assert page.count('data-testid="consent-row"') == 2
    response = client.post(
        url, {"purpose": "sharing", "given": "no", "date": TODAY.isoformat(), "method": "phone"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.consent_sharing is False
    detail = client.get(person.get_absolute_url()).content.decode()
    assert 'data-testid="consent-sharing"' in detail
    assert "Par téléphone" in detail or "By phone" in detail
    # Refused input: the form says why and nothing is stored.
    response = client.post(
        url, {"purpose": "processing", "given": "no", "date": TODAY.isoformat(), "method": "oral"}
    )
    assert response.status_code == 200
    assert 'data-testid="consent-form"' in response.content.decode()
    assert len(history(person)) == 3


def test_the_consent_page_answers_in_a_constant_number_of_queries(
    client, login, agent, django_assert_max_num_queries
):
    person = BeneficiaryFactory(agent=agent)
    for given in (False, True, False, True, False):
        ConsentRecordFactory(beneficiary=person, actor=agent, given=given)
    login(agent)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("baom:consent", args=[person.uuid])).content.decode()
    assert page.count('data-testid="consent-row"') == 7


def test_the_edit_form_no_longer_changes_consent(client, login, agent):
    """Consents change on their own page; a forged field on the edit form is ignored."""
    person = BeneficiaryFactory(agent=agent)
    login(agent)
    url = reverse("baom:beneficiary_edit", args=[person.uuid])
    page = client.get(url).content.decode()
    assert 'name="consent_sharing"' not in page
    assert reverse("baom:consent", args=[person.uuid]) in page
    client.post(
        url,
        {
            "first_name": person.first_name, "last_name": person.last_name, "sex": person.sex,
            "birth_date": person.birth_date.isoformat(), "category": person.category,
            "nationality": "SN", "children_count": 0, "status": "open",
            "version": person.version, "consent_processing": "", "consent_sharing": "",
        },
    )  # fmt: skip
    person.refresh_from_db()
    assert person.consent_sharing is True
    assert len(history(person)) == 2


def test_the_data_migration_puts_existing_answers_in_the_history_once(agent):
    people = [BeneficiaryFactory(agent=agent, consent_sharing=i % 2 == 0) for i in range(4)]
    ConsentRecord.objects.all().delete()  # as before the migration
    migration = importlib.import_module("baom.migrations.0006_consent_history_from_existing")
    editor = SimpleNamespace(connection=connection)
    migration.backfill(None, editor)
    migration.backfill(None, editor)  # again: nothing added
    for person in people:
        assert history(person) == [
            ("processing", True, "oral", agent.pk),
            ("sharing", person.consent_sharing, "oral", agent.pk),
        ]
    first = ConsentRecord.objects.filter(beneficiary=people[0], purpose="processing").get()
    assert first.date == people[0].consent_date
    assert first.recorded_at == Beneficiary.objects.get(pk=people[0].pk).created_at


def test_consent_to_processing_confirmed_again_updates_its_date_and_method(agent):
    person = BeneficiaryFactory(agent=agent, consent_date=TODAY - datetime.timedelta(days=400))
    ConsentRecordFactory(
        beneficiary=person, actor=agent, purpose="processing", given=True, method="written"
    )
    person.refresh_from_db()
    assert (person.consent_date, person.consent_method) == (TODAY, "written")
    assert len(history(person, "processing")) == 2
