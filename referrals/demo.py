"""Demo referrals: the seeds' practice in Souss-Massa. Asadaf (Voix de Femmes du Maroc) and
Tasimant (Association Anir) orient women to each other and to the Hôpital régional d'Inezgane;
the CMSM groups its members. Synthetic people only (the demo BAOM Agadir beneficiaries).

Idempotent: directory entries and networks are created once; the referrals only if none of the
demo keys exists yet.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation, Territory, User
from baom.choices import Language, Sex
from baom.models import Beneficiary, ServiceType
from referrals import services
from referrals.choices import DeclineReason, Outcome, SharedField, Urgency
from referrals.models import DirectoryEntry, Network, Referral

DEMO_NAMESPACE = uuid.UUID("6f1d8f5e-3c3a-4f43-9a39-7d1b3f0c2a11")

# organisation name: (services, territories, languages, days to answer)
DIRECTORY = {
    "Voix de Femmes du Maroc": (
        ["reception", "psychosocial", "child-care", "legal-aid", "orientation"],
        ["SM-AGA", "SM-INZ"],
        [Language.FRENCH, Language.DARIJA, Language.ENGLISH, Language.AMAZIGH],
        3,
    ),
    "Association Anir": (
        ["coaching", "darija-course", "child-care", "orientation"],
        ["SM-AGA"],
        [Language.FRENCH, Language.DARIJA, Language.AMAZIGH],
        3,
    ),
    "Hôpital régional d'Inezgane": (
        ["health-orientation", "maternal-health", "psychosocial"],
        ["SM-INZ", "SM-AGA", "SM-CHT"],
        [Language.ARABIC, Language.DARIJA, Language.FRENCH],
        2,
    ),
    "Migrations & Développement": (
        ["employment", "coaching", "information"],
        ["SM"],
        [Language.FRENCH, Language.ARABIC],
        5,
    ),
    "BAOM Agadir": (
        ["reception", "information", "orientation", "legal-aid", "hygiene-kit", "food-kit"],
        ["SM-AGA"],
        [Language.FRENCH, Language.DARIJA, Language.ENGLISH],
        3,
    ),
    "Association Al Jil Aljadid": (
        ["reception", "darija-course", "information"],
        ["OR-NAD"],
        [Language.ARABIC, Language.FRENCH, Language.ENGLISH],
        3,
    ),
    "Hôpital Al-Hassani (Nador)": (
        ["health-orientation", "psychosocial"],
        ["OR-NAD"],
        [Language.ARABIC, Language.FRENCH],
        2,
    ),
}

# What partners read, in French, Arabic and English (core.translated): a description of the
# services (from the list above), opening hours and a contact point. Phone numbers are
# synthetic; in Arabic they are written without spaces, so right-to-left text keeps their order.
WEEKDAYS_9_17 = (
    "Lun–ven 9h–17h",
    "من الاثنين إلى الجمعة، من 9:00 إلى 17:00",
    "Mon–Fri 9:00–17:00",
)
WEEKDAYS_830_1630 = (
    "Lun–ven 8h30–16h30",
    "من الاثنين إلى الجمعة، من 8:30 إلى 16:30",
    "Mon–Fri 8:30–16:30",
)
DIRECTORY_TEXT = {
    "Voix de Femmes du Maroc": {
        "description": (
            "Centre de jour pour les femmes migrantes et leurs enfants : accueil, écoute "
            "psychosociale, garde d'enfants, aide juridique et orientation.",
            "مركز نهاري للنساء المهاجرات وأطفالهن: استقبال، ودعم نفسي واجتماعي، ورعاية "
            "الأطفال، ومساعدة قانونية، وتوجيه.",
            "Day centre for migrant women and their children: reception, psychosocial "
            "support, childcare, legal aid and orientation.",
        ),
        "opening_hours": (
            "Lun–ven 9h–17h (centre de jour Asadaf)",
            "من الاثنين إلى الجمعة، من 9:00 إلى 17:00 (مركز أسداف النهاري)",
            "Mon–Fri 9:00–17:00 (Asadaf day centre)",
        ),
        "contact_point": (
            "Accueil du centre Asadaf, 05 28 00 00 01",
            "استقبال مركز أسداف، 0528000001",
            "Asadaf centre front desk, 05 28 00 00 01",
        ),
    },
    "Association Anir": {
        "description": (
            "Accompagnement vers l'autonomie (projet Tasimant) : coaching, cours de darija, "
            "garde d'enfants et orientation.",
            "مواكبة نحو الاستقلالية (مشروع تاسيمانت): مرافقة شخصية، ودروس الدارجة، ورعاية "
            "الأطفال، وتوجيه.",
            "Support towards independence (Tasimant project): coaching, Darija classes, "
            "childcare and orientation.",
        ),
        "opening_hours": (
            "Lun–sam 9h–18h (projet Tasimant)",
            "من الاثنين إلى السبت، من 9:00 إلى 18:00 (مشروع تاسيمانت)",
            "Mon–Sat 9:00–18:00 (Tasimant project)",
        ),
        "contact_point": (
            "Coordinatrice Tasimant, 05 28 00 00 02",
            "منسقة مشروع تاسيمانت، 0528000002",
            "Tasimant coordinator, 05 28 00 00 02",
        ),
    },
    "Hôpital régional d'Inezgane": {
        "description": (
            "Hôpital public : urgences, santé maternelle et soutien psychosocial ; le service "
            "social oriente les personnes migrantes.",
            "مستشفى عمومي: المستعجلات، وصحة الأم، والدعم النفسي والاجتماعي؛ وتوجّه المصلحة "
            "الاجتماعية المهاجرين.",
            "Public hospital: emergencies, maternal health and psychosocial support; the "
            "social service guides migrants.",
        ),
        "opening_hours": (
            "Urgences 24h/24 ; consultations lun–ven 8h30–16h30",
            "المستعجلات على مدار الساعة؛ الاستشارات من الاثنين إلى الجمعة، من 8:30 إلى 16:30",
            "Emergencies 24/7; consultations Mon–Fri 8:30–16:30",
        ),
        "contact_point": (
            "Service social de l'hôpital, 05 28 00 00 03",
            "المصلحة الاجتماعية بالمستشفى، 0528000003",
            "Hospital social service, 05 28 00 00 03",
        ),
    },
    "Migrations & Développement": {
        "description": (
            "Insertion professionnelle, accompagnement de projets et information.",
            "الإدماج المهني، ومواكبة المشاريع، والإعلام.",
            "Job placement, project support and information.",
        ),
        "opening_hours": WEEKDAYS_9_17,
        "contact_point": ("Antenne de Taroudant", "فرع تارودانت", "Taroudant branch"),
    },
    "BAOM Agadir": {
        "description": (
            "Premier accueil, information, orientation, aide juridique, kits d'hygiène et "
            "kits alimentaires.",
            "الاستقبال الأول، والإعلام، والتوجيه، والمساعدة القانونية، وحقائب النظافة "
            "والمواد الغذائية.",
            "First reception, information, orientation, legal aid, hygiene and food kits.",
        ),
        "opening_hours": WEEKDAYS_830_1630,
        "contact_point": ("Accueil du BAOM", "استقبال المكتب", "BAOM front desk"),
    },
    "Association Al Jil Aljadid": {
        "description": (
            "Accueil, cours de darija et information sur les droits, à Nador.",
            "الاستقبال، ودروس الدارجة، والإعلام بالحقوق، في الناظور.",
            "Reception, Darija classes and information on rights, in Nador.",
        ),
        "opening_hours": WEEKDAYS_9_17,
        "contact_point": ("Accueil de l'association", "استقبال الجمعية", "Association front desk"),
    },
    "Hôpital Al-Hassani (Nador)": {
        "description": (
            "Orientation en santé et cellule psychosociale.",
            "التوجيه الصحي وخلية الدعم النفسي والاجتماعي.",
            "Health orientation and a psychosocial unit.",
        ),
        "opening_hours": (
            "Cellule psychosociale : lun–ven 8h30–16h30",
            "خلية الدعم النفسي والاجتماعي: من الاثنين إلى الجمعة، من 8:30 إلى 16:30",
            "Psychosocial unit: Mon–Fri 8:30–16:30",
        ),
        "contact_point": (
            "Cellule psychosociale",
            "خلية الدعم النفسي والاجتماعي",
            "Psychosocial unit",
        ),
    },
}


def directory_text(name: str) -> dict[str, str]:
    """The columns of an organisation's demo text: ``description``, ``description_ar``..."""
    columns = {}
    for field, versions in DIRECTORY_TEXT.get(name, {}).items():
        for suffix, text in zip(("", "_ar", "_en"), versions, strict=True):
            columns[f"{field}{suffix}"] = text
    return columns


