"""What the projects services share: money, totals, roles, transitions, audited refusals.

Every write service is wrapped by ``@service(target=...)``: it runs in one transaction, and
when it refuses (``PermissionDenied``, or ``Refused``: a step the rules do not allow now) the
transaction is rolled back, so nothing changes, and one ``forbidden`` audit line naming the
record is written afterwards (by the outermost service only, so a refusal inside a nested
service is written once). Bad form input (a missing reason, a date in the future) is a plain
``ValidationError`` and is not audited. Locks: see ``projects.locks`` for the rows and their
order.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from core import audit
from projects import permissions
from projects.models import ZERO
from projects.workflow import APPLICANT, MANAGER, REVIEWER, Transition

CENT = Decimal("0.01")


class Refused(ValidationError):
    """A step the rules refuse now (a transition not in the table, an envelope exceeded, a
    decision before the call closes...): shown like any ``ValidationError``, and audited."""


_depth: ContextVar[int] = ContextVar("projects_service_depth", default=0)


def service(target: str | None = None):
    """Run a write service in one transaction and audit its refusals (see the module doc).
    ``target`` names the keyword argument holding the record the service acts on."""

    def decorate(func):
        atomic = transaction.atomic(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            token = _depth.set(_depth.get() + 1)
            try:
                return atomic(*args, **kwargs)
            except (PermissionDenied, Refused):
                if _depth.get() == 1:
                    audit_refusal(
                        actor=kwargs.get("actor"),
                        obj=kwargs.get(target) if target else None,
                        object_type=f"projects.{func.__name__}",
                    )
                raise
            finally:
                _depth.reset(token)

        return wrapper

    return decorate


def audit_refusal(*, actor, obj=None, object_type: str = "") -> None:
    """One ``forbidden`` line, outside the rolled-back transaction of the refused service."""
    if obj is not None:
        audit.record(actor=actor, action=audit.Action.FORBIDDEN, obj=obj)
    else:
        audit.record(actor=actor, action=audit.Action.FORBIDDEN, object_type=object_type)


def audit_write(*, actor, obj, action: str = audit.Action.UPDATE) -> None:
    audit.record(actor=actor, action=action, obj=obj)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def fmt(value) -> str:
    """An amount as the active language writes it (e.g. 1 500 000,00), for messages."""
    return number_format(_money(value), 2, force_grouping=True)


def _require_manager(actor) -> None:
    if not permissions.manages_programme(actor):
        raise PermissionDenied


def _sum(queryset, field: str) -> Decimal:
    """A total computed by the database (0.00 when there is nothing to add)."""
    return queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"]


def check_role(allowed: str, actor, *, organisation_id=None, reviewer_id=None) -> None:
    """The role a transition's table names: managers, the record's own organisation's staff,
    or the reviewer the review is assigned to."""
    if allowed == MANAGER and permissions.manages_programme(actor):
        return
    if (
        allowed == APPLICANT
        and organisation_id is not None
        and permissions.writes_proposals(actor)
        and actor.organisation_id == organisation_id
    ):
        return
    if (
        allowed == REVIEWER
        and reviewer_id is not None
        and permissions.is_reviewer(actor)
        and actor.pk == reviewer_id
    ):
        return
    raise PermissionDenied


def apply_transition(
    table: dict, obj, action: str, *, actor, refusal: str, organisation_id=None, reviewer_id=None
) -> tuple[str, Transition]:
    """Look ``(obj.status, action)`` up in ``table``, check the role, set the new status on the
    (locked) ``obj``; return the previous status and the step. The caller applies the step's
    rules, saves with ``update_fields``, writes its event row and audit line.

    ``refusal`` is the translated sentence for a step the table does not have; it may use
    ``%(status)s`` (the current status, in lower case)."""
    transition = table.get((obj.status, action))
    if transition is None:
        raise Refused(refusal % {"status": obj.get_status_display().lower()})
    check_role(transition.allowed, actor, organisation_id=organisation_id, reviewer_id=reviewer_id)
    previous = obj.status
    obj.status = transition.target
    return previous, transition
