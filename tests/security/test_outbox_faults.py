"""Issue 15: notifications are not lost when Redis goes down. A real Redis server of the test's
own (the redis-server binary that scripts/devstack.py runs) is Celery's broker; referral steps
are taken while it runs, it is killed, more steps are taken (they commit), it is started again on
the same port (empty: what its queue held died with it), and a real worker with beat's sweep
delivers every notification exactly once, counted per outbox message: in-app rows and emails
(each email names its outbox message in a header)."""

from __future__ import annotations

import email
from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.roles import Role
from core import notifications
from core.models import Notification, OutboxMessage
from referrals import services as referral_services
from referrals.choices import Outcome, Status
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation
from tests.security.conftest import STATS
from tests.security.redis_server import RedisServer, broker_at, reset_producer
from tests.security.test_faults import reference_data  # noqa: F401
from tests.security.workers import Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _emails_per_outbox_id(mail_dir) -> Counter:
    """How many emails the worker sent for each outbox message (the filebased backend writes
    every message of a connection into one file, separated by a line of dashes)."""
    sent = Counter()
    for path in mail_dir.iterdir():
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                message = email.message_from_string(raw.strip())
                sent[int(message[notifications.OUTBOX_HEADER])] += 1
    return sent


def test_referral_notifications_survive_a_redis_crash_and_are_sent_exactly_once(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    server = RedisServer(tmp_path / "redis")
    server.start()
    pool = Workers(
        tmp_path,
        settings_module="tests.security.outbox_worker_settings",
        env={"TAWJIH_TEST_EMAIL_DIR": str(mail_dir), "REDIS_URL": server.url},
    )
    agent = UserFactory(role=Role.AGENT, language="ar")
    organisation, staff = receiving_organisation()
    person = BeneficiaryFactory(agent=agent)
    try:
        with broker_at(server.url), override_settings(NOTIFICATIONS_TASK_QUEUE=pool.queue):
            # 1. Redis runs: "sent" tells the receiving staff member, "accepted" the agent;
            # in-app and email each: 4 messages reach the broker's queue (no worker yet).
            referral = referral_services.referral_send(
                beneficiary=person, to_organisation=organisation, actor=agent, reason="Lawyer"
            )
            referral_services.referral_transition(referral=referral, action="accept", actor=staff)
            assert server.client().llen(pool.queue) == 4

            # 2. Redis dies with its queue. The next steps still commit; their 4 messages wait
            # in the outbox table.
            server.stop()
            for action, data in [("start", {}), ("complete", {"outcome": Outcome.SERVICE_GIVEN})]:
                referral_services.referral_transition(
                    referral=referral, action=action, actor=staff, **data
                )
            assert Referral.objects.get(pk=referral.pk).status == Status.COMPLETED
            waiting = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
            assert waiting.count() == 8
            assert Notification.objects.count() == 0

            # 3. Redis starts again on the same port, empty: the first 4 messages were lost
            # from the broker, not from the outbox.
            server.start()
            reset_producer()
            assert server.client().llen(pool.queue) == 0
            pool.start()
            assert notifications.sweep(now=timezone.now()) == 0  # not due yet
            assert notifications.sweep(now=timezone.now() + timedelta(minutes=2)) == 8
            # A duplicate of every message (a retry racing the sweep): still sent once.
            notifications.enqueue(list(OutboxMessage.objects.values_list("pk", flat=True)))
            wait_for(
                lambda: not waiting.exists() and pool.logs().count("succeeded in") >= 16,
                what="every outbox message delivered and every duplicate consumed",
            )
    finally:
        pool.stop_all()
        server.close()

    messages = {m.pk: m for m in OutboxMessage.objects.all()}
    in_app = Counter(Notification.objects.values_list("outbox_id", flat=True))
    emails = _emails_per_outbox_id(mail_dir)
    delivered = in_app + emails
    # By the policy: "send" tells the receiving staff member, each later step the agent who
    # sent it (3 steps); both have an address: 4 in-app messages and 4 emails.
    recipients = Counter(m.recipient_id for m in messages.values() if m.channel == "in_app")
    assert recipients == {staff.pk: 1, agent.pk: 3}
    lost = [pk for pk in messages if delivered[pk] == 0]
    duplicated = [pk for pk, n in delivered.items() if n > 1]
    unknown = [pk for pk in delivered if pk not in messages]
    assert (lost, duplicated, unknown) == ([], [], [])
    assert set(in_app) == {pk for pk, m in messages.items() if m.channel == "in_app"}
    assert set(emails) == {pk for pk, m in messages.items() if m.channel == "email"}
    assert all(m.state == OutboxMessage.State.SENT for m in messages.values())
    mails = "".join(p.read_text() for p in mail_dir.iterdir())
    assert person.last_name not in mails and person.first_name not in mails
    STATS["notifications_lost_with_redis_down"] += len(lost)
    STATS["notifications_delivered_after_redis_down"] += sum(delivered.values())
