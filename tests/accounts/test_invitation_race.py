"""An invitation link posted from two tabs at once sets one password (the row lock in
``invitation_accept``), with two real database connections and a forced interleaving, as in
tests/test_races.py."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.utils import timezone

from accounts import invitations
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from tests.factories import UserFactory, organisation_for_role
from tests.test_races import WAIT, _run, _waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_link_used_from_two_tabs_at_once_sets_one_password(monkeypatch, mailoutbox):
    admin = UserFactory(role=Role.ADMIN)
    newcomer = user_create(
        email="deux.onglets@example.org",
        full_name="Deux Onglets",
        organisation=organisation_for_role(Role.AGENT),
        role=Role.AGENT,
    )
    invitations.invitation_send(user=newcomer, actor=admin)  # transaction=True: sent at commit
    token = mailoutbox[0].body.split("/accounts/invitation/", 1)[1].split("/", 1)[0]

    first_locked, release_first = threading.Event(), threading.Event()
    real_set_password = User.set_password

    def set_password(user, raw):
        # The first tab stops here, after the service locked and checked the invitation and
        # before it writes, until the second tab is blocked on the lock (or has finished).
        if raw == "Premier-onglet-2026":
            first_locked.set()
            assert release_first.wait(WAIT)
        return real_set_password(user, raw)

    monkeypatch.setattr(User, "set_password", set_password)
    results: dict = {}
    pid_box: list[int] = []
    one = threading.Thread(
        target=_run,
        args=(lambda: invitations.invitation_accept(token=token, password="Premier-onglet-2026"),
              results, "first"),
    )  # fmt: skip
    one.start()
    assert first_locked.wait(WAIT)
    two = threading.Thread(
        target=_run,
        args=(lambda: invitations.invitation_accept(token=token, password="Second-onglet-2026"),
              results, "second", pid_box),
    )  # fmt: skip
    two.start()
    deadline = timezone.now() + datetime.timedelta(seconds=WAIT)
    while not (pid_box and _waiting_on_a_lock(pid_box[0])) and two.is_alive():
        assert timezone.now() < deadline, "the second tab neither waited nor finished"
        two.join(0.02)
    release_first.set()
    one.join(WAIT)
    two.join(WAIT)

    assert isinstance(results["first"], User), results
    assert isinstance(results["second"], invitations.InvitationRefused), results
    assert results["second"].code == "used"
    newcomer.refresh_from_db()
    assert newcomer.check_password("Premier-onglet-2026")
