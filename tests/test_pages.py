"""Pages every role reaches first: home, modules, errors, health."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings

from accounts.permissions import MODULE_ROLES
from accounts.roles import Role
from core.home import ROLE_TASKS

pytestmark = pytest.mark.django_db
MODULES = list(MODULE_ROLES)


@pytest.mark.parametrize("role", list(Role))
def test_home_shows_what_the_role_does_first(
    client, login, make_user, role, django_assert_max_num_queries
):
    login(make_user(role))
    # Agents, supervisors and association staff get the worklist panels above their tasks (a
    # fixed number of queries per panel: tests/casework/test_notifications_worklist.py).
    worklist = {Role.AGENT: 13, Role.SUPERVISOR: 16, Role.ASSOCIATION_STAFF: 11}
    with django_assert_max_num_queries(worklist.get(role, 8)):
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="home-tasks"' in page
    for task in ROLE_TASKS[role]:
        assert str(task.title) in page  # French by default
    # The navigation offers exactly the modules this role may open.
    for module in MODULES:
        assert (f'data-testid="nav-{module}"' in page) == (role in MODULE_ROLES[module]), module


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("role", list(Role))
def test_module_pages_open_only_to_their_roles(client, login, make_user, role, module):
    login(make_user(role))
    from django.urls import reverse

    response = client.get(reverse(f"{module}:index"))
    expected = 200 if role in MODULE_ROLES[module] else 403
    assert response.status_code == expected
    if expected == 403:
        assert "Accès refusé" in response.content.decode()  # the site's own 403 page


def test_home_links_all_resolve_for_their_role(client, login, make_user):
    for role, tasks in ROLE_TASKS.items():
        client.logout()
        login(make_user(role))
        for task in tasks:
            from django.urls import reverse

            assert client.get(reverse(task.url_name)).status_code == 200, (role, task.url_name)


def test_404_page_is_in_the_sites_look(client, login, make_user):
    login(make_user())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Tawjih" in response.content.decode()
    assert "nav-main" in response.content.decode()


def test_500_page_gives_a_reference_and_no_trace(db, monkeypatch, make_user, password):
    import core.views

    monkeypatch.setattr(core.views, "ROLE_TASKS", None)  # home() will fail on .get
    client = Client(raise_request_exception=False)
    user = make_user()
    client.post("/accounts/login/", {"username": user.email, "password": password})
    response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Traceback" not in page and "NoneType" not in page
    assert "référence" in page.lower()


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(REDIS_URL="redis://127.0.0.1:9/0")
def test_healthz_is_503_when_redis_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] != "ok"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    import core.health

    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(core.health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "DatabaseError"


def test_admin_site_is_for_administrators_only(client, login, make_user):
    login(make_user(Role.PROGRAMME_MANAGER))
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    client.logout()
    login(make_user(Role.ADMIN))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/territory/import/").status_code == 200
