"""Report fixtures built through the real intake services, with hand-computed figures."""

from __future__ import annotations

import datetime

from accounts.roles import Role
from baom import services as baom_services
from baom.choices import ActivityType, Category, Sex
from tests.baom.factories import BeneficiaryFactory, service
from tests.factories import UserFactory

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 6, 30)
REGISTERED = datetime.date(2026, 2, 2)


def parameters(**overrides) -> dict:
    base = {
        "measures": [
            "new_beneficiaries",
            "beneficiaries_served",
            "services",
            "protection_services",
            "activity_participants",
            "kits",
            "referrals",
        ],
        "start": START.isoformat(),
        "end": END.isoformat(),
        "breakdowns": ["age_band", "category", "territory"],
        "territory_level": "province",
        "bureau_id": None,
    }
    return {**base, **overrides}


def apsi2(agent=None):
    """The seeds' APSI.2 results entered as data, in one bureau, during the first half of 2026:

    - 40 beneficiaries, 35 women and 5 men. Of the women, 10 are asylum seekers (the rest RPT)
      and 5 were born in 2010 (12-17 on 30 June 2026); one man has no date of birth; everyone
      else was born in 1995 (25-59).
    - 120 individual psychosocial sessions: 3 per person (105 for women, 15 for men).
    - A training of professionals with 29 men and 11 women, none of them registered.
    - Out of period and merged records that must not be counted (see ``noise``).
    """
    agent = agent or UserFactory(role=Role.AGENT)
    people = []
    for n in range(40):
        woman = n < 35
        data = {
            "agent": agent,
            "registered_on": REGISTERED,
            "sex": Sex.FEMALE if woman else Sex.MALE,
            "category": Category.ASYLUM_SEEKER if n < 10 else Category.RPT,
        }
        if 10 <= n < 15:
            data["birth_date"] = datetime.date(2010, 1, 1)
        if n == 39:
            data["birth_date"] = None
        people.append(BeneficiaryFactory(**data))
    psychosocial = service("psychosocial")
    for person in people:
        for day in (
            datetime.date(2026, 3, 2),
            datetime.date(2026, 4, 6),
            datetime.date(2026, 5, 4),
        ):
            baom_services.visit_record(
                beneficiary=person, agent=agent, date=day, channel="walk_in",
                services=[psychosocial],
            )  # fmt: skip
    training = baom_services.activity_create(
        organiser=agent.organisation,
        actor=agent,
        data={
            "activity_type": ActivityType.PROFESSIONALS,
            "title": "Formation des professionnels de santé",
            "start_date": datetime.date(2026, 3, 10),
        },
    )
    baom_services.activity_set_attendance(
        activity=training, actor=agent, codes=[], unregistered_women=11, unregistered_men=29
    )
    return agent, people


def noise(agent):
    """Records outside the period, and a merged duplicate: none of them may be counted."""
    late = BeneficiaryFactory(agent=agent, registered_on=datetime.date(2026, 7, 15))
    baom_services.visit_record(
        beneficiary=late, agent=agent, date=datetime.date(2026, 7, 20), channel="walk_in",
        services=[service("reception")],
    )  # fmt: skip
    duplicate = BeneficiaryFactory(agent=agent, registered_on=REGISTERED, sex=Sex.MALE)
    kept = BeneficiaryFactory(agent=agent, registered_on=datetime.date(2025, 12, 1))
    from baom.models import Beneficiary

    # A merge as the intake module records it (merged_into set on the duplicate).
    Beneficiary.objects.filter(pk=duplicate.pk).update(merged_into=kept)
    return late, duplicate
