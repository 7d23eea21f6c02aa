"""Demo data: organisations and places from the programme's documents, one user per role.

Every person here is synthetic. Idempotent: what exists is left as it is, so running it
twice changes nothing (and never resets a password someone changed).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation, Territory, User
from accounts.roles import OrganisationKind as Kind
from accounts.roles import Role, app_modules
from accounts.services import user_create

DEMO_PASSWORD = "Tawjih-demo-2026"  # noqa: S105 - published demo login, demo data only

# (name, acronym, kind, bureau code, territory code)
ORGANISATIONS = [
    ("BAOM Agadir", "BAOM Agadir", Kind.BUREAU, "AGA", "SM-AGA-AGADIR"),
    ("BAOM Inezgane", "BAOM Inezgane", Kind.BUREAU, "INZ", "SM-INZ-INEZGANE"),
    ("BAOM Aït Melloul", "BAOM Aït Melloul", Kind.BUREAU, "AML", "SM-INZ-AIT-MELLOUL"),
    ("BAOM Sidi Bibi", "BAOM Sidi Bibi", Kind.BUREAU, "SBB", "SM-CHT-SIDI-BIBI"),
    ("BAOM Tiznit", "BAOM Tiznit", Kind.BUREAU, "TIZ", "SM-TIZ-TIZNIT"),
    ("BAOM Oujda", "BAOM Oujda", Kind.BUREAU, "OUJ", "OR-OUJ-OUJDA"),
    ("BAOM Nador", "BAOM Nador", Kind.BUREAU, "NAD", "OR-NAD-NADOR"),
    ("Voix de Femmes du Maroc", "VFM", Kind.ASSOCIATION, "", "SM-AGA-AGADIR"),
    ("Association Anir", "Anir", Kind.ASSOCIATION, "", "SM-AGA-AGADIR"),
    ("Association Al Jil Aljadid", "Al Jil Aljadid", Kind.ASSOCIATION, "", "OR-NAD-NADOR"),
    ("ASTICUDE", "ASTICUDE", Kind.ASSOCIATION, "", "OR-NAD-NADOR"),
    ("Migrations & Développement", "M&D", Kind.ASSOCIATION, "", "SM-TAR-TAROUDANT"),
    ("Hôpital régional d'Inezgane", "", Kind.PUBLIC_SERVICE, "", "SM-INZ-INEZGANE"),
    ("Hôpital Al-Hassani (Nador)", "", Kind.PUBLIC_SERVICE, "", "OR-NAD-NADOR"),
    ("Direction provinciale de la Santé de Nador", "DPS Nador", Kind.PUBLIC_SERVICE, "", "OR-NAD-NADOR"),
    ("Conseil de la Région Souss-Massa", "", Kind.REGIONAL_COUNCIL, "", "SM"),
    ("Conseil de la Région de l'Oriental", "", Kind.REGIONAL_COUNCIL, "", "OR"),
    ("PRIM (équipe programme)", "PRIM", Kind.PROGRAMME, "", "SM"),
]  # fmt: skip

# (email, synthetic full name, role, organisation name, language)
USERS = [
    ("agent@tawjih.test", "Salma Démo", Role.AGENT, "BAOM Agadir", "fr"),
    ("supervisor@tawjih.test", "Youssef Démo", Role.SUPERVISOR, "BAOM Agadir", "fr"),
    ("association@tawjih.test", "Nadia Démo", Role.ASSOCIATION_STAFF, "Voix de Femmes du Maroc", "fr"),
    ("statistician@tawjih.test", "Karim Démo", Role.STATISTICIAN, "Conseil de la Région Souss-Massa", "fr"),
    ("manager@tawjih.test", "Leila Démo", Role.PROGRAMME_MANAGER, "PRIM (équipe programme)", "fr"),
    ("reviewer@tawjih.test", "Hassan Démo", Role.REVIEWER, "PRIM (équipe programme)", "fr"),
    ("diaspora@tawjih.test", "Meryem Démo", Role.DIASPORA_OFFICER, "PRIM (équipe programme)", "fr"),
    ("admin@tawjih.test", "Omar Démo", Role.ADMIN, "PRIM (équipe programme)", "fr"),
    # A second bureau and a second association, to see that scopes keep them apart.
    ("agent.nador@tawjih.test", "Imane Démo", Role.AGENT, "BAOM Nador", "ar"),
    ("anir@tawjih.test", "Rachid Démo", Role.ASSOCIATION_STAFF, "Association Anir", "fr"),
]  # fmt: skip


def seed_organisations() -> int:
    territories = {t.code: t for t in Territory.objects.all()}
    created = 0
    for name, acronym, kind, code, territory_code in ORGANISATIONS:
        if territory_code not in territories:
            raise CommandError(
                f"Unknown territory {territory_code}: run load_reference_data first."
            )
        if Organisation.objects.filter(name=name).exists():
            continue
        organisation = Organisation(
            name=name, acronym=acronym, kind=kind, code=code, territory=territories[territory_code]
        )
        organisation.full_clean()
        organisation.save()
        created += 1
    return created


def seed_users() -> int:
    organisations = {o.name: o for o in Organisation.objects.all()}
    created = 0
    for email, full_name, role, organisation_name, language in USERS:
        if User.objects.filter(email__iexact=email).exists():
            continue
        user_create(
            email=email,
            full_name=full_name,
            organisation=organisations[organisation_name],
            role=role,
            password=DEMO_PASSWORD,
            language=language,
        )  # no superuser in demo data: the admin has the admin role's permissions only
        created += 1
    return created


class Command(BaseCommand):
    help = "Load demo organisations and one demo user per role (synthetic people only)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    @transaction.atomic
    def handle(self, *args, quiet_logins=False, **options):
        call_command("load_reference_data", stdout=self.stdout)
        organisations = seed_organisations()
        users = seed_users()
        self.stdout.write(
            f"Demo data: {organisations} organisations and {users} users created "
            f"({len(ORGANISATIONS) - organisations} organisations and {len(USERS) - users} "
            "users already there, left as they are)."
        )
        # Each app adds its own demo records in ``<app>/demo.py``: ``seed(*, stdout) -> None``,
        # idempotent like this command.
        for module in app_modules("demo"):
            module.seed(stdout=self.stdout)
        if quiet_logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for email, _name, role, organisation_name, _language in USERS:
            self.stdout.write(f"  {Role(role).label:<24} {email:<28} {organisation_name}")
        required = ", ".join(str(Role(role).label) for role in settings.MFA_REQUIRED_ROLES)
        if required:
            self.stdout.write(
                f"\nTwo-factor authentication is required for: {required}. At their first "
                "sign-in they set up an authenticator app (QR code, or the key typed in)."
            )
        else:
            self.stdout.write(
                "\nTwo-factor authentication is optional here (MFA_REQUIRED_ROLES is empty); "
                "anyone can turn it on in My account."
            )
        self.stdout.write("")
