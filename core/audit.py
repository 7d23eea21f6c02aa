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
    """The client's address, read as django-axes reads it (X-Forwarded-For is believed only from
    the TRUSTED_PROXIES, accounts/client_ip.py)."""
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
    if action == Action.FORBIDDEN and request is not None:
        # the refusal of this request is in the trail: the middleware does not add a second line
        request.refusal_recorded = True
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
    events = AuditEvent.objects.visible_to(user)
    return events.select_related("actor__organisation", "organisation")


def scope_events(events, user):
    """``AuditEvent.objects.visible_to(user)``: the policy's ``core.access_log``."""
    from core import policy

    if not user.is_authenticated or not user.has_perm("core.view_auditevent"):
        return events.none()
    if user.role in {policy.PROGRAMME_MANAGER, policy.ADMIN} or user.is_superuser:
        return events
    if user.organisation_id is None:
        return events.none()
    return events.filter(organisation_id=user.organisation_id)


def record_person_reads(*, actor, people, request=None, action: str = Action.READ) -> int:
    """One ``read`` line per person whose identity a page or file shows, whoever reads it
    (partners included), attributed to the person (``baom.beneficiary`` and its uuid) and to
    the organisation that holds the record (``bureau_id``), so the person's "who accessed this
    record" page and the bureau's trail list every reader. Set-based: one ``COPY`` for a list
    page, one ``INSERT`` for a single person; duplicates on a page count once."""
    unique = {}
    for person in people:
        unique.setdefault(person.pk, person)
    people = list(unique.values())
    if not people:
        return 0
    if len(people) == 1:
        _record_read(actor, people[0], request, action)
        return 1
    from django.utils import timezone

    from core.bulk import copy_rows

    request = request if request is not None else _current_request.get()
    now = timezone.now()
    ip, path = client_ip(request), (request.path[:300] if request is not None else "")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    username = actor.get_username()[:150] if authenticated else ""
    actor_id = actor.pk if authenticated else None
    rows = [
        (now, actor_id, username, action, p._meta.label_lower, _public_id(p), p.bureau_id,
         ip, path)
        for p in people
    ]  # fmt: skip
    copy_rows(
        AuditEvent._meta.db_table,
        ["created_at", "actor_id", "username", "action", "object_type", "object_id",
         "organisation_id", "ip_address", "path"],
        rows,
    )  # fmt: skip
    return len(rows)


def _record_read(actor, person, request, action) -> AuditEvent:
    request = request if request is not None else _current_request.get()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        username=actor.get_username()[:150] if authenticated else "",
        action=action,
        object_type=person._meta.label_lower,
        object_id=_public_id(person)[:64],
        organisation_id=person.bureau_id,
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
    )
