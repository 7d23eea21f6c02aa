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
