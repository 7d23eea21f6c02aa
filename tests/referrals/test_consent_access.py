"""Withdrawing consent to sharing ends partners' access to the person at once (law 09-08).

Two organisations hold the person: the association the bureau referred her to (it accepted),
and a second one that association referred her onward to (still new). After the withdrawal,
neither sees her card, her name in its inbox, or the free text; both referrals are cancelled
with an event saying why; the bureau still sees everything; no new referral can be sent."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from baom import privacy
from core.models import OutboxMessage
from referrals import permissions, services
from referrals.choices import Outcome, Status
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sender, receiver):
    first_org, first_staff = receiver
    second_org, second_staff = receiving_organisation()
    person = BeneficiaryFactory(agent=sender, first_name="Awa", last_name="Ndiaye")
    first = send_referral(
        agent=sender, to_organisation=first_org, beneficiary=person, reason="Legal aid",
        note="Speaks Wolof",
    )  # fmt: skip
    services.referral_transition(referral=first, action="accept", actor=first_staff)
    onward = services.referral_send(
        beneficiary=None, parent=Referral.objects.get(pk=first.pk), to_organisation=second_org,
        actor=first_staff, reason="Pastry training",
    )  # fmt: skip
    return {
        "person": person,
        "first": first,
        "onward": onward,
        "first_staff": first_staff,
        "second_staff": second_staff,
    }


def withdraw(world, actor):
    privacy.consent_record(
        beneficiary=world["person"], actor=actor, purpose="sharing", given=False,
        date=timezone.localdate(), method="oral",
    )  # fmt: skip


def fresh(referral):
    return Referral.objects.select_related("beneficiary").get(pk=referral.pk)


def test_both_partners_lose_the_person_at_once(world, sender):
    first, onward = world["first"], world["onward"]
    a, b = world["first_staff"], world["second_staff"]
    # Before: the first association sees her on both referrals (received, and sent onward),
    # the second on the one it received.
    assert permissions.can_see_person(a, fresh(first))
    assert permissions.can_see_person(a, fresh(onward))
    assert permissions.can_see_person(b, fresh(onward))
    withdraw(world, sender)
    for staff, referral in ((a, first), (a, onward), (b, onward)):
        assert not permissions.can_see_person(staff, fresh(referral))
    # The bureau holds the case file: it still sees her.
    assert permissions.can_see_person(sender, fresh(first))
    assert permissions.can_see_person(sender, fresh(onward))


def test_open_referrals_are_cancelled_with_an_event_and_the_other_side_told(world, sender):
    withdraw(world, sender)
    for referral in (world["first"], world["onward"]):
        referral = fresh(referral)
        assert referral.status == Status.CANCELLED and referral.closed_at is not None
        event = referral.events.order_by("-created_at", "-id").first()
        assert (event.action, event.to_status, event.actor) == (
            "consent_withdrawn",
            "cancelled",
            sender,
        )
    # Each receiving organisation is told: its notifications are in the outbox, written in the
    # transaction that cancelled the referral (a worker delivers them after commit).
    for referral in (world["first"], world["onward"]):
        assert OutboxMessage.objects.filter(
            recipient__organisation_id=referral.to_organisation_id,
            channel="in_app",
            url=referral.get_absolute_url(),
            params__status="cancelled",
        ).exists()


def test_a_completed_referral_loses_the_card_before_the_usual_delay(sender, receiver):
    organisation, staff = receiver
    person = BeneficiaryFactory(agent=sender)
    done = send_referral(agent=sender, to_organisation=organisation, beneficiary=person)
    services.referral_transition(referral=done, action="accept", actor=staff)
    services.referral_transition(
        referral=done, action="complete", actor=staff, outcome=Outcome.SERVICE_GIVEN
    )
    assert permissions.can_see_person(staff, fresh(done))  # within REFERRALS_ACCESS_DAYS
    privacy.consent_record(
        beneficiary=person, actor=sender, purpose="sharing", given=False,
        date=timezone.localdate(), method="phone",
    )  # fmt: skip
    assert not permissions.can_see_person(staff, fresh(done))
    assert fresh(done).status == Status.COMPLETED  # history is not rewritten


def test_the_pages_show_neither_name_nor_free_text(client, login, world, sender):
    withdraw(world, sender)
    for staff, referral in (
        (world["first_staff"], world["first"]),
        (world["second_staff"], world["onward"]),
    ):
        client.logout()
        login(staff)
        page = client.get(referral.get_absolute_url()).content.decode()
        assert 'data-testid="access-ended"' in page
        assert "NDIAYE" not in page and "Awa" not in page
        assert "Legal aid" not in page and "Speaks Wolof" not in page
        assert 'data-testid="event-consent-withdrawn"' in page
        inbox = client.get(reverse("referrals:index") + "?box=done").content.decode()
        assert 'data-testid="referral-row"' in inbox and "NDIAYE" not in inbox
    client.logout()
    login(sender)
    page = client.get(world["first"].get_absolute_url()).content.decode()
    assert "NDIAYE" in page and "Legal aid" in page


def test_no_new_referral_and_consent_given_again_restores_nothing_cancelled(
    world, sender, receiver
):
    organisation, staff = receiver
    withdraw(world, sender)
    with pytest.raises(ValidationError, match="pas consenti au partage"):
        send_referral(agent=sender, to_organisation=organisation, beneficiary=world["person"])
    privacy.consent_record(
        beneficiary=world["person"], actor=sender, purpose="sharing", given=True,
        date=timezone.localdate(), method="written",
    )  # fmt: skip
    # The cancelled referrals stay cancelled; a new referral is possible again.
    assert fresh(world["first"]).status == Status.CANCELLED
    again = send_referral(agent=sender, to_organisation=organisation, beneficiary=world["person"])
    assert permissions.can_see_person(staff, fresh(again))
