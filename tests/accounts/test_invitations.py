"""A new user chooses their own password from an invitation link (issue 16).

Through the real flow: an admin adds the user in the admin (no password field), the email
(locmem backend) carries the link, the user sets a password on it and signs in with it. The link
works once, expires after INVITATION_VALID_HOURS, is replaced by the next one sent, and every
step is in the audit trail.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.roles import Role
from core.models import AuditEvent
from tests.factories import UserFactory, organisation_for_role

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Un-mot-de-passe-2026"


@pytest.fixture
def admin(login):
    user = UserFactory(role=Role.ADMIN, language="en")
    login(user)
    return user


def _add_user(client, captured, email="nouvelle@example.org", language="fr"):
    bureau = organisation_for_role(Role.AGENT)
    with captured(execute=True):
        response = client.post(
            "/admin/accounts/user/add/",
            {
                "email": email,
                "full_name": "Nouvelle Agente",
                "organisation": bureau.pk,
                "role": Role.AGENT,
                "language": language,
                "_save": "Save",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(email=email)


def _link(message) -> str:
    match = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/invitation/[^/\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def _set_password(client, link, password=NEW_PASSWORD):
    return client.post(
        link,
        {"new_password1": password, "new_password2": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_admin_types_no_password_and_the_user_chooses_theirs(
    client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    form = client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="password1"' not in form and 'name="password2"' not in form

    user = _add_user(client, django_capture_on_commit_callbacks)
    assert not user.has_usable_password()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nouvelle@example.org"]
    assert "mot de passe" in message.subject  # in the user's language (French)
    link = _link(message)
    invitation = Invitation.objects.get(user=user)
    assert link.split("/")[-2] not in invitation.token_hash  # only a hash is stored
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(
        hours=settings.INVITATION_VALID_HOURS
    )

    change = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "waiting ·" in change  # the admin sees the invitation's state

    client.logout()
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Nouvelle Agente" in page.content.decode()
    response = _set_password(client, link)
    assert response.status_code == 302 and response.url == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    signed_in = client.post(
        "/accounts/login/",
        {"username": user.email, "password": NEW_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert signed_in.status_code == 302 and signed_in.url == "/"

    # Audited: sent by the admin, used by the new user.
    lines = AuditEvent.objects.filter(
        object_type="accounts.invitation", object_id=str(invitation.pk)
    ).order_by("created_at")
    assert [(e.action, e.actor_id) for e in lines] == [
        ("create", admin.pk),
        ("update", user.pk),
    ]


def test_a_link_works_once(client, admin, mailoutbox, django_capture_on_commit_callbacks):
    user = _add_user(client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    client.logout()
    assert _set_password(client, link).status_code == 302

    # (the page now speaks the new user's language, French, from the cookie set at the save)
    again = _set_password(client, link, "Un-autre-mot-de-passe-9")
    assert again.context["code"] == "used"
    assert "déjà été utilisée" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)  # the second use changed nothing
    assert client.get(link).context["code"] == "used"


def test_an_expired_link_is_refused_with_what_to_do(
    client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    user = _add_user(client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    client.logout()
    # As time would pass: the invitation's validity ends.
    Invitation.objects.filter(user=user).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = _set_password(client, link)
    page = response.content.decode()
    assert "has expired" in page and "send you a new one" in page
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_refusal_is_in_the_visitors_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get("/accounts/invitation/not-a-token/")
    assert 'lang="ar"' in page.content.decode()
    assert "This invitation link is not valid" not in page.content.decode()
    assert page.context["code"] == "unknown"


def test_resending_replaces_the_earlier_link(
    client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    user = _add_user(client, django_capture_on_commit_callbacks, language="en")
    first = _link(mailoutbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/user/",
            {"action": "send_invitation", "_selected_action": [user.pk]},
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    second = _link(mailoutbox[1])
    assert second != first
    assert "choose your password" in mailoutbox[1].subject  # in the user's language (en)
    client.logout()
    assert "newer invitation" in _set_password(client, first).content.decode()
    assert _set_password(client, second).status_code == 302


def test_no_invitation_for_a_user_with_a_password(client, admin, mailoutbox):
    someone = UserFactory(role=Role.AGENT)  # has a password
    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_invitation", "_selected_action": [someone.pk]},
        follow=True,
    )
    assert "already set a password" in response.content.decode()
    assert not Invitation.objects.filter(user=someone).exists()
    assert mailoutbox == []
