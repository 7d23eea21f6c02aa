from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from referrals.choices import Status
from referrals.demo import DIRECTORY
from referrals.models import DirectoryEntry, Network, Referral, ReferralEvent
from referrals.services import DIRECTORY_TEXT_FIELDS

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
    # Every demo entry speaks the three languages (description, hours, contact point).
    entries = DirectoryEntry.objects.filter(organisation__name__in=DIRECTORY)
    assert entries.count() == len(DIRECTORY)
    for entry in entries:
        empty = [field for field in DIRECTORY_TEXT_FIELDS if not getattr(entry, field)]
        assert empty == [], entry
    # An entry seeded before the texts were translated gets them; an edited one is left alone.
    older = DirectoryEntry.objects.get(organisation__name="Association Anir")
    DirectoryEntry.objects.filter(pk=older.pk).update(opening_hours_ar="", opening_hours_en="")
    edited = DirectoryEntry.objects.get(organisation__name="Voix de Femmes du Maroc")
    DirectoryEntry.objects.filter(pk=edited.pk).update(
        opening_hours="Mardi 10h", contact_point_ar=""
    )
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    older.refresh_from_db()
    edited.refresh_from_db()
    assert older.opening_hours_ar and older.opening_hours_en
    assert (edited.opening_hours, edited.contact_point_ar) == ("Mardi 10h", "")
    assert (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        DirectoryEntry.objects.count(),
    ) == counts
