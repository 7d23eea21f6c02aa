from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.roles import Role
from referrals.choices import Status
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def test_bench_command_generates_and_measures(make_user):
    agent = make_user(Role.AGENT)
    make_user(Role.PROGRAMME_MANAGER)
    for _ in range(3):
        BeneficiaryFactory(agent=agent)
    out = io.StringIO()
    call_command("referrals_bench", referrals=400, repeat=2, stdout=out)
    assert Referral.objects.count() == 400
    assert Referral.objects.filter(status=Status.COMPLETED).exclude(outcome="").exists()
    assert "| Inbox, new (association staff) |" in out.getvalue()
