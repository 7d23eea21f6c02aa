"""Case work (issue 14): follow-ups, case notes, case ownership; built through the services.

Policies the expectations come from: a follow-up is today or later, assigned to an agent of
the person's bureau; only a due follow-up moves (done / rescheduled with a reason and a new
date / cancelled with a reason); a flagged note is read only with baom.view_sensitive; a
supervisor reassigns open cases of their own bureau to one of its agents; bad input is refused
with a message, nothing saved, and one FORBIDDEN audit line."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from baom import services as baom_services
from baom.casework import services
from baom.casework.models import CaseNote, FollowUp, FollowUpStatus
from baom.models import Beneficiary, Visit
from core.models import AuditEvent, OutboxMessage
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def colleague(agent):
    return UserFactory(role=Role.AGENT, organisation=agent.organisation)


@pytest.fixture
def supervisor(agent):
    return UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation)


@pytest.fixture
def person(agent):
    return BeneficiaryFactory(agent=agent)


def refusals(obj) -> int:
    return AuditEvent.objects.filter(action="forbidden", object_id=str(obj.uuid)).count()


# --- Follow-ups ------------------------------------------------------------------------------
def test_a_follow_up_in_the_past_is_refused_with_a_message_and_audited(agent, person):
    with pytest.raises(ValidationError) as error:
        services.follow_up_schedule(
            beneficiary=person, actor=agent, due_on=TODAY - timedelta(days=1), purpose="Call"
        )
    assert "due_on" in error.value.message_dict
    error.value.record()  # what the view does once the transaction has rolled back
    assert FollowUp.objects.count() == 0
    assert refusals(person) == 1


def test_the_page_refuses_a_past_date_in_french_and_in_arabic(client, agent, person):
    client.force_login(agent)
    url = f"/beneficiaries/{person.uuid}/follow-ups/new/"
    data = {"due_on": (TODAY - timedelta(days=3)).isoformat(), "purpose": "Appel"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ne peut pas être dans le passé" in response.content.decode()
    client.cookies["django_language"] = "ar"
    response = client.post(url, data, headers={"accept-language": "ar"})
    assert "لا يمكن أن تكون المتابعة في الماضي" in response.content.decode()
    assert FollowUp.objects.count() == 0
    assert refusals(person) == 2


def test_a_follow_up_is_scheduled_done_rescheduled_or_cancelled_with_audit(
    agent, colleague, person
):
    tomorrow = TODAY + timedelta(days=1)
    first = services.follow_up_schedule(
        beneficiary=person, actor=agent, due_on=tomorrow, purpose="Hospital", assignee=colleague
    )
    assert (first.status, first.assigned_to) == (FollowUpStatus.DUE, colleague)
    with pytest.raises(ValidationError) as error:
        services.follow_up_transition(follow_up=first, action="reschedule", actor=agent)
    assert "reason" in error.value.message_dict
    second = services.follow_up_transition(
        follow_up=first,
        action="reschedule",
        actor=agent,
        reason="Hospital closed",
        new_date=TODAY + timedelta(days=7),
    )
    first.refresh_from_db()
    assert first.status == FollowUpStatus.RESCHEDULED and first.rescheduled_to == second
    assert (second.status, second.due_on, second.purpose) == (
        FollowUpStatus.DUE,
        TODAY + timedelta(days=7),
        "Hospital",
    )
    with pytest.raises(ValidationError):
        services.follow_up_transition(follow_up=second, action="cancel", actor=agent)
    done = services.follow_up_transition(follow_up=second, action="done", actor=agent)
    assert done.status == FollowUpStatus.DONE
    with pytest.raises(ValidationError):  # only a due follow-up moves
        services.follow_up_transition(follow_up=done, action="cancel", actor=agent, reason="x")
    # create, update + create (reschedule), update (done)
    actions = list(
        AuditEvent.objects.filter(object_type="baom.followup")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "create", "update"]


def test_a_follow_up_for_an_agent_of_another_bureau_is_refused(agent, person):
    stranger = UserFactory(role=Role.AGENT)
    with pytest.raises(ValidationError) as error:
        services.follow_up_schedule(
            beneficiary=person, actor=agent, due_on=TODAY, purpose="Call", assignee=stranger
        )
    assert "assigned_to" in error.value.message_dict
    assert FollowUp.objects.count() == 0


def test_another_bureau_cannot_schedule_on_my_person(person):
    stranger = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.follow_up_schedule(
            beneficiary=person, actor=stranger, due_on=TODAY, purpose="Call"
        )


def test_a_visit_next_follow_up_becomes_a_follow_up(agent, person):
    visit = baom_services.visit_record(
        beneficiary=person,
        agent=agent,
        date=TODAY,
        channel="walk_in",
        next_follow_up=TODAY + timedelta(days=10),
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.visit, follow_up.due_on, follow_up.assigned_to) == (
        visit,
        TODAY + timedelta(days=10),
        agent,
    )


def test_the_data_migration_turns_existing_next_follow_ups_into_follow_ups(agent, person):
    """Visits recorded before case work: one with a later visit after its date (done), one
    without (due). The migration's SQL, run twice, creates each follow-up once."""
    old = TODAY - timedelta(days=30)
    Beneficiary.objects.filter(pk=person.pk).update(registered_on=old - timedelta(days=1))
    person.refresh_from_db()
    first = baom_services.visit_record(beneficiary=person, agent=agent, date=old, channel="walk_in")
    baom_services.visit_record(
        beneficiary=person, agent=agent, date=old + timedelta(days=8), channel="walk_in"
    )
    last = baom_services.visit_record(
        beneficiary=person, agent=agent, date=TODAY, channel="walk_in"
    )
    Visit.objects.filter(pk=first.pk).update(next_follow_up=old + timedelta(days=7))
    Visit.objects.filter(pk=last.pk).update(next_follow_up=TODAY + timedelta(days=5))
    Beneficiary.objects.filter(pk=person.pk).update(assigned_to=None)
    migration = importlib.import_module("baom.migrations.0013_casework_data")
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(migration.ASSIGN)
            cursor.execute(migration.FOLLOW_UPS)
    rows = {f.visit_id: f.status for f in FollowUp.objects.all()}
    assert rows == {first.pk: "done", last.pk: "due"}
    person.refresh_from_db()
    assert person.assigned_to == agent  # who registered the person


