from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from referrals.choices import Status
from referrals.models import DirectoryEntry, Network, Referral, ReferralEvent

pytestmark = pytest.mark.django_db


def test_demo_tells_the_seeds_story_and_is_idempotent():
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert Referral.objects.count() == 7
    chain = Referral.objects.get(parent__isnull=False, to_organisation__acronym="Anir")
    assert chain.status == Status.COMPLETED and chain.parent.to_organisation.acronym == "VFM"
    assert Referral.objects.overdue().filter(to_organisation__name__contains="Inezgane").exists()
    cmsm = Network.objects.get(acronym="CMSM")
    assert cmsm.members.filter(name="Association Anir").exists()
    counts = (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        DirectoryEntry.objects.count(),
    )
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        DirectoryEntry.objects.count(),
    ) == counts
