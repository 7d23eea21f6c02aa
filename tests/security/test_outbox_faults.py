"""Issue 15: notifications are not lost when Redis is down. Referral steps are taken with the
broker unreachable; Redis comes back, the beat sweep hands the waiting outbox rows to a real
worker, every message is delivered, and delivered once even when each is enqueued twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.roles import Role
from core import notifications
from core.models import Notification, OutboxMessage
from referrals import services as referral_services
from referrals.choices import Outcome
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation
from tests.security.conftest import STATS
from tests.security.test_faults import redis_down, reference_data  # noqa: F401
from tests.security.workers import Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_referral_notifications_written_while_redis_is_down_are_sent_exactly_once(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    pool = Workers(
        tmp_path,
        settings_module="tests.security.outbox_worker_settings",
        env={"TAWJIH_TEST_EMAIL_DIR": str(mail_dir)},
    )
    agent = UserFactory(role=Role.AGENT, language="ar")
    organisation, staff = receiving_organisation()
    person = BeneficiaryFactory(agent=agent)
    try:
        with override_settings(NOTIFICATIONS_TASK_QUEUE=pool.queue):
            with redis_down():
                referral = referral_services.referral_send(
                    beneficiary=person, to_organisation=organisation, actor=agent, reason="Lawyer"
                )
                for action, data in [
                    ("accept", {}),
                    ("start", {}),
                    ("complete", {"outcome": Outcome.SERVICE_GIVEN}),
                ]:
                    referral_services.referral_transition(
                        referral=referral, action=action, actor=staff, **data
                    )
            # By the policy: "send" tells the receiving staff member, each of the three later
            # steps tells the agent who sent it; each person has an address: in-app + email.
            expected = {staff.pk: 1, agent.pk: 3}
            waiting = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
            assert waiting.count() == 2 * sum(expected.values()) == 8
            assert Notification.objects.count() == 0  # nothing delivered while Redis was down

            # Redis is back. Beat's sweep finds the rows once their grace delay has passed.
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
        redis.Redis.from_url(settings.REDIS_URL).delete(pool.queue)

    assert OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count() == 8
    per_user = {user: Notification.objects.filter(recipient_id=user).count() for user in expected}
    assert per_user == expected
    assert Notification.objects.filter(outbox__isnull=True).count() == 0
    assert sorted(Notification.objects.values_list("outbox__channel", flat=True)) == ["in_app"] * 4
    mails = "".join(p.read_text() for p in mail_dir.iterdir())
    assert mails.count(f"To: {staff.email}") == 1
    assert mails.count(f"To: {agent.email}") == 3
    assert person.last_name not in mails and person.first_name not in mails
    STATS["notifications_lost_with_redis_down"] += 0
    STATS["notifications_delivered_after_redis_down"] += 8
