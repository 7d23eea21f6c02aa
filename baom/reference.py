"""Reference data of the intake module: the need and service types of DOMAIN.md.

``load()`` is called by ``manage.py load_reference_data`` (and so by every deployment and by
``make run``); it creates the missing types and leaves the ones admins edited alone.
"""

from __future__ import annotations

SERVICE_TYPES = [
    # code, French, Arabic, English, sensitive
    ("reception", "Accueil et écoute", "الاستقبال والإنصات", "Reception and listening", False),
    ("information", "Information", "الإخبار", "Information", False),
    ("orientation", "Orientation", "التوجيه", "Orientation", False),
    (
        "admin-residence",
        "Appui administratif : carte de séjour",
        "دعم إداري: بطاقة الإقامة",
        "Administrative support: residence card",
        False,
    ),
    (
        "admin-civil",
        "Appui administratif : état civil",
        "دعم إداري: الحالة المدنية",
        "Administrative support: civil registration",
        False,
    ),
    (
        "admin-school",
        "Appui administratif : inscription scolaire",
        "دعم إداري: التسجيل المدرسي",
        "Administrative support: school enrolment",
        False,
    ),
    ("legal-aid", "Aide juridique", "المساعدة القانونية", "Legal aid", False),
    ("health-orientation", "Orientation santé", "التوجيه الصحي", "Health orientation", False),
    ("maternal-health", "Santé maternelle", "صحة الأم", "Maternal health", False),
    ("psychosocial", "Séance psychosociale", "جلسة دعم نفسي اجتماعي", "Psychosocial session", True),
    ("darija-course", "Cours de darija", "دروس الدارجة", "Darija course", False),
    (
        "vocational-training",
        "Formation professionnelle",
        "التكوين المهني",
        "Vocational training",
        False,
    ),
    ("coaching", "Coaching", "المواكبة", "Coaching", False),
    ("child-care", "Garde d’enfants", "رعاية الأطفال", "Child care", False),
    ("food-kit", "Kit alimentaire", "قفة غذائية", "Food kit", False),
    ("hygiene-kit", "Kit d’hygiène", "حقيبة النظافة", "Hygiene kit", False),
    ("housing", "Hébergement", "الإيواء", "Housing", False),
    (
        "employment",
        "Emploi et insertion économique",
        "التشغيل والإدماج الاقتصادي",
        "Employment and economic insertion",
        False,
    ),
    (
        "gbv-case-management",
        "Prise en charge VBG",
        "التكفل بضحايا العنف القائم على النوع",
        "GBV case management",
        True,
    ),
]


def load(*, stdout=None, model=None) -> int:
    """Create the missing service types; returns how many were created."""
    if model is None:
        from baom.models import ServiceType as model
    created = 0
    for position, (code, fr, ar, en, sensitive) in enumerate(SERVICE_TYPES, start=1):
        _obj, new = model.objects.get_or_create(
            code=code,
            defaults={
                "name_fr": fr,
                "name_ar": ar,
                "name_en": en,
                "is_sensitive": sensitive,
                "position": position * 10,
            },
        )
        created += new
    if stdout is not None:
        stdout.write(f"Service types: {created} created.")
    return created
