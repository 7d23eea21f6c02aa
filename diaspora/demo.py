"""Demo data for the diaspora registry: associations in six countries, synthetic members, two
registrations waiting for validation, and the "knowledge fair of diaspora dynamics" in Agadir
with its 160 participants. Idempotent: what exists is left as it is. Every person is synthetic.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts.models import Territory, User
from diaspora import services
from diaspora.choices import ConsentChannel, EventKind, PartnershipStatus, Sex
from diaspora.models import DiasporaAssociation, DiasporaMember, Event

OFFICER_EMAIL = "diaspora@tawjih.test"

# (name, country, city, origin commune, sectors, members, status, projects carried)
ASSOCIATIONS = [
    ("Tiznit Solidarité France", "FR", "Montpellier", "SM-TIZ-TIZNIT", ["water", "education"], 85, PartnershipStatus.PARTNER, "Adduction d'eau potable de douars de Tiznit"),
    ("Amis de Taroudant en Belgique", "BE", "Bruxelles", "SM-TAR-TAROUDANT", ["agriculture", "entrepreneurship"], 40, PartnershipStatus.IN_CONTACT, "Coopérative d'huile d'argane"),
    ("Souss Massa Diáspora España", "ES", "Barcelona", "SM-CHT-BIOUGRA", ["agriculture", "social"], 60, PartnershipStatus.IDENTIFIED, ""),
    ("Stichting Tafraout Nederland", "NL", "Rotterdam", "SM-TIZ-TAFRAOUT", ["tourism", "culture"], 35, PartnershipStatus.IN_CONTACT, "Maison d'hôtes solidaire à Tafraout"),
    ("Associazione Agadir Italia", "IT", "Torino", "SM-AGA-AGADIR", ["health", "women"], 25, PartnershipStatus.IDENTIFIED, ""),
    ("Réseau des compétences du Souss au Canada", "CA", "Montréal", "SM-INZ-AIT-MELLOUL", ["digital", "education", "entrepreneurship"], 120, PartnershipStatus.PARTNER, "Mentorat de jeunes entrepreneurs d'Aït Melloul"),
]  # fmt: skip

# (first, last, sex, age band, country, city, origin, profession, skills, sectors, contributions, languages, ambassador, association index)
MEMBERS = [
    ("Amina", "Demo-Ait Lahcen", Sex.FEMALE, "35-44", "FR", "Montpellier", "SM-TIZ-TIZNIT", "Ingénieure hydraulique", "irrigation goutte-à-goutte, pompage solaire, gestion de l'eau", ["water", "agriculture"], ["skills_transfer", "mentoring"], ["ar", "zgh", "fr"], True, 0),
    ("Brahim", "Demo-Oufkir", Sex.MALE, "45-54", "BE", "Liège", "SM-TAR-TAROUDANT", "Chef d'entreprise agroalimentaire", "export, coopératives, argan", ["agriculture", "entrepreneurship"], ["investment"], ["ar", "zgh", "fr", "nl"], True, 1),
    ("Fatima", "Demo-Bouzid", Sex.FEMALE, "25-34", "ES", "Barcelona", "SM-CHT-BIOUGRA", "Infirmière", "santé maternelle, prévention", ["health", "social"], ["volunteering"], ["ar", "es", "fr"], False, 2),
    ("Hicham", "Demo-Amrani", Sex.MALE, "25-34", "NL", "Rotterdam", "SM-TIZ-TAFRAOUT", "Développeur web", "développement web, e-commerce, marketing digital", ["digital", "tourism"], ["skills_transfer", "volunteering"], ["ar", "nl", "en"], False, 3),
    ("Khadija", "Demo-El Idrissi", Sex.FEMALE, "55-64", "IT", "Torino", "SM-AGA-AGADIR", "Médecin", "pédiatrie, télémédecine", ["health", "women"], ["philanthropy", "skills_transfer"], ["ar", "it", "fr"], False, 4),
    ("Youssef", "Demo-Benali", Sex.MALE, "35-44", "CA", "Montréal", "SM-INZ-AIT-MELLOUL", "Consultant en innovation", "incubation, financement de startups, mentorat", ["digital", "entrepreneurship"], ["mentoring", "investment"], ["ar", "fr", "en"], True, 5),
    ("Naima", "Demo-Ouahmane", Sex.FEMALE, "45-54", "FR", "Lyon", "SM-CHT-SIDI-BIBI", "Professeure", "éducation, alphabétisation, formation", ["education", "women"], ["volunteering", "mentoring"], ["ar", "zgh", "fr"], False, None),
    ("Rachid", "Demo-Id Boubker", Sex.MALE, "65+", "FR", "Paris", "SM-TIZ-MIRLEFT", "Retraité, ancien ingénieur agronome", "agronomie, arboriculture, irrigation", ["agriculture", "water"], ["philanthropy", "skills_transfer"], ["ar", "zgh", "fr"], False, 0),
    ("Samira", "Demo-Ait Baha", Sex.FEMALE, "25-34", "DE", "Frankfurt", "SM-CHT-AIT-BAHA", "Architecte", "architecture en terre, patrimoine", ["culture", "tourism"], ["skills_transfer"], ["ar", "de", "fr"], False, None),
    ("Said", "Demo-Lamrani", Sex.MALE, "35-44", "AE", "Dubai", "SM-AGA-AGADIR", "Directeur d'hôtel", "hôtellerie, tourisme, investissement", ["tourism", "entrepreneurship"], ["investment"], ["ar", "en", "fr"], True, None),
    ("Latifa", "Demo-Tazi", Sex.FEMALE, "35-44", "BE", "Bruxelles", "SM-TAR-OULED-TEIMA", "Comptable", "comptabilité, gestion de coopératives", ["agriculture", "women"], ["volunteering"], ["ar", "fr", "nl"], False, 1),
    ("Mohamed", "Demo-Ait Said", Sex.MALE, "45-54", "US", "Boston", "SM-TAT-TATA", "Chercheur en énergie", "énergie solaire, dessalement", ["environment", "water"], ["skills_transfer", "mentoring"], ["ar", "en", "fr"], False, None),
]  # fmt: skip

PENDING = [
    ("Hassan", "Demo-Nouri", Sex.MALE, "25-34", "ES", "Murcia", "SM-CHT-BELFAA", "Technicien agricole", "serres, irrigation", ["agriculture"], ["volunteering"], ["ar", "es"]),
    ("Zineb", "Demo-Kabbaj", Sex.FEMALE, "18-24", "FR", "Bordeaux", "SM-TIZ-TIZNIT", "Étudiante en santé publique", "prévention, enquêtes", ["health"], ["volunteering"], ["ar", "fr", "en"]),
]  # fmt: skip

FAIR_TITLE = "Foire aux savoirs des dynamiques diasporiques"
# 160 participants: (country, women, men), of which the first ones consented to be contacted.
FAIR_SPLIT = [("MA", 30, 38), ("FR", 14, 20), ("BE", 6, 8), ("ES", 5, 9), ("NL", 4, 6), ("IT", 3, 5), ("CA", 3, 4), ("DE", 1, 2), ("US", 1, 1)]  # fmt: skip


def _email(first: str, last: str) -> str:
    slug = f"{first}.{last}".lower().replace(" ", "-").replace("demo-", "")
    return f"{slug}@example.org"


def _phone(index: int, country: str) -> str:
    prefix = {"FR": "+336", "BE": "+32470", "ES": "+346", "NL": "+316", "IT": "+39320"}
    return f"{prefix.get(country, '+1555')}{index:07d}"


@transaction.atomic
def seed(*, stdout) -> None:
    officer = User.objects.filter(email__iexact=OFFICER_EMAIL).first()
    if officer is None:
        stdout.write("Diaspora demo skipped: no diaspora officer account.")
        return
    communes = {t.code: t for t in Territory.objects.communes()}
    created = {"associations": 0, "members": 0, "events": 0}

    associations = []
    for name, country, city, origin, sectors, count, status, projects in ASSOCIATIONS:
        association = DiasporaAssociation.objects.filter(name=name).first()
        if association is None:
            association = services.association_create(
                actor=officer,
                name=name,
                country=country,
                city=city,
                origin_commune=communes[origin],
                sectors=sectors,
                members_count=count,
                contact_name=f"Contact {city}",
                contact_email=f"contact.{country.lower()}@example.org",
                partnership_status=status,
                projects_carried=projects,
            )
            created["associations"] += 1
        associations.append(association)

    for index, row in enumerate(MEMBERS, start=1):
        first, last, sex, age, country, city, origin, job, skills, sectors, offers, langs = row[:12]
        ambassador, association_index = row[12], row[13]
        email = _email(first, last)
        if DiasporaMember.objects.filter(email__iexact=email).exists():
            continue
        services.member_create(
            actor=officer,
            consent_channel=ConsentChannel.PAPER_FORM,
            associations=[associations[association_index]] if association_index is not None else [],
            first_name=first,
            last_name=last,
            sex=sex,
            age_band=age,
            email=email,
            phone=_phone(index, country),
            country=country,
            city=city,
            origin_commune=communes[origin],
            profession=job,
            skills=skills,
            sectors=sectors,
            contributions=offers,
            languages=langs,
            is_economic_ambassador=ambassador,
        )
        created["members"] += 1

    for (
        first,
        last,
        sex,
        age,
        country,
        city,
        origin,
        job,
        skills,
        sectors,
        offers,
        langs,
    ) in PENDING:
        email = _email(first, last)
        if DiasporaMember.objects.filter(email__iexact=email).exists():
            continue
        services.member_self_register(
            consent=True,
            first_name=first,
            last_name=last,
            sex=sex,
            age_band=age,
            email=email,
            country=country,
            city=city,
            origin_commune=communes[origin],
            profession=job,
            skills=skills,
            sectors=sectors,
            contributions=offers,
            languages=langs,
        )
        created["members"] += 1

    if not Event.objects.filter(title=FAIR_TITLE).exists():
        _seed_fair(officer, communes["SM-AGA-AGADIR"])
        created["events"] += 1
    stdout.write(
        "Diaspora demo: {associations} associations, {members} members, "
        "{events} events created.".format(**created)
    )


def _seed_fair(officer, agadir) -> None:
    fair = services.event_create(
        actor=officer,
        kind=EventKind.FAIR,
        title=FAIR_TITLE,
        starts_on=datetime.date(2025, 5, 17),
        ends_on=datetime.date(2025, 5, 18),
        commune=agadir,
        venue="Agadir",
        organiser="Migrations & Développement (M&D)",
        description="Rencontre de la diaspora et des acteurs territoriaux du Souss-Massa.",
    )
    # Registry members who came, with their consent; the others are counted, not named.
    countries = [country for country, _women, _men in FAIR_SPLIT]
    named = list(DiasporaMember.objects.validated().contactable().filter(country__in=countries)[:8])
    for member in named:
        services.participation_add(
            actor=officer,
            event=fair,
            first_name=member.first_name,
            last_name=member.last_name,
            sex=member.sex,
            country=member.country,
            city=member.city,
            email=member.email,
            consent_to_contact=True,
        )
    counts = {(m.country, m.sex): 0 for m in named}
    for member in named:
        counts[(member.country, member.sex)] += 1
    for country, women, men in FAIR_SPLIT:
        for sex, total in ((Sex.FEMALE, women), (Sex.MALE, men)):
            for number in range(total - counts.get((country, sex), 0)):
                services.participation_add(
                    actor=officer,
                    event=fair,
                    sex=sex,
                    country=country,
                    attended=number % 10 != 9,  # a few registered and did not come
                )
    services.follow_up_add(
        actor=officer,
        event=fair,
        description="Envoyer les actes de la foire aux participants",
        responsible="Meryem Démo",
        due_on=datetime.date(2025, 6, 15),
    )
    services.follow_up_add(
        actor=officer,
        event=fair,
        description="Présenter les porteurs de projets d'irrigation aux ingénieurs de la diaspora",
        responsible="M&D",
    )
