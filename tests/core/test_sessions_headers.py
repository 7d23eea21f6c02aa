"""Session timeouts, deactivation, CSP and no-store caching."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session

from accounts.services import user_update
from core.middleware import SESSION_LAST_SEEN, SESSION_STARTED

pytestmark = pytest.mark.django_db


def _shift(client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_an_idle_session_is_signed_out(agent, login, settings):
    client = login(agent)
    assert client.get("/").status_code == 200
    _shift(client, SESSION_LAST_SEEN, settings.SESSION_IDLE_MINUTES * 60 + 5)
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_active_session_stays_open_within_the_idle_time(agent, login, settings):
    client = login(agent)
    client.get("/")
    _shift(client, SESSION_LAST_SEEN, settings.SESSION_IDLE_MINUTES * 60 - 120)
    assert client.get("/").status_code == 200
    assert client.session[SESSION_LAST_SEEN] > time.time() - 10  # touched again
    assert client.get("/").status_code == 200


def test_a_session_ends_after_the_absolute_limit_even_when_active(agent, login, settings):
    client = login(agent)
    client.get("/")
    _shift(client, SESSION_STARTED, settings.SESSION_MAX_HOURS * 3600 + 5)
    assert client.get("/").status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(agent, login):
    client = login(agent)
    assert client.get("/").status_code == 200
    assert Session.objects.count() == 1
    user_update(user=agent, is_active=False)
    assert Session.objects.count() == 0
    assert client.get("/").status_code == 302


def test_deactivating_one_user_keeps_the_others_signed_in(agent, make_user, login, client):
    from django.test import Client

    other = make_user()
    login(agent)
    other_client = Client()
    other_client.force_login(other)
    user_update(user=agent, is_active=False)
    assert other_client.get("/").status_code == 200


def test_signed_in_pages_are_not_stored(agent, login):
    response = login(agent).get("/")
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_carries_a_strict_csp(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_or_style_attribute():
    import re
    from pathlib import Path

    from django.conf import settings

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    offenders = []
    for path in Path(settings.BASE_DIR).glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        offenders += [f"{path}: {m.group(0)}" for m in inline.finditer(path.read_text())]
    assert offenders == []
