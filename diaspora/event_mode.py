"""The event mode of the public registration form (a fair on one Wi-Fi): switched on by a
diaspora officer with a higher limit, a reason and an end time, switched off by that time or by
an officer. Each change is one row (who, when, why) and one audit line; the limit is bounded
by ``DIASPORA_EVENT_MODE_MAX_LIMIT`` and the duration by ``DIASPORA_EVENT_MODE_MAX_HOURS``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from diaspora.models import RegistrationEventMode
from diaspora.permissions import can_validate_members


def can_switch_event_mode(user) -> bool:
    """Those who validate public registrations: diaspora officers and admins."""
    return can_validate_members(user)


def bounds() -> tuple[int, int, int]:
    """(normal limit, highest event limit, longest duration in hours)."""
    return (
        settings.DIASPORA_REGISTRATION_LIMIT,
        settings.DIASPORA_EVENT_MODE_MAX_LIMIT,
        settings.DIASPORA_EVENT_MODE_MAX_HOURS,
    )


@transaction.atomic
def event_mode_start(*, actor, limit: int, ends_at: datetime.datetime, reason: str):
    """Switch the event mode on from now until ``ends_at``; one already on is switched off
    (replaced by this one)."""
    if not can_switch_event_mode(actor):
        raise PermissionDenied
    normal, highest, hours = bounds()
    now = timezone.now()
    errors = {}
    if not normal < limit <= highest:
        errors["limit"] = _(
            "Choose a limit above the usual %(normal)d and at most %(highest)d."
        ) % {"normal": normal, "highest": highest}
    if ends_at <= now:
        errors["ends_at"] = _("The end time must be in the future.")
    elif ends_at > now + datetime.timedelta(hours=hours):
        errors["ends_at"] = _("The event mode lasts %(hours)d hours at most.") % {"hours": hours}
    if not reason.strip():
        errors["reason"] = _("Say why (the fair, its place), for the audit trail.")
    if errors:
        raise ValidationError(errors)
    for running in RegistrationEventMode.objects.select_for_update().active_at(now):
        _end(running, actor=actor, moment=now)
    mode = RegistrationEventMode.objects.create(
        limit=limit, reason=reason.strip(), starts_at=now, ends_at=ends_at, started_by=actor
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=mode)
    return mode


def _end(mode, *, actor, moment) -> None:
    mode.ended_at = moment
    mode.ended_by = actor
    mode.save(update_fields=["ended_at", "ended_by", "updated_at"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=mode)


@transaction.atomic
def event_mode_stop(*, actor) -> int:
    """Switch off the event mode in force now; returns how many were (0 or 1)."""
    if not can_switch_event_mode(actor):
        raise PermissionDenied
    now = timezone.now()
    running = list(RegistrationEventMode.objects.select_for_update().active_at(now))
    for mode in running:
        _end(mode, actor=actor, moment=now)
    return len(running)
