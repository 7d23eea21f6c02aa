"""Limits of the public registration form, in the cache (Redis).

What counts is an **accepted** registration: one per address and one per email address, within
``DIASPORA_REGISTRATION_WINDOW`` seconds (a fixed window from the first one). A form sent back
with errors, a duplicate or a refused consent does not count, so a family at a fair that
mistypes a phone number five times can still register. The count is reserved *before* the
registration is saved (``reserve``: an atomic ``INCR``, so two submissions at the same moment
cannot both take the last place) and given back if the save fails (``release``).

- per address: ``DIASPORA_REGISTRATION_LIMIT`` (5), or the limit of the event mode an officer
  switched on for a fair (``RegistrationEventMode``: at most ``DIASPORA_EVENT_MODE_MAX_LIMIT``,
  until its end time);
- per email address: ``DIASPORA_REGISTRATION_EMAIL_LIMIT`` (3);
- every submission, valid or not, from an address: ``DIASPORA_REGISTRATION_ATTEMPT_FACTOR``
  (10) times the current per-address limit, so a robot posting invalid forms is still cut off.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

DEFAULT_LIMIT = 5
DEFAULT_WINDOW = 60 * 60
PREFIX = "diaspora:registration"


def client_address(request) -> str:
    """The client's address as django-axes sees it (honours TRUSTED_PROXIES)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _window() -> int:
    return getattr(settings, "DIASPORA_REGISTRATION_WINDOW", DEFAULT_WINDOW)


def active_event_mode(moment=None):
    """The event mode in force now (the latest switched on, if several), or None."""
    from diaspora.models import RegistrationEventMode

    return (
        RegistrationEventMode.objects.active_at(moment or timezone.now())
        .order_by("-starts_at")
        .first()
    )


def address_limit(moment=None) -> int:
    """Accepted registrations allowed per address and window, now."""
    mode = active_event_mode(moment)
    default = getattr(settings, "DIASPORA_REGISTRATION_LIMIT", DEFAULT_LIMIT)
    return max(mode.limit, default) if mode else default


def _incr(key: str) -> int:
    cache.add(key, 0, _window())  # starts the window on the first count only
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _window())
        return 1


def _decr(key: str) -> None:
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(key)


def _address_key(kind: str, address: str) -> str:
    return f"{PREFIX}:{kind}:{address}"


def _email_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"{PREFIX}:email:{digest}"


def attempt_allowed(request) -> bool:
    """Count one submission from this address (any); False above the flood ceiling."""
    factor = getattr(settings, "DIASPORA_REGISTRATION_ATTEMPT_FACTOR", 10)
    return _incr(_address_key("attempts", client_address(request))) <= factor * address_limit()


@dataclass
class Reservation:
    keys: list[str] = field(default_factory=list)


class LimitReached(Exception):
    """``kind`` is "address" or "email"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def reserve(request, *, email: str = "") -> Reservation:
    """Take one place for an accepted registration from this address (and email address);
    raises ``LimitReached`` (nothing taken) when one of them is full."""
    reservation = Reservation()
    key = _address_key("accepted", client_address(request))
    if _incr(key) > address_limit():
        _decr(key)
        raise LimitReached("address")
    reservation.keys.append(key)
    if email:
        key = _email_key(email)
        limit = getattr(settings, "DIASPORA_REGISTRATION_EMAIL_LIMIT", 3)
        if _incr(key) > limit:
            _decr(key)
            release(reservation)
            raise LimitReached("email")
        reservation.keys.append(key)
    return reservation


def release(reservation: Reservation) -> None:
    """Give the places back: the registration was not saved."""
    for key in reservation.keys:
        _decr(key)
    reservation.keys.clear()
