"""Races with two real database connections and a forced interleaving (events and PostgreSQL's
own lock table, never sleeps), each checked to fail when the lock or the version check it
proves is taken out (see docs/security.md, "Locks and races").

- A referral answered twice at once (accept and decline by two staff of the receiving side):
  the row lock in ``referral_transition`` makes the second wait, read the new status and refuse;
  exactly one answer wins.
- A visit that moves a case to follow-up while someone edits the record: the visit's status
  change bumps ``version``, so the edit based on the old version is refused (no lost update).
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from baom import services as baom_services
from baom.choices import CaseStatus
from baom.models import Beneficiary
from referrals import permissions as referral_permissions
from referrals import services as referral_services
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # seconds: only a safety net against a hung test, never part of the interleaving


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _run(target, results, name, pid_box=None):
    try:
        if pid_box is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid_box.append(cursor.fetchone()[0])
        results[name] = target()
    except Exception as exc:
        results[name] = exc
    finally:
        connection.close()


def test_a_referral_answered_twice_at_once_keeps_one_answer(monkeypatch):
    agent = UserFactory(role=Role.AGENT)
    organisation, first = receiving_organisation()
    second = UserFactory(role=Role.ASSOCIATION_STAFF, organisation=organisation)
    referral = send_referral(agent=agent, to_organisation=organisation)

    first_checked, release_first = threading.Event(), threading.Event()
    real_can_act = referral_permissions.can_act

    def can_act(actor, referral, side):
        # The first answer stops here, after the service read (and locked) the row and before
        # it writes, until the second answer has started and is either blocked or finished.
        if actor.pk == first.pk:
            first_checked.set()
            assert release_first.wait(WAIT)
        return real_can_act(actor, referral, side)

    monkeypatch.setattr(referral_permissions, "can_act", can_act)
    results: dict = {}
    pid_box: list[int] = []

    def accept():
        return referral_services.referral_transition(
            referral=referral, action="accept", actor=first
        )

    def decline():
        return referral_services.referral_transition(
            referral=referral, action="decline", actor=second, decline_reason="no_capacity"
        )

    one = threading.Thread(target=_run, args=(accept, results, "accept"))
    one.start()
    assert first_checked.wait(WAIT)
    two = threading.Thread(target=_run, args=(decline, results, "decline", pid_box))
    two.start()
    # The interleaving: the second answer is blocked on the first's row lock (or, without the
    # lock, has already finished), then the first goes on.
    deadline = timezone.now() + datetime.timedelta(seconds=WAIT)
    while not (pid_box and _waiting_on_a_lock(pid_box[0])) and two.is_alive():
        assert timezone.now() < deadline, "the second answer neither waited nor finished"
        two.join(0.02)  # poll PostgreSQL's lock table; the outcome does not depend on timing
    release_first.set()
    one.join(WAIT)
    two.join(WAIT)

    assert isinstance(results["accept"], Referral), results
    assert isinstance(results["decline"], ValidationError), results
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_visit_and_an_edit_at_once_lose_no_update():
    agent = UserFactory(role=Role.AGENT)
    person = BeneficiaryFactory(agent=agent)
    assert person.status == CaseStatus.OPEN
    read_version = Beneficiary.objects.get(pk=person.pk).version  # the edit form is opened
    visit_done = threading.Event()
    results: dict = {}

    def visit():
        result = baom_services.visit_record(
            beneficiary=person,
            agent=agent,
            date=timezone.localdate(),
            channel="walk_in",
            notes="",
            next_follow_up=timezone.localdate() + datetime.timedelta(days=7),
        )
        visit_done.set()
        return result

    def edit():
        assert visit_done.wait(WAIT)  # the edit is saved after the visit committed
        return baom_services.beneficiary_update(
            beneficiary=person,
            actor=agent,
            data={"phone": "+212600000001", "status": CaseStatus.OPEN},
            version=read_version,
        )

    threads = [
        threading.Thread(target=_run, args=(edit, results, "edit")),
        threading.Thread(target=_run, args=(visit, results, "visit")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)

    assert isinstance(results["edit"], baom_services.ConflictError), results
    person.refresh_from_db()
    assert person.status == CaseStatus.FOLLOW_UP  # the visit's change was not reverted
    assert person.version == read_version + 1


def test_advisory_lock_keys_are_named_once_and_distinct():
    from core import locks

    assert len(set(locks.ADVISORY_KEYS.values())) == len(locks.ADVISORY_KEYS)
    assert locks.ADVISORY_KEYS["REPORT_BUILD"] == 7007  # what tests/reports read in pg_locks
