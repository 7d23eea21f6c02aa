"""Invitations: a new user sets their own password from a link sent by email.

``invitation_send`` (admin's "add user", and "send the invitation again") stores the SHA-256
of a random secret, replaces any earlier invitation still waiting, writes an audit line and
emails the link after the commit, in the user's language. ``invitation_accept`` locks the
invitation, refuses it if it was used, replaced or has expired (``InvitationRefused`` with a
message saying which and what to do), sets the password, marks it used and writes an audit
line, in one transaction: two tabs posting the same link set one password.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.models_invitation import Invitation
from core import audit

DEFAULT_VALID_HOURS = 72


class InvitationRefused(ValidationError):
    """The link cannot be used; ``code`` says why (unknown, used, replaced, expired, inactive)."""


REFUSALS = {
    "unknown": _("This invitation link is not valid. Check that you copied the whole link."),
    "used": _(
        "This invitation was already used: your password is set. Sign in, or reset your "
        "password if you forgot it."
    ),
    "replaced": _(
        "A newer invitation was sent to you since this one: use the link in the latest email."
    ),
    "expired": _("This invitation has expired. Ask your administrator to send you a new one."),
    "inactive": _("This account is deactivated. Ask your supervisor or an administrator."),
    "has_password": _(
        "This user has already set a password: they can reset it from the sign-in page."
    ),
}


def valid_hours() -> int:
    return int(getattr(settings, "INVITATION_VALID_HOURS", DEFAULT_VALID_HOURS))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refuse(code: str) -> InvitationRefused:
    return InvitationRefused(REFUSALS[code], code=code)


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])


def _email(user_id: int, token: str) -> None:
    user = User.objects.get(pk=user_id)
    with translation.override(user.language):
        context = {
            "user": user,
            "link": invitation_link(token),
            "hours": valid_hours(),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


@transaction.atomic
def invitation_send(*, user: User, actor) -> Invitation:
    """Send ``user`` a link to set their password; an earlier link still waiting stops working.
    Refused for a deactivated user and for one who already set a password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise _refuse("inactive")
    if user.has_usable_password():
        raise _refuse("has_password")
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at=None, replaced_at=None).update(replaced_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=token_hash(token),
        sent_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=valid_hours()),
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=invitation)
    user_id = user.pk
    transaction.on_commit(lambda: _email(user_id, token))
    return invitation


def invitation_check(*, token: str) -> Invitation:
    """The invitation of a link, or ``InvitationRefused`` saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    )
    return _usable(invitation)


def _usable(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise _refuse("unknown")
    state = invitation.state_at(timezone.now())
    if state != Invitation.State.PENDING:
        raise _refuse(state)
    if not invitation.user.is_active:
        raise _refuse("inactive")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited user's password (already validated by the form) and use the link up."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    invitation = _usable(invitation)
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit.record(actor=user, action=audit.Action.UPDATE, obj=invitation)
    return user


def invitation_state(user: User) -> str:
    """The state of the user's latest invitation ("" when none was sent)."""
    latest = user.invitations.order_by("-created_at").first()
    return latest.state_at(timezone.now()) if latest else ""
