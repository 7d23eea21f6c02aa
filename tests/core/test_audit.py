"""The audit trail: what is recorded, that it cannot be changed, and who reads it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.roles import Role
from baom import services
from core.models import AuditEvent
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

READ = AuditEvent.Action.READ


def events_for(beneficiary, action=None):
    events = AuditEvent.objects.filter(
        object_type="baom.beneficiary", object_id=str(beneficiary.uuid)
    )
    return events.filter(action=action) if action else events


def test_registration_and_update_are_recorded_without_personal_values(agent):
    person = BeneficiaryFactory(agent=agent, first_name="Mariama", last_name="Diallo")
    services.beneficiary_update(
        beneficiary=person, actor=agent, data={"first_name": "Awa"}, version=person.version
    )
    actions = list(events_for(person).order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update"]
    event = events_for(person).first()
    assert event.actor == agent
    assert event.organisation == person.bureau
    values = " ".join(str(v) for v in AuditEvent.objects.values_list(flat=False))
    for personal in ("Mariama", "Diallo", "Awa"):
        assert personal not in values


def test_a_refused_update_leaves_no_event(agent, make_user):
    person = BeneficiaryFactory(agent=agent)
    stranger = make_user(Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.beneficiary_update(
            beneficiary=person, actor=stranger, data={"first_name": "X"}, version=person.version
        )
    assert not events_for(person, "update").exists()


def test_reading_a_beneficiary_page_is_recorded_with_the_address(agent, login):
    person = BeneficiaryFactory(agent=agent)
    client = login(agent)
    response = client.get(f"/beneficiaries/{person.uuid}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = events_for(person, READ).get()
    assert event.actor == agent
    assert event.ip_address == "10.1.2.3"


def test_an_export_is_recorded(make_user, login):
    supervisor = make_user(Role.SUPERVISOR)
    BeneficiaryFactory(agent=UserFactory(role=Role.AGENT, organisation=supervisor.organisation))
    client = login(supervisor)
    response = client.get("/beneficiaries/export.csv")
    assert response.status_code == 200
    # One line for the file, one on the trail of each person in it (issue 18 #3).
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    event = exports.get(object_id__startswith="csv:")
    assert event.object_type == "baom.beneficiary"
    assert event.object_id == "csv:1"
    assert exports.exclude(pk=event.pk).count() == 1


def test_a_failed_login_is_recorded(client, agent):
    response = client.post(
        "/accounts/login/",
        {"username": agent.email, "password": "wrong-password"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.username == agent.email
    assert event.ip_address == "10.9.9.9"
    assert "wrong-password" not in str(list(AuditEvent.objects.values()))


def test_a_forbidden_page_is_recorded(make_user, login):
    statistician = make_user(Role.STATISTICIAN)
    client = login(statistician)
    response = client.get("/beneficiaries/")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditEvent.Action.FORBIDDEN)
    assert event.actor == statistician
    assert event.path == "/beneficiaries/"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET action = 'read'",
        "DELETE FROM core_auditevent",
    ],
)
def test_the_trail_refuses_update_and_delete_even_in_raw_sql(agent, statement):
    BeneficiaryFactory(agent=agent)
    assert AuditEvent.objects.exists()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="create").exists()


def test_the_orm_cannot_delete_an_event_either(agent):
    BeneficiaryFactory(agent=agent)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_the_access_log_shows_who_opened_the_record(agent, make_user, login, client):
    person = BeneficiaryFactory(agent=agent)
    login(agent).get(f"/beneficiaries/{person.uuid}/")
    client.logout()
    supervisor = make_user(Role.SUPERVISOR, organisation=agent.organisation)
    client = login(supervisor)
    page = client.get(f"/beneficiaries/{person.uuid}/")
    assert f"/audit/beneficiary/{person.uuid}/".encode() in page.content
    response = client.get(f"/audit/beneficiary/{person.uuid}/")
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert {(e.username, e.action) for e in rows} >= {
        (agent.email, "read"),
        (agent.email, "create"),
    }


def test_agents_do_not_see_the_access_log(agent, login):
    person = BeneficiaryFactory(agent=agent)
    client = login(agent)
    assert b"/audit/beneficiary/" not in client.get(f"/beneficiaries/{person.uuid}/").content
    assert client.get(f"/audit/beneficiary/{person.uuid}/").status_code == 403
    assert client.get("/audit/").status_code == 403


def test_a_supervisor_reads_only_their_bureau_trail(agent, make_user, login):
    mine = BeneficiaryFactory(agent=agent)
    other_agent = make_user(Role.AGENT)
    theirs = BeneficiaryFactory(agent=other_agent)
    supervisor = make_user(Role.SUPERVISOR, organisation=agent.organisation)
    client = login(supervisor)
    assert client.get(f"/audit/beneficiary/{theirs.uuid}/").status_code == 404
    response = client.get("/audit/")
    assert response.status_code == 200
    events = response.context["page"].object_list
    ids = {e.object_id for e in events if e.action != "forbidden"}
    assert str(mine.uuid) in ids
    assert str(theirs.uuid) not in ids
    # Their own refused attempt is in their bureau's trail (the id they typed, nothing more).
    refused = [(e.object_type, e.object_id) for e in events if e.action == "forbidden"]
    assert refused == [("access_log", str(theirs.uuid))]


def test_a_programme_manager_reads_every_bureau_trail(agent, manager, login):
    person = BeneficiaryFactory(agent=agent)
    response = login(manager).get(f"/audit/beneficiary/{person.uuid}/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 1


def test_the_trail_list_stays_within_a_few_queries(make_user, login, django_assert_max_num_queries):
    supervisor = make_user(Role.SUPERVISOR)
    agent = make_user(Role.AGENT, organisation=supervisor.organisation)
    for _ in range(5):
        BeneficiaryFactory(agent=agent)
    client = login(supervisor)
    with django_assert_max_num_queries(12):
        assert client.get("/audit/").status_code == 200