CMSM_MEMBERS = [
    "BAOM Agadir",
    "BAOM Inezgane",
    "Voix de Femmes du Maroc",
    "Association Anir",
    "Hôpital régional d'Inezgane",
    "Migrations & Développement",
]


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, name)


def _seed_directory(organisations, territories, service_types) -> int:
    created = 0
    for name, (codes, places, languages, days) in DIRECTORY.items():
        organisation = organisations.get(name)
        if organisation is None:
            continue
        existing = DirectoryEntry.objects.filter(organisation=organisation).first()
        if existing is not None:
            _translate_demo_entry(existing, name)
            continue
        entry = DirectoryEntry.objects.create(
            organisation=organisation,
            languages=list(languages),
            accepts_referrals=True,
            response_days=days,
            **directory_text(name),
        )
        entry.services.set([service_types[c] for c in codes if c in service_types])
        entry.territories.set([territories[c] for c in places if c in territories])
        created += 1
    network, _ = Network.objects.get_or_create(
        name="Comité de migration Souss-Massa",
        defaults={
            "acronym": "CMSM",
            "description": "Réseau des acteurs de la migration de la région Souss-Massa.",
        },
    )
    network.members.add(*[organisations[n] for n in CMSM_MEMBERS if n in organisations])
    return created


def _translate_demo_entry(entry: DirectoryEntry, name: str) -> None:
    """A demo entry created before the texts were translated (same French opening hours, no
    Arabic yet) gets the demo's texts; an entry its organisation has edited is left alone."""
    text = directory_text(name)
    if text and entry.opening_hours == text["opening_hours"] and not entry.opening_hours_ar:
        for field, value in text.items():
            setattr(entry, field, value)
        entry.save(update_fields=[*text, "updated_at"])


