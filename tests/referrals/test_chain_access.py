"""Issue 18 #1 and #2: a partner's access to the person follows the whole referral chain.

Policy (docs/referrals.md): an organisation other than the person's bureau sees the person's
identity on any referral it holds about them only while one referral it *received* about them
is waiting, being worked, or was completed less than REFERRALS_ACCESS_DAYS ago, and no
referral upstream of that one was declined or cancelled. Sending onward gives nothing. Once
access ends, the partner reads dates, status, organisations and the coded outcome, never the
free text (reason, note, feedback, event notes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import permissions, services
from referrals.choices import DeclineReason, Outcome
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db

NAME, PHONE = "Qwertzuiop", "+212 661 23 45 67"


@pytest.fixture
def chain(sender, receiver):
    a_org, a_staff = receiver
    b_org, b_staff = receiving_organisation()
    person = BeneficiaryFactory(agent=sender, last_name=NAME, phone=PHONE)
    first = send_referral(
        agent=sender, to_organisation=a_org, beneficiary=person,
        reason="Pregnant woman, GBV follow-up", note="Sleeps at the Salam shelter",
    )  # fmt: skip
    services.referral_transition(referral=first, action="accept", actor=a_staff)
    onward = services.referral_send(
        beneficiary=None, parent=Referral.objects.get(pk=first.pk), to_organisation=b_org,
        actor=a_staff, reason="Shelter near the hospital", note="Call her on the second phone",
    )  # fmt: skip
    return {"first": first, "onward": onward, "a": a_staff, "b": b_staff, "person": person}


def fresh(referral):
    return Referral.objects.select_related("beneficiary").get(pk=referral.pk)


def page_of(client, login, user, url):
    client.logout()
    login(user)
    return client.get(url).content.decode()


SECRETS = (
    NAME.upper(), NAME, "661 23 45 67", "Pregnant woman", "Salam shelter", "second phone",
    "Shelter near", "hospital bed",
)  # fmt: skip


def test_the_probe_scenario_bureau_cancels_and_b_declines(client, login, chain, sender):
    first, onward, a, b = chain["first"], chain["onward"], chain["a"], chain["b"]
    # Before: A sees her on both referrals, B on the one it received.
    assert permissions.can_see_person(a, fresh(first))
    assert permissions.can_see_person(a, fresh(onward))
    assert permissions.can_see_person(b, fresh(onward))
    services.referral_transition(referral=first, action="cancel", actor=sender, note="Moved")
    # The original cancelled upstream: B's referral no longer shares her, even before B answers.
    assert not permissions.can_see_person(b, fresh(onward))
    services.referral_transition(
        referral=onward, action="decline", actor=b, decline_reason=DeclineReason.OTHER,
        note="No hospital bed for her",
    )  # fmt: skip
    for staff, referral in ((a, first), (a, onward), (b, onward)):
        assert not permissions.can_see_person(staff, fresh(referral))
        page = page_of(client, login, staff, referral.get_absolute_url())
        assert 'data-testid="access-ended"' in page
        for secret in SECRETS:
            assert secret not in page, (staff, secret)
        assert 'data-testid="history"' in page  # dates and statuses stay
    for staff, url in (
        (a, reverse("referrals:index") + "?box=done"),
        (a, reverse("referrals:sent")),
        (b, reverse("referrals:index") + "?box=done"),
    ):
        page = page_of(client, login, staff, url)
        assert 'data-testid="referral-row"' in page and NAME.upper() not in page
    # The bureau holds the case file: it still sees her and the text.
    page = page_of(client, login, sender, first.get_absolute_url())
    assert NAME.upper() in page and "Pregnant woman" in page


def test_forwarding_does_not_outlive_the_forwarders_own_access(settings, chain, sender):
    """A completes its own referral; past the grace period it no longer sees her, even on the
    referral it sent onward to B that B still works; B still sees her."""
    first, onward, a, b = chain["first"], chain["onward"], chain["a"], chain["b"]
    services.referral_transition(referral=onward, action="accept", actor=b)
    services.referral_transition(
        referral=first, action="complete", actor=a, outcome=Outcome.SERVICE_GIVEN
    )
    assert permissions.can_see_person(a, fresh(onward))  # within the grace period
    Referral.objects.filter(pk=first.pk).update(
        closed_at=timezone.now() - timedelta(days=settings.REFERRALS_ACCESS_DAYS + 1)
    )
    assert not permissions.can_see_person(a, fresh(first))
    assert not permissions.can_see_person(a, fresh(onward))
    assert permissions.can_see_person(b, fresh(onward))
    assert not permissions.can_refer_onward(a, fresh(first))


def test_after_access_ends_the_selector_drops_free_text(chain, sender):
    from referrals import selectors

    first, onward, a = chain["first"], chain["onward"], chain["a"]
    services.referral_transition(referral=first, action="cancel", actor=sender, note="Moved")
    for referral in (first, onward):
        shown = selectors.referral_get_for(a, referral.uuid)
        assert (shown.reason, shown.note, shown.feedback) == ("", "", "")
        assert all(event.note == "" for event in selectors.referral_events(shown))
        assert shown.status and shown.sent_at  # what the policy keeps
    kept = selectors.referral_get_for(sender, first.uuid)
    assert kept.reason == "Pregnant woman, GBV follow-up"


def test_inbox_decides_identity_for_the_page_in_one_query(chain, django_assert_num_queries):
    from core.pagination import CappedPaginator
    from referrals import selectors

    b = chain["b"]
    page = CappedPaginator(selectors.inbox(user=b, box="new"), 25).get_page(1)
    list(page.object_list)
    # one query decides for the page; one more reads the names of the people shown (a
    # partner's rows: not read with the list, so a row whose access ended never reads them)
    with django_assert_num_queries(2):
        page = selectors.with_identity(user=b, page=page)
    assert [r.identity_visible for r in page.object_list] == [True]
