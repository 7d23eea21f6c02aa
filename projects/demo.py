"""Demo data for projects, built through the real services (called by ``manage.py seed_demo``).

From the programme's documents: the three PRIM components, a past call in Souss-Massa with a
selected project (a grant with a paid tranche, indicators by sex, a late report) and one on the
waiting list, an open call with a submitted proposal and a draft, the gender training of
"29 men and 11 women", the training of 22 representatives of 11 associations, and the 24
"migration & gender" actions of Sidi Bibi, Ait Amira and Belfaa. Idempotent: a second run
finds the records and changes nothing. People are synthetic.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Territory, User
from projects import services
from projects.models import (
    Call,
    CommunalActionPlan,
    Component,
    Proposal,
    Training,
)

COMPONENTS = [
    ("C1", "Financement de projets « migration & développement » sensibles au genre",
     "تمويل مشاريع الهجرة والتنمية المراعية للنوع الاجتماعي",
     "Funding of gender-sensitive migration & development projects"),
    ("C2", "Accompagnement social et administratif des MRE, MRE de retour et RPT",
     "المواكبة الاجتماعية والإدارية لمغاربة العالم والعائدين ومواطني الدول الأخرى",
     "Social and administrative support of MRE, returnees and RPT"),
    ("C3", "Égalité femmes-hommes dans l'accès aux services publics",
     "المساواة بين النساء والرجال في الولوج إلى الخدمات العمومية",
     "Equality of women and men in access to public services"),
]  # fmt: skip

PAST_CALL = "Appel à projets « migration & développement » Souss-Massa 2023"
OPEN_CALL = "Appel à projets 2026 : initiatives migration & genre en Souss-Massa"
CALL_TITLES = {
    PAST_CALL: (
        "دعوة لتقديم مشاريع «الهجرة والتنمية» سوس ماسة 2023",
        "Call for “migration & development” projects, Souss-Massa 2023",
    ),
    OPEN_CALL: (
        "دعوة لتقديم مشاريع 2026: مبادرات الهجرة والنوع الاجتماعي في سوس ماسة",
        "2026 call for projects: migration & gender initiatives in Souss-Massa",
    ),
}
REQUIRED_DOCUMENTS = (
    "Statuts de l'association\nDernier rapport moral et financier\nRécépissé de dépôt",
    "النظام الأساسي للجمعية\nآخر تقرير أدبي ومالي\nوصل الإيداع",
    "Statutes of the association\nLatest activity and financial report\nRegistration receipt",
)
# A tiny, valid PDF header is all the attachment check reads (synthetic demo files).
DEMO_PDF = b"%PDF-1.4\n% Tawjih demo document\n%%EOF\n"

CRITERIA = [
    {"label": "Pertinence au regard des besoins des personnes migrantes", "weight": Decimal("3")},
    {"label": "Prise en compte du genre", "weight": Decimal("2")},
    {"label": "Capacité du porteur et partenariats", "weight": Decimal("2")},
    {"label": "Budget réaliste et cofinancement", "weight": Decimal("1")},
]

PLAN_ACTIONS = {
    "SM-CHT-SIDI-BIBI": [
        "Guichet d'information pour les personnes migrantes au BAOM",
        "Formation des agents communaux à l'accueil sensible au genre",
        "Données d'accueil désagrégées par sexe dans le registre communal",
        "Cours de darija pour femmes migrantes",
        "Espace de garde d'enfants pendant les ateliers",
        "Orientation vers la cellule d'écoute de l'hôpital",
        "Journée multi-acteurs annuelle migration et genre",
        "Appui à l'inscription scolaire des enfants migrants",
    ],
    "SM-CHT-AIT-AMIRA": [
        "Accompagnement administratif des ouvrières agricoles migrantes",
        "Permanence juridique mensuelle",
        "Sensibilisation aux violences basées sur le genre",
        "Formation professionnelle en pâtisserie",
        "Transport vers les services de santé maternelle",
        "Comité local migration et genre",
        "Enquête sur les besoins des femmes migrantes",
        "Kits d'hygiène pour les nouvelles arrivantes",
    ],
    "SM-CHT-BELFAA": [
        "Point d'accueil mobile dans les douars",
        "Ateliers de coaching pour l'insertion économique",
        "Mobilisation de la diaspora pour des projets locaux",
        "Formation des élues et élus à la budgétisation sensible au genre",
        "Annuaire des services de référencement",
        "Activités culturelles interculturelles",
        "Appui aux coopératives de femmes",
        "Suivi annuel des indicateurs désagrégés par sexe",
    ],
}

SERVICES = ["Service social", "Service des affaires culturelles", "BAOM", "Division des ressources humaines"]  # fmt: skip


def _aware(year, month, day, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))  # noqa: DTZ001


def seed_components() -> None:
    for code, fr, ar, en in COMPONENTS:
        Component.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en}
        )


def _call(*, manager, title, opens_at, closes_at, envelope) -> Call:
    call = services.call_create(
        actor=manager,
        data={
            "title": title,
            "title_ar": CALL_TITLES[title][0],
            "title_en": CALL_TITLES[title][1],
            "component": Component.objects.get(code="C1"),
            "region": Territory.objects.get(code="SM"),
            "themes": "Accueil et orientation des personnes migrantes\n"
            "Insertion économique des femmes\nMobilisation de la diaspora",
            "envelope": envelope,
            "min_grant": Decimal("50000"),
            "max_grant": Decimal("300000"),
            "cofinancing_min_percent": Decimal("10"),
            "opens_at": opens_at,
            "closes_at": closes_at,
            "eligibility_criteria": "Association marocaine déclarée depuis au moins deux ans.\n"
            "Projet mis en œuvre dans la région Souss-Massa.",
            "required_documents": REQUIRED_DOCUMENTS[0],
            "required_documents_ar": REQUIRED_DOCUMENTS[1],
            "required_documents_en": REQUIRED_DOCUMENTS[2],
            "reviews_required": 1,
            "scale_max": 5,
            "gender_marker_required": True,
        },
        criteria=CRITERIA,
    )
    return services.call_publish(call=call, actor=manager)


def _proposal(*, call, author, title, requested, cofinancing, women, men, submit=True):
    proposal = services.proposal_create(call=call, actor=author, title=title)
    total = requested + cofinancing
    proposal = services.proposal_update(
        proposal=proposal,
        actor=author,
        data={
            "summary": "Accueil, écoute et orientation des personnes migrantes, en particulier "
            "des femmes, en lien avec le BAOM et l'hôpital régional d'Inezgane.",
            "objectives": "Améliorer l'accès aux services sociaux et de santé; renforcer "
            "l'autonomie économique des femmes migrantes.",
            "duration_months": 18,
            "requested_amount": requested,
            "cofinancing_amount": cofinancing,
            "gender_marker": 2,
            "gender_justification": "Les femmes migrantes sont le public principal; "
            "indicateurs désagrégés par sexe.",
        },
        territories=list(Territory.objects.filter(code__in=["SM-AGA-AGADIR", "SM-INZ-INEZGANE"])),
        budget_lines=[
            {"category": "staff", "description": "Animatrice sociale", "amount": total * 4 / 10},
            {
                "category": "activities",
                "description": "Ateliers et accompagnement",
                "amount": total * 5 / 10,
            },
            {"category": "administration", "description": "Frais de gestion", "amount": total / 10},
        ],
        targets=[
            {"category": "rpt", "women": women, "men": men},
            {"category": "host", "women": women // 4, "men": men // 4},
        ],
    )
    if submit:
        for number, document in enumerate(call.required_document_list, start=1):
            services.attachment_add(
                proposal=proposal,
                actor=author,
                upload=SimpleUploadedFile(f"document-{number}.pdf", DEMO_PDF),
                document=document,
            )
        services.proposal_submit(proposal=proposal, actor=author)
    return proposal


def _score(*, proposal, manager, reviewer, values):
    services.proposal_screen(
        proposal=proposal, actor=manager, eligible=True, reasons="Dossier complet et éligible."
    )
    review = services.review_assign(proposal=proposal, reviewer=reviewer, actor=manager)
    services.review_declare_interest(review=review, actor=reviewer, conflict=False)
    criteria = list(proposal.call.criteria.all())
    services.review_submit(
        review=review,
        actor=reviewer,
        scores={c.pk: {"value": v, "comment": ""} for c, v in zip(criteria, values, strict=True)},
        comment="Projet solide, ancré dans le territoire.",
    )


def seed_past_round(manager, reviewer, vfm, anir) -> None:
    now = timezone.now()
    call = _call(
        manager=manager,
        title=PAST_CALL,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        envelope=Decimal("1500000"),
    )
    asadaf = _proposal(
        call=call,
        author=vfm,
        title="Asadaf : centre de jour pour femmes migrantes à Agadir",
        requested=Decimal("240000"),
        cofinancing=Decimal("30000"),
        women=120,
        men=30,
    )
    tasimant = _proposal(
        call=call,
        author=anir,
        title="Tasimant : insertion économique et référencement",
        requested=Decimal("180000"),
        cofinancing=Decimal("20000"),
        women=60,
        men=40,
    )
    _score(proposal=asadaf, manager=manager, reviewer=reviewer, values=[5, 5, 4, 4])
    _score(proposal=tasimant, manager=manager, reviewer=reviewer, values=[4, 3, 3, 4])
    # The round happened in 2023: move the call's dates back, as they were (the committee
    # decides after the call closed).
    Call.objects.filter(pk=call.pk).update(
        opens_at=_aware(2022, 12, 1), closes_at=_aware(2023, 1, 31, 18)
    )
    Proposal.objects.filter(call=call).update(submitted_at=_aware(2023, 1, 20))
    committee = datetime.date(2023, 2, 23)
    services.decision_record(
        proposal=asadaf,
        actor=manager,
        outcome="selected",
        amount=Decimal("240000"),
        reasons="Projet pertinent, fortement orienté vers les femmes migrantes.",
        committee_date=committee,
    )
    services.decision_record(
        proposal=tasimant,
        actor=manager,
        outcome="waiting_list",
        reasons="Projet intéressant; financé si l'enveloppe le permet.",
        committee_date=committee,
    )
    grant = services.grant_create(
        proposal=asadaf,
        actor=manager,
        agreement_date=datetime.date(2023, 6, 1),
        start_date=datetime.date(2023, 7, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    first = services.tranche_plan(
        grant=grant,
        actor=manager,
        planned_date=datetime.date(2023, 7, 1),
        planned_amount=Decimal("96000"),
        condition="Signature de la convention",
    )
    services.tranche_pay(
        tranche=first,
        actor=manager,
        paid_on=datetime.date(2023, 7, 12),
        paid_amount=Decimal("96000"),
    )
    services.tranche_plan(
        grant=grant,
        actor=manager,
        planned_date=datetime.date(2024, 3, 1),
        planned_amount=Decimal("96000"),
        condition="Rapport narratif et financier intermédiaire approuvé",
    )
    services.tranche_plan(
        grant=grant,
        actor=manager,
        planned_date=datetime.date(2026, 12, 31),
        planned_amount=Decimal("48000"),
        condition="Rapport final approuvé",
    )
    services.indicators_report(
        grant=grant,
        actor=vfm,
        period_end=datetime.date(2023, 12, 31),
        counts={
            indicator.pk: {"women": indicator.target_women // 2, "men": indicator.target_men // 3}
            for indicator in grant.indicators.all()
        },
    )
    services.milestone_add(
        grant=grant,
        actor=manager,
        title="Ouverture du centre de jour",
        planned_date=datetime.date(2023, 9, 1),
    )
    services.report_schedule(
        grant=grant,
        actor=manager,
        kind="narrative",
        period_end=datetime.date(2023, 12, 31),
        due_date=datetime.date(2024, 1, 31),
    )
    services.report_schedule(
        grant=grant,
        actor=manager,
        kind="financial",
        period_end=datetime.date(2023, 12, 31),
        due_date=datetime.date(2024, 1, 31),
    )


def seed_open_round(manager, vfm, anir) -> None:
    now = timezone.now()
    call = _call(
        manager=manager,
        title=OPEN_CALL,
        opens_at=now - datetime.timedelta(days=7),
        closes_at=now + datetime.timedelta(days=60),
        envelope=Decimal("2000000"),
    )
    _proposal(
        call=call,
        author=vfm,
        title="Darija et coaching pour femmes migrantes à Inezgane",
        requested=Decimal("150000"),
        cofinancing=Decimal("20000"),
        women=80,
        men=10,
    )
    services.proposal_create(
        call=call, actor=anir, title="Accompagnement des MRE de retour à Agadir"
    )


def seed_trainings(manager) -> None:
    if Training.objects.exists():
        return
    services.training_record(
        actor=manager,
        data={
            "title": "Formation genre et migration",
            "topic": "Genre et migration pour les cadres et élu·e·s de Ait Amira, Belfaa et Sidi Bibi",
            "audience": Training.Audience.LOCAL_AGENTS,
            "start_date": datetime.date(2022, 11, 14),
            "end_date": datetime.date(2022, 11, 23),
            "territory": Territory.objects.get(code="SM-CHT"),
            "men": 29,
            "women": 11,
        },
    )
    services.training_record(
        actor=manager,
        data={
            "title": "Gestion administrative et financière et suivi sensible au genre",
            "topic": "Porteurs des projets sélectionnés",
            "audience": Training.Audience.PROJECT_HOLDERS,
            "start_date": datetime.date(2023, 5, 23),
            "end_date": datetime.date(2023, 6, 14),
            "territory": Territory.objects.get(code="SM"),
            # The document gives 22 representatives of 11 associations, not their sex.
            "sex_not_recorded": 22,
            "organisations_count": 11,
        },
    )


def seed_plans(manager) -> None:
    for code, titles in PLAN_ACTIONS.items():
        territory = Territory.objects.get(code=code)
        if CommunalActionPlan.objects.filter(territory=territory).exists():
            continue
        plan = services.action_plan_create(
            actor=manager, territory=territory, kind="pac", start_year=2023, end_year=2028
        )
        for number, title in enumerate(titles):
            services.plan_action_save(
                actor=manager,
                plan=plan,
                title=title,
                responsible_service=SERVICES[number % len(SERVICES)],
                status="integrated" if number % 3 else "in_progress",
            )


@transaction.atomic
def seed(*, stdout) -> None:
    seed_components()
    users = {u.email: u for u in User.objects.filter(email__endswith="@tawjih.test")}
    manager = users.get("manager@tawjih.test")
    reviewer = users.get("reviewer@tawjih.test")
    vfm = users.get("association@tawjih.test")
    anir = users.get("anir@tawjih.test")
    if not all([manager, reviewer, vfm, anir]):
        stdout.write("Projects demo: the demo users are missing, nothing added.")
        return
    before = _counts()
    if not Call.objects.filter(title=PAST_CALL).exists():
        seed_past_round(manager, reviewer, vfm, anir)
    if not Call.objects.filter(title=OPEN_CALL).exists():
        seed_open_round(manager, vfm, anir)
    seed_trainings(manager)
    seed_plans(manager)
    after = _counts()
    stdout.write(
        "Projects demo: "
        + ", ".join(f"{after[name] - before[name]} {name}" for name in after)
        + " created ("
        + ", ".join(f"{before[name]} {name}" for name in before)
        + " already there)."
    )


def _counts() -> dict[str, int]:
    return {
        "calls": Call.objects.count(),
        "proposals": Proposal.objects.count(),
        "trainings": Training.objects.count(),
        "plans": CommunalActionPlan.objects.count(),
    }
