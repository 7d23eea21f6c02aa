"""The referral services: sending with consent, the one transition service, reminders, access,
statistics computed in PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from baom.choices import Sex
from baom.models import ServiceType
from baom.selectors import beneficiary_timeline
from core.models import Notification
from referrals import permissions, selectors, services
from referrals.choices import DeclineReason, Outcome, Status
from referrals.models import Referral, ReferralEvent
from referrals.workflow import TRANSITIONS
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import DirectoryEntryFactory, receiving_organisation, send_referral

pytestmark = pytest.mark.django_db


def test_working_days_skip_the_weekend():
    friday = timezone.datetime(2026, 11, 20).date()
    assert services.add_working_days(friday, 1).isoformat() == "2026-11-23"
    assert services.add_working_days(friday, 3).isoformat() == "2026-11-25"


def test_send_records_the_referral_its_event_and_deadline(sender, receiver):
    organisation, _staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation, urgency="urgent")
    assert referral.status == Status.SENT
    assert referral.from_organisation_id == sender.organisation_id
    assert referral.due_on == services.add_working_days(timezone.localdate(), 3)
    event = referral.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "send",
        "draft",
        "sent",
        sender,
    )


def test_refused_without_consent_to_sharing(sender, receiver):
    organisation, _staff = receiver
    person = BeneficiaryFactory(agent=sender, consent_sharing=False)
    with pytest.raises(ValidationError, match="pas consenti au partage"):
        send_referral(agent=sender, to_organisation=organisation, beneficiary=person)
    assert not Referral.objects.exists()


def test_refused_to_an_organisation_that_does_not_accept_referrals(sender):
    entry = DirectoryEntryFactory(accepts_referrals=False)
    with pytest.raises(ValidationError) as error:
        send_referral(agent=sender, to_organisation=entry.organisation)
    assert "to_organisation" in error.value.message_dict
    assert not Referral.objects.exists()


def test_an_agent_cannot_refer_another_bureaus_person(sender, receiver, make_user):
    organisation, _staff = receiver
    person = BeneficiaryFactory(agent=make_user(Role.AGENT))
    with pytest.raises(ValidationError):
        send_referral(agent=sender, to_organisation=organisation, beneficiary=person)


def test_same_idempotency_key_returns_the_first_referral(sender, receiver):
    organisation, _staff = receiver
    key = uuid.uuid4()
    person = BeneficiaryFactory(agent=sender)
    first = send_referral(
        agent=sender, to_organisation=organisation, beneficiary=person, idempotency_key=key
    )
    second = send_referral(
        agent=sender, to_organisation=organisation, beneficiary=person, idempotency_key=key
    )
    assert first.pk == second.pk
    assert Referral.objects.count() == 1


def test_full_lifecycle_and_notifications(sender, receiver, eager_celery,
                                          django_capture_on_commit_callbacks):  # fmt: skip
    organisation, staff = receiver
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral(agent=sender, to_organisation=organisation)
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert referral.beneficiary.full_name not in mail.outbox[0].body  # a link, no personal data
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(referral=referral, action="accept", actor=staff)
        services.referral_transition(referral=referral, action="start", actor=staff)
        services.referral_transition(
            referral=referral,
            action="complete",
            actor=staff,
            outcome=Outcome.SERVICE_GIVEN,
            feedback="Seen twice.",
        )
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    assert referral.claimed_by == staff
    assert referral.answered_at is not None and referral.completed_at is not None
    assert referral.feedback == "Seen twice."
    assert list(referral.events.values_list("action", flat=True)) == [
        "send",
        "accept",
        "start",
        "complete",
    ]
    # The sender is told of every change, in the app and by email (through the outbox).
    assert len(mail.outbox) == 3 and all(m.to == [sender.email] for m in mail.outbox)
    assert (
        Notification.objects.filter(recipient=sender, url=referral.get_absolute_url()).count() == 3
    )


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [("decline", {}, "decline_reason"), ("decline", {"decline_reason": "nope"}, "decline_reason")],
)
def test_decline_needs_a_coded_reason(sender, receiver, action, data, field):
    organisation, staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation)
    with pytest.raises(ValidationError) as error:
        services.referral_transition(referral=referral, action=action, actor=staff, **data)
    assert field in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.SENT and referral.events.count() == 1


def test_complete_needs_an_outcome_and_nothing_changes(sender, receiver):
    organisation, staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation)
    services.referral_transition(referral=referral, action="accept", actor=staff)
    with pytest.raises(ValidationError):
        services.referral_transition(referral=referral, action="complete", actor=staff)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.completed_at is None


def test_sides_and_states_are_enforced(sender, receiver, make_user):
    organisation, staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation)
    stranger = receiving_organisation()[1]
    for actor, action in [(sender, "accept"), (stranger, "accept"), (staff, "cancel")]:
        with pytest.raises(PermissionDenied, match="pas autorisé"):
            services.referral_transition(referral=referral, action=action, actor=actor)
    with pytest.raises(ValidationError, match="pas possible pour le moment"):
        services.referral_transition(referral=referral, action="start", actor=staff)
    manager = make_user(Role.PROGRAMME_MANAGER)
    with pytest.raises(PermissionDenied):
        services.referral_transition(referral=referral, action="accept", actor=manager)
    services.referral_transition(referral=referral, action="cancel", actor=sender)
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED


def test_every_transition_names_a_known_state_and_side():
    for (source, _action), transition in TRANSITIONS.items():
        assert source in Status.values and transition.target in Status.values
        assert transition.side in {"sender", "receiver"}


def test_receiver_refers_onward_and_the_chain_is_shared(sender, receiver):
    organisation, staff = receiver
    anir, anir_staff = receiving_organisation()
    first = send_referral(agent=sender, to_organisation=organisation)
    with pytest.raises(ValidationError):  # not before accepting it
        services.referral_send(
            beneficiary=first.beneficiary, parent=first, to_organisation=anir, actor=staff,
            reason="Pastry training",
        )  # fmt: skip
    services.referral_transition(referral=first, action="accept", actor=staff)
    first.refresh_from_db()
    onward = services.referral_send(
        beneficiary=None, parent=first, to_organisation=anir, actor=staff, reason="Pastry training"
    )
    assert onward.from_organisation == organisation and onward.beneficiary == first.beneficiary
    assert [r.pk for r in selectors.referral_chain(onward)] == [first.pk, onward.pk]
    assert [r.pk for r in selectors.referral_chain(first)] == [first.pk, onward.pk]
    # Anir sees its own referral, not the first one, and never the case file.
    visible = Referral.objects.visible_to(anir_staff)
    assert list(visible) == [onward]
    assert not permissions.can_open_case_file(anir_staff, onward)


def test_receiver_loses_access_when_declined_or_long_closed(sender, receiver, settings):
    organisation, staff = receiver
    declined = send_referral(agent=sender, to_organisation=organisation)
    assert permissions.can_see_person(staff, declined)
    services.referral_transition(
        referral=declined, action="decline", actor=staff, decline_reason=DeclineReason.NO_CAPACITY
    )
    declined.refresh_from_db()
    assert not permissions.can_see_person(staff, declined)
    assert permissions.can_see_person(sender, declined)

    done = send_referral(agent=sender, to_organisation=organisation)
    services.referral_transition(referral=done, action="accept", actor=staff)
    services.referral_transition(
        referral=done, action="complete", actor=staff, outcome=Outcome.DID_NOT_COME
    )
    done.refresh_from_db()
    assert permissions.can_see_person(staff, done)
    settings.REFERRALS_ACCESS_DAYS = 30
    Referral.objects.filter(pk=done.pk).update(closed_at=timezone.now() - timedelta(days=31))
    done.refresh_from_db()
    assert not permissions.can_see_person(staff, done)


def test_overdue_reminder_once_a_day(sender, receiver, eager_celery,
                                     django_capture_on_commit_callbacks):  # fmt: skip
    organisation, staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation)
    mail.outbox.clear()
    today = timezone.localdate()
    assert services.overdue_reminders_send(today=today) == 0
    later = referral.due_on + timedelta(days=1)
    assert list(Referral.objects.overdue(later)) == [referral]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.overdue_reminders_send(today=later) == 1
        assert services.overdue_reminders_send(today=later) == 0  # once a day
    assert Notification.objects.filter(recipient=staff, kind="referral.overdue").count() == 1
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_timeline_shows_referrals_and_outcome(sender, receiver):
    organisation, staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation)
    services.referral_transition(referral=referral, action="accept", actor=staff)
    events = beneficiary_timeline(referral.beneficiary)
    assert [e["object"].pk for e in events if e["kind"] == "referral"] == [referral.pk]


def test_stats_per_route_service_and_sex(sender, receiver, django_assert_max_num_queries):
    organisation, staff = receiver
    service = ServiceType.objects.get(code="legal-aid")
    for sex in (Sex.FEMALE, Sex.FEMALE, Sex.MALE):
        referral = send_referral(
            agent=sender,
            to_organisation=organisation,
            service=service,
            beneficiary=BeneficiaryFactory(agent=sender, sex=sex),
        )
        services.referral_transition(referral=referral, action="accept", actor=staff)
    Referral.objects.update(answered_at=Referral.objects.first().sent_at + timedelta(hours=6))
    services.referral_transition(
        referral=referral, action="complete", actor=staff, outcome=Outcome.SERVICE_GIVEN
    )
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)
    with django_assert_max_num_queries(3):
        by_route = selectors.referral_stats(user=manager, group_by="route")
    assert len(by_route) == 1
    row = by_route[0]
    assert (row["sent"], row["accepted"], row["declined"], row["completed"]) == (3, 3, 0, 1)
    assert row["median_answer"] is not None
    assert row["median_completion"] is not None
    by_sex = {r["beneficiary__sex"]: r["sent"] for r in selectors.referral_stats(
        user=manager, group_by="sex")}  # fmt: skip
    assert by_sex == {"female": 2, "male": 1}
    by_service = selectors.referral_stats(user=manager, group_by="service")
    assert by_service[0]["service__code"] == "legal-aid"


def test_statistician_sees_no_referral(sender, receiver, make_user):
    send_referral(agent=sender, to_organisation=receiver[0])
    assert not Referral.objects.visible_to(make_user(Role.STATISTICIAN)).exists()
    assert Referral.objects.visible_to(make_user(Role.PROGRAMME_MANAGER)).count() == 1


# --- Concurrency: real database connections -----------------------------------------------
def _in_threads(*targets):
    errors: list = []
    barrier = threading.Barrier(len(targets))

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_identical_submissions_create_one_referral():
    agent = UserFactory(role=Role.AGENT)
    organisation, _staff = receiving_organisation()
    person = BeneficiaryFactory(agent=agent)
    key = uuid.uuid4()

    def submit():
        services.referral_send(
            beneficiary=person, to_organisation=organisation, actor=agent,
            reason="Same form twice", idempotency_key=key,
        )  # fmt: skip

    errors = _in_threads(submit, submit, submit)
    assert errors == []
    assert Referral.objects.count() == 1
    assert ReferralEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_accepting_at_once_one_wins():
    agent = UserFactory(role=Role.AGENT)
    organisation, staff = receiving_organisation()
    colleague = UserFactory(role=Role.ASSOCIATION_STAFF, organisation=organisation)
    referral = send_referral(agent=agent, to_organisation=organisation)

    def accept(user):
        return lambda: services.referral_transition(referral=referral, action="accept", actor=user)

    errors = _in_threads(accept(staff), accept(colleague))
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "pas possible pour le moment" in str(errors[0])
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.events.filter(action="accept").count() == 1


def test_the_bureau_that_started_a_chain_follows_onward_referrals(
    sender, receiver, eager_celery, django_capture_on_commit_callbacks
):
    organisation, staff = receiver
    anir, anir_staff = receiving_organisation()
    first = send_referral(agent=sender, to_organisation=organisation)
    first = services.referral_transition(referral=first, action="accept", actor=staff)
    onward = services.referral_send(
        beneficiary=None, parent=first, to_organisation=anir, actor=staff, reason="Pastry"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(referral=onward, action="accept", actor=anir_staff)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, sender.email])
    assert Notification.objects.filter(recipient=sender, url=onward.get_absolute_url()).exists()