def _seed_referrals(organisations, service_types, stdout) -> int:
    if Referral.objects.filter(idempotency_key=_key("asadaf-1")).exists():
        return 0
    agent = User.objects.filter(email="agent@tawjih.test").first()
    vfm_staff = User.objects.filter(email="association@tawjih.test").first()
    anir_staff = User.objects.filter(email="anir@tawjih.test").first()
    vfm = organisations.get("Voix de Femmes du Maroc")
    anir = organisations.get("Association Anir")
    hospital = organisations.get("Hôpital régional d'Inezgane")
    if not all([agent, vfm_staff, anir_staff, vfm, anir, hospital]):
        return 0
    women = list(
        Beneficiary.objects.filter(
            bureau=agent.organisation, sex=Sex.FEMALE, consent_sharing=True
        ).order_by("id")[:5]
    )
    if len(women) < 5:
        stdout.write("Referrals demo: not enough consenting women in BAOM Agadir, skipped.")
        return 0
    s = service_types

    def send(key, person, target, service, reason, urgency=Urgency.ROUTINE, actor=agent, **kw):
        return services.referral_send(
            beneficiary=person,
            to_organisation=target,
            actor=actor,
            reason=reason,
            urgency=urgency,
            service=s.get(service),
            shared_fields=[SharedField.NATIONALITY, SharedField.HOUSEHOLD],
            idempotency_key=_key(key),
            **kw,
        )

    def step(referral, action, actor, **data):
        return services.referral_transition(referral=referral, action=action, actor=actor, **data)

    # 1. The seeds' story: Agadir → Asadaf (VFM) → Tasimant (Anir) for pastry training.
    first = send("asadaf-1", women[0], vfm, "psychosocial", "Femme seule avec un enfant, isolée.")
    step(first, "accept", vfm_staff)
    first = step(first, "start", vfm_staff)
    onward = send(
        "tasimant-1",
        women[0],
        anir,
        "coaching",
        "Souhaite une formation en pâtisserie (Tasimant).",
        actor=vfm_staff,
        parent=first,
    )
    step(onward, "accept", anir_staff)
    step(
        onward,
        "complete",
        anir_staff,
        outcome=Outcome.SERVICE_GIVEN,
        feedback="Inscrite à la formation pâtisserie, assiduité régulière.",
    )
    step(
        first,
        "complete",
        vfm_staff,
        outcome=Outcome.REFERRED_ONWARD,
        feedback="Orientée vers Anir.",
    )
    # 2. Tasimant refers a woman back to Asadaf for child care.
    second = send("asadaf-2", women[1], anir, "darija-course", "Cours de darija pour l'insertion.")
    second = step(second, "accept", anir_staff)
    back = send(
        "asadaf-back-2",
        women[1],
        vfm,
        "child-care",
        "Garde d'enfant pendant les cours.",
        actor=anir_staff,
        parent=second,
    )
    step(back, "claim", vfm_staff)
    # 3. Pregnant woman to the regional hospital of Inezgane: overdue (no answer yet).
    third = send(
        "inezgane-1",
        women[2],
        hospital,
        "maternal-health",
        "Suivi de grossesse, aucun suivi depuis l'arrivée.",
        urgency=Urgency.URGENT,
    )
    sent_at = timezone.now() - timedelta(days=8)
    Referral.objects.filter(pk=third.pk).update(
        sent_at=sent_at,
        due_on=services.add_working_days(timezone.localdate(sent_at), 2),
    )
    third.events.update(created_at=sent_at)
    # 4. Declined by Anir (no capacity); 5. a new one waiting in Asadaf's inbox.
    fourth = send("anir-declined", women[3], anir, "coaching", "Recherche d'activité génératrice.")
    step(fourth, "decline", anir_staff, decline_reason=DeclineReason.NO_CAPACITY)
    send(
        "asadaf-new",
        women[4],
        vfm,
        "legal-aid",
        "Questions sur le titre de séjour.",
        urgency=Urgency.URGENT,
    )
    return 7


def seed(*, stdout) -> None:
    organisations = {o.name: o for o in Organisation.objects.all()}
    territories = {t.code: t for t in Territory.objects.all()}
    service_types = {s.code: s for s in ServiceType.objects.all()}
    entries = _seed_directory(organisations, territories, service_types)
    referrals = _seed_referrals(organisations, service_types, stdout)
    stdout.write(f"Referrals demo: {entries} directory entries and {referrals} referrals created.")
