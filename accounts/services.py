"""Every write to accounts goes through these functions (views, admin, commands, tests)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Organisation, User
from accounts.roles import STAFF_ROLES, Role
from core import audit


def user_sync_role_group(*, user: User) -> None:
    """Make the user's groups exactly the group of their role."""
    group, _created = Group.objects.get_or_create(name=user.role)
    user.groups.set([group])


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    organisation: Organisation | None,
    role: str,
    password: str | None = None,
    language: str = "fr",
    is_superuser: bool = False,
) -> User:
    user = User(
        email=email,
        full_name=full_name,
        organisation=organisation,
        role=role,
        language=language,
        is_staff=role in STAFF_ROLES or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user_sync_role_group(user=user)
    return user


@transaction.atomic
def user_update(*, user: User, actor: User | None = None, **fields) -> User:
    """Change a user's profile, role or state; one ``update`` line in the audit trail (by
    ``actor``, the user themself by default), in the same transaction."""
    allowed = {"full_name", "organisation", "role", "language", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"user_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value)
    if "role" in fields:
        user.is_staff = user.role in STAFF_ROLES or user.is_superuser
    user.full_clean()
    user.save()
    if "role" in fields:
        user_sync_role_group(user=user)
    audit.record(
        actor=actor or user, action=audit.Action.UPDATE, obj=user, organisation=user.organisation
    )
    # Deactivation ends the user's sessions at once: core.signals.end_sessions_of_inactive_user
    # (a post_save signal, so the admin's user form does it too).
    return user


def user_end_sessions(*, user: User, keep: str | None = None) -> int:
    """Delete every open session of ``user`` (database sessions) but the one keyed ``keep``:
    their next request there is anonymous. Returns how many were ended."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        .exclude(pk=keep or "")
        .iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def user_set_language(*, user: User, language: str) -> None:
    if language in dict(User._meta.get_field("language").choices) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


__all__ = [
    "Role",
    "user_create",
    "user_end_sessions",
    "user_set_language",
    "user_sync_role_group",
    "user_update",
]
