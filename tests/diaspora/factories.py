"""Diaspora records built through the real services."""

from __future__ import annotations

import datetime
import itertools

from accounts.models import Territory
from accounts.roles import Role
from diaspora import services
from diaspora.choices import ConsentChannel, EventKind, Sex
from tests.factories import CommuneFactory, ProvinceFactory, UserFactory

_counter = itertools.count(1)


def officer(**kwargs):
    """A diaspora officer working in English (assertions on messages hold in every catalogue)."""
    return UserFactory(role=Role.DIASPORA_OFFICER, **({"language": "en"} | kwargs))


def souss_commune(code: str = "SM-TIZ-TIZNIT", name: str = "Tiznit") -> Territory:
    """A commune with a real-looking code under its province (created if missing)."""
    existing = Territory.objects.filter(code=code).first()
    if existing:
        return existing
    province_code = code.rsplit("-", 1)[0]
    province = Territory.objects.filter(code=province_code).first() or ProvinceFactory(
        code=province_code, name_fr=f"Province {name}", name_en=f"Province {name}"
    )
    return CommuneFactory(code=code, name_fr=name, name_en=name, parent=province)


def member(actor, **fields):
    n = next(_counter)
    data = {
        "first_name": f"Prénom{n}",
        "last_name": f"Nom{n}",
        "sex": Sex.FEMALE,
        "email": f"member{n}@example.org",
        "country": "FR",
        "consent_channel": ConsentChannel.PAPER_FORM,
    } | fields
    return services.member_create(actor=actor, **data)


def association(actor, **fields):
    n = next(_counter)
    data = {"name": f"Association {n}", "country": "BE"} | fields
    return services.association_create(actor=actor, **data)


def event(actor, **fields):
    data = {
        "kind": EventKind.FAIR,
        "title": "Foire aux savoirs des dynamiques diasporiques",
        "starts_on": datetime.date(2025, 5, 17),
    } | fields
    return services.event_create(actor=actor, **data)
