"""Directory entries and referrals, built through the real services."""

from __future__ import annotations

import factory

from accounts.roles import OrganisationKind, Role
from referrals import services
from referrals.models import DirectoryEntry
from tests.baom.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, UserFactory


class DirectoryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectoryEntry

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.ASSOCIATION)
    accepts_referrals = True
    response_days = 3
    languages = factory.LazyFunction(lambda: ["fr"])


def receiving_organisation(**kwargs):
    """An association that accepts referrals, with one staff member."""
    entry = DirectoryEntryFactory(**kwargs)
    staff = UserFactory(role=Role.ASSOCIATION_STAFF, organisation=entry.organisation)
    return entry.organisation, staff


def send_referral(*, agent, to_organisation, beneficiary=None, **kwargs):
    beneficiary = beneficiary or BeneficiaryFactory(agent=agent)
    kwargs.setdefault("reason", "Needs support")
    return services.referral_send(
        beneficiary=beneficiary, to_organisation=to_organisation, actor=agent, **kwargs
    )
