"""The audit trail: ``record(...)`` writes one ``AuditEvent`` in the caller's transaction.

The request being served (set by ``core.middleware.AuditRequestMiddleware``) gives the address
and path, so services that only know the actor can still record where the action came from.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db import models

from core.models import AuditEvent

Action = AuditEvent.Action

_current_request: ContextVar = ContextVar("audit_request", default=None)


def set_request(request):
    return _current_request.set(request)


def reset_request(token) -> None:
    _current_request.reset(token)


def current_user():
    """The user of the request being served (None outside a request)."""
    request = _current_request.get()
    return getattr(request, "user", None)


def client_ip(request) -> str | None:
    """The client's address, read as django-axes reads it (TRUSTED_PROXY_COUNT decides whether
    X-Forwarded-For is believed)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    organisation=None,
    username: str = "",
    request=None,
) -> AuditEvent:
    """Append one event. ``obj`` names the record by its public ``uuid`` (its pk otherwise)."""
    request = request if request is not None else _current_request.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "uuid", None) or obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None:
        username = username or actor.get_username()
        if organisation is None:
            organisation = getattr(actor, "organisation", None)
    return AuditEvent.objects.create(
        actor=actor,
        username=username[:150],
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        organisation=organisation,
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
    )


def record_many(*, actor, action: str, objects, request=None) -> int:
    """Append one event per object in one ``COPY`` (a register import creates thousands of
    records: each still gets its own line, written in the caller's transaction)."""
    from django.utils import timezone

    from core.bulk import copy_rows

    request = request if request is not None else _current_request.get()
    now = timezone.now()
    ip, path = client_ip(request), (request.path[:300] if request is not None else "")
    username = actor.get_username()[:150] if actor is not None else ""
    organisation_id = getattr(actor, "organisation_id", None)
    actor_id = getattr(actor, "pk", None)
    common = (organisation_id, ip, path)
    rows = [
        (now, actor_id, username, action, obj._meta.label_lower, _public_id(obj), *common)
        for obj in objects
    ]
    copy_rows(
        AuditEvent._meta.db_table,
        ["created_at", "actor_id", "username", "action", "object_type", "object_id",
         "organisation_id", "ip_address", "path"],
        rows,
    )  # fmt: skip
    return len(rows)


def _public_id(obj) -> str:
    return str(getattr(obj, "uuid", None) or obj.pk)


def visible_events(user):
    """The trail a user may read: every event for programme managers and admins, their own
    organisation's for supervisors (with the permission), nothing for anyone else."""
    from core import policy

    events = AuditEvent.objects.select_related("actor", "organisation")
    if not user.is_authenticated or not user.has_perm("core.view_auditevent"):
        return events.none()
    if user.role in {policy.PROGRAMME_MANAGER, policy.ADMIN} or user.is_superuser:
        return events
    if user.organisation_id is None:
        return events.none()
    return events.filter(organisation_id=user.organisation_id)
