"""Beneficiaries built through the real registration service."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.roles import Role
from baom import privacy, services
from baom import services as baom_services
from baom.choices import Category, ConsentMethod, ConsentPurpose, Sex
from baom.models import Beneficiary, ConsentRecord, ServiceType, Visit
from tests.factories import UserFactory


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    """BeneficiaryFactory(agent=some_agent) registers in that agent's bureau."""

    class Meta:
        model = Beneficiary

    agent = factory.SubFactory(UserFactory, role=Role.AGENT)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    sex = Sex.FEMALE
    birth_date = datetime.date(1995, 3, 15)
    nationality = "SN"
    category = Category.RPT
    phone = ""
    consent_processing = True
    consent_sharing = True
    consent_date = factory.LazyFunction(timezone.localdate)
    consent_method = ConsentMethod.ORAL

    @classmethod
    def _create(cls, model_class, *args, agent, registered_on=None, **data):
        beneficiary = services.beneficiary_register(
            bureau=agent.organisation, agent=agent, data=data
        )
        if registered_on is not None:
            Beneficiary.objects.filter(pk=beneficiary.pk).update(registered_on=registered_on)
            beneficiary.refresh_from_db()
        return beneficiary


def service(code: str) -> ServiceType:
    return ServiceType.objects.get(code=code)


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """A consent given or withdrawn through the real service (the booleans follow).
    ConsentRecordFactory(beneficiary=person, actor=agent, purpose="sharing", given=False)."""

    class Meta:
        model = ConsentRecord

    purpose = ConsentPurpose.SHARING
    given = True
    date = factory.LazyFunction(timezone.localdate)
    method = ConsentMethod.ORAL

    @classmethod
    def _create(cls, model_class, *args, beneficiary, actor, **data):
        return privacy.consent_record(beneficiary=beneficiary, actor=actor, **data)


class VisitFactory(factory.django.DjangoModelFactory):
    """A visit through the real service: VisitFactory(beneficiary=person, agent=agent)."""

    class Meta:
        model = Visit

    date = factory.LazyFunction(timezone.localdate)
    channel = "walk_in"
    notes = ""

    @classmethod
    def _create(cls, model_class, *args, beneficiary, agent, services=(), **data):
        return baom_services.visit_record(
            beneficiary=beneficiary, agent=agent, services=services, **data
        )


def supervisor_of(bureau):
    return UserFactory(role=Role.SUPERVISOR, organisation=bureau)
