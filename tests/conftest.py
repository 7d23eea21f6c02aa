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


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "real_two_factor: sign-ins of programme managers and admins go through the real "
        "two-factor steps (not marked as passed, see _second_factor_passed_at_sign_in)",
    )


def pass_second_factor(sender, request, user, **kwargs):
    """At sign-in, mark the session as having passed the second factor (as the code step does)
    for the roles that must use one, with a backup-code device made for the tests."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.mfa import mfa_required

    if mfa_required(user):
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="tests", defaults={"confirmed": True}
        )
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


@pytest.fixture(autouse=True)
def _second_factor_passed_at_sign_in(request):
    """Programme managers and admins must give a code at sign-in (accounts.middleware): tests
    that are not about it sign them in (login fixture, force_login, the browser's sign-in form)
    as if they had. Tests marked ``real_two_factor`` go through the real steps."""
    from django.contrib.auth.signals import user_logged_in

    if request.node.get_closest_marker("real_two_factor"):
        yield
        return
    user_logged_in.connect(pass_second_factor, dispatch_uid="tests.pass_second_factor")
    yield
    user_logged_in.disconnect(dispatch_uid="tests.pass_second_factor")


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
