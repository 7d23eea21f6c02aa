"""``visible_to(user)`` of the models of ``core``: one scoping pattern for every model with
organisation-owned or personal data (``docs/architecture.md``, "Who sees what"; the policy is
``core/policy.py``). ``core`` imports no app: users are read by their attributes only."""

from __future__ import annotations

from django.db import models


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The trail a user may read (policy ``core.access_log``): every line for programme
        managers and admins, their organisation's for supervisors, nothing for anyone else."""
        from core.audit import scope_events

        return scope_events(self, user)


class OwnRowsQuerySet(models.QuerySet):
    """Rows that belong to one user (policy ``core.own_rows``): the user's own, nobody else's,
    whatever their role. ``owner_field`` names the user column."""

    owner_field = "recipient"

    def visible_to(self, user):
        if not _signed_in(user):
            return self.none()
        return self.filter(**{f"{self.owner_field}_id": user.pk})


class OutboxMessageQuerySet(OwnRowsQuerySet):
    owner_field = "recipient"


class NotificationQuerySet(OwnRowsQuerySet):
    owner_field = "recipient"
