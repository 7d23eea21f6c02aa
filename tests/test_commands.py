"""Reference and demo data: loaded from the repository, idempotent, synthetic people only."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD, USERS
from accounts.models import Organisation, Territory, User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Territory.objects.values_list("code", "parent__code", "name_fr", "updated_at")),
        sorted(Organisation.objects.values_list("name", "code", "updated_at")),
        sorted(User.objects.values_list("email", "password", "role")),
    )


def test_reference_data_holds_both_pilot_regions():
    call_command("load_reference_data", stdout=io.StringIO())
    regions = set(Territory.objects.regions().values_list("name_fr", flat=True))
    assert regions == {"Souss-Massa", "Oriental"}
    chtouka = Territory.objects.get(name_fr="Chtouka-Aït Baha")
    communes = set(chtouka.children.values_list("name_fr", flat=True))
    assert {"Sidi Bibi", "Aït Amira", "Belfaa"} <= communes
    assert Territory.objects.get(name_fr="Nador", level="province").region.name_fr == "Oriental"
    assert not Territory.objects.filter(name_ar="").exists()


def test_demo_data_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo logins" in out.getvalue()
    first = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == first
    assert "0 organisations and 0 users created" in out.getvalue()


def test_demo_has_one_login_per_role_that_works(client):
    call_command("seed_demo", stdout=io.StringIO())
    roles = set(User.objects.filter(email__in=[u[0] for u in USERS]).values_list("role", flat=True))
    assert roles == set(Role.values)
    for email, *_rest in USERS:
        response = client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.logout()


def test_demo_keeps_a_password_someone_changed():
    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.get(email="agent@tawjih.test")
    user.set_password("Another-secret-77")
    user.save()
    call_command("seed_demo", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password("Another-secret-77")


def test_demo_touches_only_what_it_created_and_says_so(client):
    """Issue 16: an admin's new bureau with an @tawjih.test agent and no people gets no
    synthetic people; the summary tells created from already there; the README's search
    example finds somebody in the demo data."""
    from baom.models import Beneficiary
    from tests.factories import OrganisationFactory, UserFactory

    call_command("seed_demo", stdout=io.StringIO())
    new_bureau = OrganisationFactory(bureau=True, name="BAOM Tata")
    UserFactory(role=Role.AGENT, organisation=new_bureau, email="agent.tata@tawjih.test")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert not Beneficiary.objects.filter(bureau=new_bureau).exists()
    summary = out.getvalue()
    assert "0 organisations and 0 users created (18 organisations and 10 users already" in summary
    assert "Intake demo: 0 beneficiaries created; already there" in summary
    assert "BAOM Agadir (24)" in summary and "BAOM Nador (24)" in summary
    assert "Projects demo: 0 calls, 0 proposals, 0 trainings, 0 plans created" in summary
    # README: agent@tawjih.test types "fatumata dialo" and finds Fatoumata Diallo.
    client.force_login(User.objects.get(email="agent@tawjih.test"))
    page = client.get("/beneficiaries/", {"q": "fatumata dialo"}).content.decode()
    assert "Fatoumata" in page and "Diallo" in page
