from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _default_language():
    """Django's LocaleMiddleware leaves the last request's language active in the thread: start
    every test in the site's default language, so no test depends on the one before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache lives in the real Redis, shared by every test: start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def make_user(db):
    def make(role: str = Role.AGENT, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT)


@pytest.fixture
def manager(make_user):
    return make_user(Role.PROGRAMME_MANAGER)


@pytest.fixture
def login(client):
    """login(user) signs the test client in with the real login form (and django-axes)."""

    def do(user, password: str = PASSWORD):
        response = client.post(
            "/accounts/login/",
            {"username": user.email, "password": password},
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 302, response.content[:500]
        return client

    return do
