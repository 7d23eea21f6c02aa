"""Two committee decisions on the same call at the same moment, on two real database
connections, with the interleaving forced (not hoped for).

The rule (docs/projects.md): the selected amounts of a call never add up to more than its
envelope; ``decision_record`` locks the call's row before it sums what is committed. The test
holds decision A between its envelope check and its insert (a seam in the service), starts
decision B, and lets A go on only once B is either waiting for a lock (seen in ``pg_locks``) or
has passed its own envelope check. With the lock, B waits, then sees A's amount and is refused;
without it, B passes its check on a stale total and both are recorded: the test fails (checked
once by removing the lock, see the commit message).
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from core.models import AuditEvent
from projects.models import Decision, Proposal
from projects.services import Refused
from projects.services import reviews as review_services
from tests.projects import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

GIVE_UP = 20  # seconds: only a safety net so a broken test cannot hang the suite


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid]
        )
        return cursor.fetchone()[0]


def test_two_decisions_at_once_never_exceed_the_envelope(monkeypatch):
    boss, scorer = f.manager(), f.reviewer()
    # 300,000 MAD: either grant of 200,000 fits alone, both together do not.
    call = f.make_call(actor=boss, envelope=Decimal("300000"))
    first = f.make_scored(call, boss, scorer, requested="200000")
    second = f.make_scored(call, boss, scorer, requested="200000")
    f.close_call(call)

    a_checked, b_checked = threading.Event(), threading.Event()
    b_pid: dict[str, int] = {}
    b_pid_known = threading.Event()
    outcome: dict[str, object] = {}

    def hold_a_until_b_waits_or_passes():
        if threading.current_thread().name != "A":
            b_checked.set()  # B passed its envelope check (possible only without the lock)
            return
        a_checked.set()
        b_pid_known.wait(GIVE_UP)
        deadline = time.monotonic() + GIVE_UP
        while not b_checked.wait(0.01):
            if _waiting_for_a_lock(b_pid["pid"]) or time.monotonic() > deadline:
                break

    monkeypatch.setattr(review_services, "_after_envelope_check", hold_a_until_b_waits_or_passes)

    def decide(name, proposal, before=None):
        try:
            if before:
                before()
            outcome[name] = review_services.decision_record(
                proposal=proposal,
                actor=boss,
                outcome="selected",
                amount=Decimal("200000"),
                reasons="Committee",
                committee_date=call.closes_at.date(),
            )
        except Refused as error:
            outcome[name] = error
        finally:
            connection.close()

    def b_starts_after_a_checked():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            b_pid["pid"] = cursor.fetchone()[0]
        b_pid_known.set()
        a_checked.wait(GIVE_UP)

    a = threading.Thread(target=decide, args=("A", first), name="A")
    b = threading.Thread(target=decide, args=("B", second, b_starts_after_a_checked), name="B")
    a.start()
    b.start()
    a.join(GIVE_UP * 2)
    b.join(GIVE_UP * 2)

    assert isinstance(outcome["A"], Decision)
    assert isinstance(outcome["B"], Refused), "both decisions passed the envelope check"
    assert "amount" in outcome["B"].error_dict  # the envelope message, on the amount field
    assert review_services.call_committed(call) == Decimal("200000.00")
    selected = Decision.objects.filter(proposal__call=call, outcome="selected")
    assert [d.proposal_id for d in selected] == [first.pk]
    second.refresh_from_db()
    assert second.status == Proposal.Status.ELIGIBLE  # the refusal changed nothing
    refusals = AuditEvent.objects.filter(action="forbidden", object_id=str(second.uuid))
    assert refusals.count() == 1
