"""Regression tests for the smaller findings of the outside probe (issue 18 #7-#9) and the
admin and invitation items of issue 16."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def test_sign_in_and_sign_out_are_audited(client, login, make_user):
    user = make_user(Role.AGENT)
    login(user)
    client.post(reverse("accounts:logout"))
    actions = list(
        AuditEvent.objects.filter(actor=user).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["login", "logout"]


def test_a_password_reset_is_audited(client, make_user):
    user = make_user(Role.AGENT)
    client.post(RESET, {"email": user.email}, REMOTE_ADDR="198.51.100.4")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link[link.index("/accounts/") :].strip()
    form = client.get(path, follow=True)
    new = "Une-phrase-longue-2026"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert AuditEvent.objects.filter(actor=user, action="password_reset").count() == 1


def test_password_reset_requests_are_limited_with_the_same_answer(client, make_user, settings):
    """15 requests in a row for one account: the account's limit of emails, and every answer
    is the same redirect (nobody learns whether the account exists or was limited)."""
    user = make_user(Role.AGENT)
    answers = {
        client.post(RESET, {"email": user.email}, REMOTE_ADDR="198.51.100.5")["Location"]
        for _ in range(15)
    }
    assert answers == {reverse("accounts:password_reset_done")}
    assert len(mail.outbox) == settings.PASSWORD_RESET_ACCOUNT_LIMIT
    # Per address too: many accounts from one address.
    others = [make_user(Role.AGENT) for _ in range(settings.PASSWORD_RESET_ADDRESS_LIMIT + 3)]
    mail.outbox.clear()
    for other in others:
        client.post(RESET, {"email": other.email}, REMOTE_ADDR="198.51.100.6")
    assert len(mail.outbox) == settings.PASSWORD_RESET_ADDRESS_LIMIT


def test_every_answer_has_a_permissions_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_gunicorn_writes_no_server_banner():
    from gunicorn.http import wsgi

    import config.gunicorn  # noqa: F401  (the config file docker/entrypoint.sh passes)

    class Request:
        version = (1, 1)

    response = wsgi.Response.__new__(wsgi.Response)
    response.req, response.status, response.version = Request(), "200 OK", "gunicorn"
    response.upgrade, response.chunked, response.must_close = False, False, True
    lines = response.default_headers()
    assert lines[0].startswith("HTTP/1.1 200")
    assert not [line for line in lines if line.lower().startswith("server:")]


def test_the_demo_admin_is_staff_not_superuser_and_the_admin_pages_work(client, login):
    call_command("seed_demo", "--quiet-logins", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from accounts.models import User

    assert not User.objects.filter(is_superuser=True).exists()
    admin = User.objects.get(email="admin@tawjih.test")
    assert admin.is_staff
    login(admin, "Tawjih-demo-2026")
    for url in ("/admin/", "/admin/accounts/user/", "/admin/accounts/organisation/"):
        assert client.get(url).status_code == 200, url
    # What the access table does not give the admin role: referrals and beneficiary exports.
    assert client.get(reverse("referrals:index")).status_code in (403, 404)
    assert client.get(reverse("baom:export", kwargs={"fmt": "csv"})).status_code in (403, 404)


def test_admin_answers_403_to_a_signed_in_non_staff_user(client, login, make_user):
    login(make_user(Role.AGENT))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
