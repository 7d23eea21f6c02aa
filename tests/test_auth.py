"""Signing in and out, passwords, and lockout after repeated failures (django-axes)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail

from accounts.roles import Role

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_sign_in_with_email_lands_on_home_in_the_users_language(client, make_user, password):
    user = make_user(Role.AGENT, language="ar")
    response = post_login(client, user.email.upper(), password)
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    home = client.get("/")
    assert home.status_code == 200
    assert 'dir="rtl"' in home.content.decode()


def test_sign_in_gives_a_new_session_key(client, make_user, password):
    user = make_user()
    client.get(LOGIN)
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-key"
    post_login(client, user.email, password)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-chosen-key"


def test_wrong_password_says_so_in_french_and_signs_nobody_in(client, make_user):
    user = make_user()
    response = post_login(client, user.email, "wrong-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ne correspondent à aucun compte" in page
    assert "_auth_user_id" not in client.session


def test_deactivated_account_cannot_sign_in(client, make_user, password):
    user = make_user()
    user.is_active = False
    user.save()
    response = post_login(client, user.email, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_for_that_user_and_address(client, make_user, password):
    user = make_user()
    colleague = make_user(organisation=user.organisation)
    # Case variants of the address are the same account: they add up to one lockout.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = user.email.upper() if attempt % 2 else user.email
        post_login(client, email, "wrong-password")
    locked = post_login(client, user.email, password)
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The attacker's address does not lock the colleague out, nor the user from elsewhere.
    assert post_login(client, colleague.email, password).status_code == 302
    client.logout()
    assert post_login(client, user.email, password, address="10.0.0.2").status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client, login, make_user):
    login(make_user())
    assert client.get("/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code in (200, 302)
    assert client.get("/").status_code == 302


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_password_change_checks_the_old_password_and_the_validators(
    client, login, make_user, password
):
    user = make_user()
    login(user)
    url = "/accounts/password/change/"
    weak = client.post(
        url, {"old_password": password, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200
    user.refresh_from_db()
    assert user.check_password(password)
    strong = "Another-long-secret-2026"
    ok = client.post(
        url, {"old_password": password, "new_password1": strong, "new_password2": strong}
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
    assert client.get("/").status_code == 200  # still signed in after the change


def test_password_reset_by_email(client, make_user):
    user = make_user(email="reset.me@example.org")
    response = client.post("/accounts/password/reset/", {"email": "Reset.Me@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reset.me@example.org"]
    link = re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", message.body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "Brand-new-secret-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_saves_the_language(client, login, make_user):
    user = make_user()
    login(user)
    response = client.post("/accounts/profile/", {"full_name": "Nouveau Nom", "language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Nouveau Nom", "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.parametrize("proxies", [0, 1])
def test_lockout_reads_the_client_address_behind_a_proxy(client, make_user, password, proxies):
    """Behind the compose reverse proxy, two clients share REMOTE_ADDR but not X-Forwarded-For."""
    from django.test import override_settings

    user = make_user()
    proxy = {"REMOTE_ADDR": "172.18.0.2"}
    with override_settings(TRUSTED_PROXIES=["172.18.0.0/16"] if proxies else []):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                LOGIN,
                {"username": user.email, "password": "wrong"},
                # The attacker forges a left part; the proxy appends the real address.
                HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
                **proxy,
            )
        other_client = client.post(
            LOGIN,
            {"username": user.email, "password": password},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        )
    # With the proxy declared, the other client is not locked out; without, all share one address.
    assert other_client.status_code == (302 if proxies else 429)


def test_a_forged_forwarded_for_does_not_evade_the_lockout(client, make_user, password, settings):
    """Issue 18 #5: a client that reaches the site directly (not through a trusted proxy)
    changes X-Forwarded-For at every attempt; its failures still count for its own address."""
    settings.TRUSTED_PROXIES = ["172.18.0.0/16"]
    # What a proxy count of 1 configured before (django-ipware believed the header from anyone):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    user = make_user()
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": user.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
            REMOTE_ADDR="203.0.113.50",
        )
    answer = client.post(
        LOGIN,
        {"username": user.email, "password": password},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
        REMOTE_ADDR="203.0.113.50",
    )
    assert answer.status_code == 429


def test_password_spraying_from_one_address_locks_the_address(client, make_user, password):
    """Issue 18 #6: 32 failures over 8 accounts (4 each, under the per-account limit of 5)
    lock the address for every account; another address still signs in."""
    victims = [make_user() for _ in range(8)]
    for user in victims:
        for _ in range(4):
            client.post(
                LOGIN, {"username": user.email, "password": "Spring2026!"},
                REMOTE_ADDR="203.0.113.77",
            )  # fmt: skip
    fresh = make_user()
    answer = client.post(
        LOGIN, {"username": fresh.email, "password": password}, REMOTE_ADDR="203.0.113.77"
    )
    assert answer.status_code == 429
    elsewhere = client.post(
        LOGIN, {"username": fresh.email, "password": password}, REMOTE_ADDR="198.51.100.1"
    )
    assert elsewhere.status_code == 302
