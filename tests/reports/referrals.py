"""Referrals in given states at given times. The referral workflow stamps sent_at/answered_at
with the current time, so these rows are written directly with the times a test needs."""

from __future__ import annotations

import datetime
import uuid

from referrals.choices import DeclineReason, Outcome, Status
from referrals.models import Referral
from tests.factories import OrganisationFactory

SENT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def make_referrals(people, *, agent):
    """Women (the first five): accepted after 1 day, completed (2), in progress (3), declined
    (4), not answered. The sixth person (a man): accepted after 1 day."""
    partner = OrganisationFactory()
    plan = [
        (Status.ACCEPTED, 1),
        (Status.COMPLETED, 2),
        (Status.IN_PROGRESS, 3),
        (Status.DECLINED, 4),
        (Status.SENT, None),
        (Status.ACCEPTED, 1),
    ]
    for person, (status, days) in zip(people, plan, strict=True):
        answered = SENT + datetime.timedelta(days=days) if days else None
        Referral.objects.create(
            idempotency_key=uuid.uuid4(),
            beneficiary=person,
            from_organisation=agent.organisation,
            to_organisation=partner,
            reason="Accompagnement",
            status=status,
            sent_by=agent,
            sent_at=SENT,
            answered_at=answered,
            completed_at=answered if status == Status.COMPLETED else None,
            outcome=Outcome.SERVICE_GIVEN if status == Status.COMPLETED else "",
            decline_reason=DeclineReason.NO_CAPACITY if status == Status.DECLINED else "",
        )
