"""The outbox (issue 15) and the worklist home (issue 14), through the real services.

Policies: a notification is written in the transaction that causes it (rolled back: none);
each outbox message is delivered at most once, in the recipient's language; a failed email is
retried after 1, 2, 4 ... minutes and given up after 6 attempts; a user reads and marks only
their own notifications. The worklist runs the same number of queries whatever the data."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from baom.casework import services as casework
from core import notifications
from core.models import AuditEvent, Notification, OutboxMessage
from referrals import services as referral_services
from referrals.choices import Status
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


class Rollback(Exception):
    pass


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPException("mail server down")


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, language="ar")


@pytest.fixture
def receiver():
    return receiving_organisation()


def test_a_rolled_back_step_writes_no_notification(agent, receiver):
    organisation, _staff = receiver
    person = BeneficiaryFactory(agent=agent)
    with pytest.raises(Rollback), transaction.atomic():
        send_referral(agent=agent, to_organisation=organisation, beneficiary=person)
        assert OutboxMessage.objects.count() == 2  # in-app + email, inside the transaction
        raise Rollback
    assert OutboxMessage.objects.count() == 0


def test_delivery_is_once_and_in_the_recipients_language(agent, receiver):
    organisation, staff = receiver
    referral = send_referral(agent=agent, to_organisation=organisation)
    referral_services.referral_transition(referral=referral, action="accept", actor=staff)
    to_agent = list(OutboxMessage.objects.filter(recipient=agent))
    assert {m.channel for m in to_agent} == {"in_app", "email"}
    for message in to_agent * 2:  # every message delivered twice
        notifications.deliver(message_id=message.pk)
    assert Notification.objects.filter(recipient=agent).count() == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "مقبول" in body or "قبول" in body or "أصبح الآن" in body  # Arabic: the agent's language
    assert referral.beneficiary.last_name not in body + mail.outbox[0].subject


def test_a_failed_email_is_retried_with_backoff_then_given_up(agent, receiver, settings):
    settings.EMAIL_BACKEND = "tests.casework.test_notifications_worklist.BrokenBackend"
    organisation, staff = receiver
    send_referral(agent=agent, to_organisation=organisation)
    email = OutboxMessage.objects.get(recipient=staff, channel="email")
    before = timezone.now()
    assert notifications.deliver(message_id=email.pk) == "pending"
    email.refresh_from_db()
    assert email.attempts == 1 and "mail server down" in email.last_error
    assert timedelta(seconds=55) < email.next_attempt_at - before < timedelta(seconds=65)
    for _ in range(5):
        notifications.deliver(message_id=email.pk)
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("failed", 6)
    # The sweep hands over only what is due and still pending.
    assert notifications.sweep(now=timezone.now() + timedelta(days=1)) == 1  # the in-app one


def test_each_user_reads_and_marks_only_their_own(client, agent, receiver):
    organisation, staff = receiver
    referral = send_referral(agent=agent, to_organisation=organisation)
    referral_services.referral_transition(referral=referral, action="accept", actor=staff)
    for message in OutboxMessage.objects.filter(channel="in_app"):
        notifications.deliver(message_id=message.pk)
    mine = Notification.objects.get(recipient=agent)
    theirs = Notification.objects.get(recipient=staff)
    client.force_login(agent)
    assert 'data-testid="bell-count">1<' in client.get("/notifications/bell/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert mine.url in page or "notification-list" in page
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None  # another user's id changes nothing
    attempt = AuditEvent.objects.filter(action="forbidden", object_type="core.notification")
    assert list(attempt.values_list("actor", "object_id")) == [(agent.pk, str(theirs.pk))]
    response = client.post(f"/notifications/{mine.pk}/read/")
    assert response.url == referral.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is not None
    client.force_login(staff)
    client.post("/notifications/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_the_notifications_page_runs_a_fixed_number_of_queries(
    client, agent, receiver, django_assert_num_queries
):
    organisation, staff = receiver
    client.force_login(agent)
    client.get("/notifications/")  # session warmed

    def add(n):
        for _ in range(n):
            referral = send_referral(agent=agent, to_organisation=organisation)
            referral_services.referral_transition(referral=referral, action="accept", actor=staff)
        for message in OutboxMessage.objects.filter(channel="in_app", state="pending"):
            notifications.deliver(message_id=message.pk)

    add(1)
    # session, user, the navigation's referral badge and organisation (base.html), unread
    # count, page count, page rows
    with django_assert_num_queries(7):
        client.get("/notifications/")
    add(4)
    with django_assert_num_queries(7):
        client.get("/notifications/")


# --- Referral progress notes and claims -------------------------------------------------------
def test_the_receiver_writes_progress_notes_the_sender_reads_and_no_other_partner(
    client, agent, receiver
):
    organisation, staff = receiver
    _other_org, other_staff = receiving_organisation()
    referral = send_referral(agent=agent, to_organisation=organisation)
    referral_services.referral_transition(referral=referral, action="accept", actor=staff)
    client.force_login(staff)
    client.post(f"/referrals/{referral.uuid}/progress-note/", {"note": "PROGRESS-42 seen twice"})
    assert referral.events.filter(action="progress_note").count() == 1
    assert OutboxMessage.objects.filter(recipient=agent, kind="referral.progress_note").count() == 2
    client.force_login(agent)
    assert "PROGRESS-42" in client.get(referral.get_absolute_url()).content.decode()
    client.force_login(other_staff)
    assert client.get(referral.get_absolute_url()).status_code == 404
    # The sender cannot write one (refused, audited, nothing saved).
    client.force_login(agent)
    client.post(f"/referrals/{referral.uuid}/progress-note/", {"note": "nope"})
    assert referral.events.filter(action="progress_note").count() == 1
    refusals = AuditEvent.objects.filter(action="forbidden", object_id=str(referral.uuid))
    # one line for the sender's attempt, one for the other partner's 404 (audit middleware)
    assert refusals.filter(actor=agent).count() == 1
    assert refusals.filter(actor=other_staff).count() == 1


def test_a_claim_is_logged_as_a_claim_and_its_button_disappears(client, agent, receiver):
    organisation, staff = receiver
    colleague = UserFactory(role=Role.ASSOCIATION_STAFF, organisation=organisation)
    referral = send_referral(agent=agent, to_organisation=organisation)
    client.force_login(staff)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert 'data-testid="action-claim"' in page and 'data-testid="claim-help"' in page
    client.post(f"/referrals/{referral.uuid}/claim/")
    referral.refresh_from_db()
    assert referral.claimed_by == staff and referral.status == Status.SENT
    page = client.get(referral.get_absolute_url()).content.decode()
    assert 'data-testid="action-claim"' not in page
    assert 'data-testid="event-claim">Prise en charge<' in page
    with pytest.raises(ValidationError):
        referral_services.referral_transition(referral=referral, action="claim", actor=colleague)
    assert referral.events.filter(action="claim").count() == 1


# --- The worklist home ------------------------------------------------------------------------
def _day_of_work(agent, organisation, staff, n):
    people = [BeneficiaryFactory(agent=agent) for _ in range(n)]
    for person in people:
        casework.follow_up_schedule(beneficiary=person, actor=agent, due_on=TODAY, purpose="Call")
        referral = send_referral(agent=agent, to_organisation=organisation, beneficiary=person)
        referral_services.referral_transition(referral=referral, action="accept", actor=staff)
        casework.person_seen(user=agent, beneficiary=person)
    for message in OutboxMessage.objects.filter(channel="in_app", state="pending"):
        notifications.deliver(message_id=message.pk)
    return people


def test_the_agents_worklist_shows_the_day_and_runs_a_fixed_number_of_queries(
    client, agent, receiver, django_assert_num_queries
):
    organisation, staff = receiver
    client.force_login(agent)
    client.get("/")
    people = _day_of_work(agent, organisation, staff, 1)
    # session, user; follow-ups: counts, list; the user's permissions (2, once per request);
    # incoming: counts, list; changes: count, list; recently seen: list; base.html: the
    # referral badge and the organisation = 13, whatever the number of items
    with django_assert_num_queries(13):
        page = client.get("/").content.decode()
    assert people[0].code in page and 'data-testid="panel-follow_ups"' in page
    assert 'data-testid="not-seen"' in page  # the accepted referral: not looked at yet
    _day_of_work(agent, organisation, staff, 4)
    with django_assert_num_queries(13):
        client.get("/")


def test_the_supervisors_worklist_has_the_caseload(client, agent, django_assert_num_queries):
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation)
    BeneficiaryFactory(agent=agent)
    late = BeneficiaryFactory(agent=agent)
    casework.follow_up_schedule(beneficiary=late, actor=agent, due_on=TODAY, purpose="x")
    from baom.casework.models import FollowUp

    FollowUp.objects.update(due_on=TODAY - timedelta(days=2))
    client.force_login(supervisor)
    page = client.get("/").content.decode()
    assert 'data-testid="panel-caseload"' in page
    row = page[page.index(agent.full_name) : page.index(agent.full_name) + 200]
    assert ">2<" in row and ">1<" in row  # 2 open cases, 1 overdue follow-up


def test_association_staff_see_their_inbox_counts(client, agent, receiver):
    organisation, staff = receiver
    send_referral(agent=agent, to_organisation=organisation)
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert 'data-testid="panel-incoming"' in page and 'data-testid="panel-follow_ups"' not in page
