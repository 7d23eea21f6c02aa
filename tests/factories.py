"""factory-boy factories for accounts. Users are built through the real service (user_create),
so they get their role group and permissions exactly as in production."""

from __future__ import annotations

import factory

from accounts.models import Organisation, Territory, User
from accounts.roles import ROLE_ORGANISATION_KINDS, OrganisationKind, Role
from accounts.services import user_create

PASSWORD = "Correct-horse-42"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"R{n}")
    level = Territory.Level.REGION
    kind = Territory.Kind.REGION
    parent = None
    name_fr = factory.Sequence(lambda n: f"Région {n}")
    name_ar = factory.Sequence(lambda n: f"جهة {n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class ProvinceFactory(RegionFactory):
    code = factory.Sequence(lambda n: f"R-P{n}")
    level = Territory.Level.PROVINCE
    kind = Territory.Kind.PROVINCE
    parent = factory.SubFactory(RegionFactory)
    name_fr = factory.Sequence(lambda n: f"Province {n}")


class CommuneFactory(RegionFactory):
    code = factory.Sequence(lambda n: f"R-P-C{n}")
    level = Territory.Level.COMMUNE
    kind = Territory.Kind.URBAN
    parent = factory.SubFactory(ProvinceFactory)
    name_fr = factory.Sequence(lambda n: f"Commune {n}")


def _bureau_code(n: int) -> str:
    """AAA, AAB, ... : three capital letters, unique per sequence number."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "B" + letters[(n // 26) % 26] + letters[n % 26]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Organisation {n}")
    code = ""
    territory = factory.SubFactory(CommuneFactory)

    class Params:
        bureau = factory.Trait(
            kind=OrganisationKind.BUREAU,
            name=factory.Sequence(lambda n: f"BAOM {n}"),
            code=factory.Sequence(_bureau_code),
        )


def organisation_for_role(role: str, **kwargs) -> Organisation:
    """An organisation of a kind the role may belong to."""
    kind = sorted(ROLE_ORGANISATION_KINDS[role])[0]
    if kind == OrganisationKind.BUREAU:
        return OrganisationFactory(bureau=True, **kwargs)
    return OrganisationFactory(kind=kind, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    """UserFactory(role=Role.AGENT) gives an agent in a new bureau; pass organisation= to share."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Utilisateur {n}")
    role = Role.AGENT
    organisation = factory.LazyAttribute(lambda o: organisation_for_role(o.role))
    password = PASSWORD
    language = "fr"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_create(**kwargs)
