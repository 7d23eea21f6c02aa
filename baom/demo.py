"""Demo intake data: synthetic people received by the demo bureaus (no real person).

Only the demo's own bureaus get people, each from its own demo agent, and only while it has
none: a bureau an admin created (even with an ``@tawjih.test`` agent) is never touched.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation, Territory, User
from accounts.roles import Role
from baom import services
from baom.choices import ActivityType, Category, Channel, ConsentMethod, KitType, Language, Sex
from baom.models import Beneficiary, ServiceType

FIRST_NAMES = {
    Sex.FEMALE: ["Aminata", "Fatoumata", "Mariam", "Grace", "Awa", "Khadija", "Blessing", "Aïcha",
                 "Rokia", "Joséphine", "Hawa", "Salimata", "Fatima", "Nadia", "Esther"],
    Sex.MALE: ["Mamadou", "Ibrahima", "Moussa", "Samuel", "Ousmane", "Youssef", "Emmanuel",
               "Abdoulaye", "Cheikh", "Karim", "Idrissa", "Patrick", "Hamza", "Omar"],
}  # fmt: skip
LAST_NAMES = ["Diallo", "Traoré", "Koné", "Camara", "Ndiaye", "Sow", "Bamba", "Keïta", "Touré",
              "Okafor", "Mensah", "Diop", "Cissé", "Sylla", "Benali", "El Amrani", "Ouali"]  # fmt: skip
NATIONALITIES = ["SN", "ML", "CI", "GN", "CM", "NG", "CD", "GH", "BF", "SD", "SY", "MA"]


def _person(rng: random.Random, bureau: Organisation) -> dict:
    sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])
    nationality = rng.choice(NATIONALITIES)
    category = (
        Category.MRE_RETURNEE
        if nationality == "MA"
        else rng.choice([Category.RPT, Category.RPT, Category.ASYLUM_SEEKER, Category.REFUGEE])
    )
    today = timezone.localdate()
    communes = list(
        Territory.objects.filter(parent=bureau.territory.parent).values_list("pk", flat=True)
    )
    return {
        "first_name": rng.choice(FIRST_NAMES[sex]),
        "last_name": rng.choice(LAST_NAMES),
        "sex": sex,
        "birth_date": today - timedelta(days=rng.randint(16 * 365, 55 * 365)),
        "nationality": nationality,
        "category": category,
        "languages": rng.sample([Language.FRENCH, Language.ENGLISH, Language.DARIJA, Language.WOLOF, Language.BAMBARA], 2),
        "phone": f"066{rng.randint(1000000, 9999999)}",
        "commune": Territory(pk=rng.choice(communes)) if communes else None,
        "children_count": rng.choice([0, 0, 1, 2, 3]),
        "vulnerabilities": rng.choice([[], [], ["woman_alone"], ["pregnant"], ["single_parent"]])
        if sex == Sex.FEMALE else [],
        "consent_processing": True,
        "consent_sharing": rng.random() < 0.8,
        "consent_date": today - timedelta(days=rng.randint(0, 60)),
        "consent_method": ConsentMethod.ORAL,
    }  # fmt: skip


# The demo bureaus (created by seed_demo) and the demo agent who registers their people.
DEMO_BUREAUS = {"BAOM Nador": "agent.nador@tawjih.test", "BAOM Agadir": "agent@tawjih.test"}
PEOPLE_PER_BUREAU = 24
# The README's search example ("fatumata dialo", typed by agent@tawjih.test) finds this
# synthetic person: the first woman of the Agadir demo gets these names (nothing else changes).
SEARCH_EXAMPLE = ("BAOM Agadir", "Fatoumata", "Diallo")


def seed(*, stdout) -> None:
    rng = random.Random(2026)  # the same demo every time  # noqa: S311
    services_by_code = {s.code: s for s in ServiceType.objects.all()}
    created, existing = 0, []
    for bureau_name, email in DEMO_BUREAUS.items():
        agent = (
            User.objects.filter(
                email__iexact=email, role=Role.AGENT, organisation__name=bureau_name
            )
            .select_related("organisation__territory")
            .first()
        )
        if agent is None:
            continue
        bureau = agent.organisation
        already = Beneficiary.objects.filter(bureau=bureau).count()
        if already:
            existing.append(f"{bureau_name} ({already})")
            continue
        today = timezone.localdate()
        people = []
        named = bureau_name != SEARCH_EXAMPLE[0]
        for _ in range(PEOPLE_PER_BUREAU):
            data = _person(rng, bureau)
            if not named and data["sex"] == Sex.FEMALE:
                data.update(first_name=SEARCH_EXAMPLE[1], last_name=SEARCH_EXAMPLE[2])
                named = True
            person = services.beneficiary_register(bureau=bureau, agent=agent, data=data)
            Beneficiary.objects.filter(pk=person.pk).update(registered_on=data["consent_date"])
            person.refresh_from_db()
            people.append(person)
            created += 1
            services.visit_record(
                beneficiary=person,
                agent=agent,
                date=person.registered_on,
                channel=rng.choice(list(Channel.values)),
                needs=[services_by_code[c] for c in rng.sample(["information", "health-orientation", "admin-residence", "darija-course", "employment"], 2)],
                services=[services_by_code["reception"], services_by_code[rng.choice(["orientation", "information", "legal-aid"])]],
                notes="",
                next_follow_up=today + timedelta(days=rng.randint(3, 30)) if rng.random() < 0.5 else None,
            )  # fmt: skip
            if rng.random() < 0.3:
                services.distribution_record(
                    beneficiary=person, agent=agent, kit_type=rng.choice(list(KitType.values)),
                    quantity=1, date=person.registered_on, for_household=rng.random() < 0.5,
                )  # fmt: skip
        supervisor = User.objects.filter(organisation=bureau, role=Role.SUPERVISOR).first()
        organiser = supervisor or agent
        activity = services.activity_create(
            organiser=bureau,
            actor=organiser,
            data={
                "activity_type": ActivityType.DARIJA,
                "title": "Atelier de darija, niveau 1",
                "facilitator": "Animatrice de l'association",
                "start_date": today - timedelta(days=7),
                "end_date": None,
                "commune": bureau.territory,
            },
        )
        services.activity_set_attendance(
            activity=activity,
            actor=organiser,
            codes=[p.code for p in people[:8]],
            unregistered_women=3,
            unregistered_men=1,
        )
    summary = f"Intake demo: {created} beneficiaries created"
    if existing:
        summary += f"; already there, left as they are: {', '.join(existing)}"
    stdout.write(summary + ".")