def test_reminders_the_day_before_once_in_app_and_by_email(
    agent, person, django_capture_on_commit_callbacks, settings
):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        tomorrow = services.follow_up_schedule(
            beneficiary=person, actor=agent, due_on=TODAY + timedelta(days=1), purpose="Call"
        )
        services.follow_up_schedule(
            beneficiary=person, actor=agent, due_on=TODAY + timedelta(days=2), purpose="Later"
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.follow_up_reminders_send(today=TODAY) == 1
            assert services.follow_up_reminders_send(today=TODAY) == 0  # idempotent
    finally:
        app.conf.task_always_eager = False
    assert OutboxMessage.objects.filter(kind="followup.reminder").count() == 2  # app + email
    assert agent.notifications.get().url == person.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert person.code in mail.outbox[0].subject and person.last_name not in mail.outbox[0].body
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_on == TODAY


# --- Case notes -------------------------------------------------------------------------------
def test_flagged_notes_are_read_only_with_the_sensitive_permission(
    client, agent, supervisor, person
):
    services.case_note_add(beneficiary=person, actor=agent, text="Came with her son")
    services.case_note_add(beneficiary=person, actor=supervisor, text="GBV-TOKEN", sensitive=True)
    with pytest.raises(ValidationError):  # an agent cannot flag (they could not read it back)
        services.case_note_add(beneficiary=person, actor=agent, text="x", sensitive=True)
    assert CaseNote.objects.visible_to(agent).count() == 1
    assert CaseNote.objects.visible_to(supervisor).count() == 2
    client.force_login(agent)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Came with her son" in page and "GBV-TOKEN" not in page
    client.force_login(supervisor)
    assert "GBV-TOKEN" in client.get(person.get_absolute_url()).content.decode()


def test_a_note_on_a_case_i_cannot_see_is_a_404_audited_and_nothing_saved(client, person):
    stranger = UserFactory(role=Role.AGENT)
    client.force_login(stranger)
    response = client.post(f"/beneficiaries/{person.uuid}/notes/new/", {
        "date": TODAY.isoformat(), "text": "Hello"
    })  # fmt: skip
    assert response.status_code == 404
    assert CaseNote.objects.count() == 0
    assert refusals(person) == 1
    with pytest.raises(ValidationError):
        services.case_note_add(beneficiary=person, actor=stranger, text="Hello")


# --- Case ownership ---------------------------------------------------------------------------
def test_the_registering_agent_holds_the_case(agent, person):
    assert person.assigned_to == agent


def test_a_supervisor_reassigns_many_cases_audited(agent, colleague, supervisor):
    people = [BeneficiaryFactory(agent=agent) for _ in range(3)]
    services.follow_up_schedule(beneficiary=people[0], actor=agent, due_on=TODAY, purpose="x")
    before = AuditEvent.objects.filter(action="update").count()
    assert (
        services.cases_reassign(beneficiaries=people[:2], to_agent=colleague, actor=supervisor) == 2
    )
    holders = {
        p.pk: p.assigned_to_id for p in Beneficiary.objects.filter(pk__in=[p.pk for p in people])
    }
    assert holders == {
        people[0].pk: colleague.pk,
        people[1].pk: colleague.pk,
        people[2].pk: agent.pk,
    }
    assert FollowUp.objects.get().assigned_to == colleague  # the open follow-up moved too
    assert AuditEvent.objects.filter(action="update").count() == before + 2


def test_reassignment_to_another_bureaus_agent_is_refused_and_audited(client, agent, supervisor):
    person = BeneficiaryFactory(agent=agent)
    stranger = UserFactory(role=Role.AGENT)
    client.force_login(supervisor)
    response = client.post(
        "/beneficiaries/reassign/?cases=" + str(agent.pk),
        {"case": [str(person.uuid)], "to_agent": stranger.pk},
    )
    assert response.status_code == 200
    assert "n’est pas un agent de votre bureau" in response.content.decode() or (
        "n'est pas un agent de votre bureau" in response.content.decode()
    )
    person.refresh_from_db()
    assert person.assigned_to == agent
    assert AuditEvent.objects.filter(action="forbidden", object_id=str(stranger.uuid)).count() == 1


def test_only_a_supervisor_reassigns(agent, colleague, person):
    with pytest.raises(PermissionDenied):
        services.cases_reassign(beneficiaries=[person], to_agent=colleague, actor=agent)


def test_the_list_filters_my_cases(client, agent, colleague):
    mine = BeneficiaryFactory(agent=agent, last_name="Mienne")
    BeneficiaryFactory(agent=colleague, last_name="Autre")
    client.force_login(agent)
    page = client.get("/beneficiaries/?cases=mine").content.decode()
    assert mine.code in page and "AUTRE" not in page.upper().replace("AUTRES", "")
