"""Limits on sign-in and password-reset attempts that django-axes does not cover (issue 18).

- **Password spraying**: django-axes locks a username *from one address*; an attacker trying a
  few passwords on many accounts from one address stays under it. Every failed sign-in also
  counts for its address, across accounts: at ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures within
  the cool-off time the address may not sign in at all (a bureau's shared address gets several
  times the per-account limit before that).
- **Password reset**: requests are counted per address and per account; above the limits no
  email is sent, and the answer is the same page as always (nobody learns whether an account
  exists or was limited).

Counters live in the cache (Redis), keyed by a hash of the address or the email.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"tawjih:throttle:{kind}:{digest}"


def hit(kind: str, value: str, window_seconds: int) -> int:
    """Count one event; the count starts when the first one happens and lasts the window."""
    key = _key(kind, value)
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def count(kind: str, value: str) -> int:
    return cache.get(_key(kind, value), 0)


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def login_failed(ip: str | None) -> None:
    if ip:
        hit("login-address", ip, cooloff_seconds())


def count_failed_login(sender, credentials, request=None, **kwargs) -> None:
    """``user_login_failed`` receiver: one more failure for the client's address, whatever
    the account (connected in AccountsConfig.ready)."""
    from core.audit import client_ip

    login_failed(client_ip(request))


def address_locked(ip: str | None) -> bool:
    return bool(ip) and count("login-address", ip) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def reset_allowed(ip: str | None, email: str) -> bool:
    """Count a password-reset request; False when the address or the account is over its
    limit within PASSWORD_RESET_WINDOW seconds."""
    window = settings.PASSWORD_RESET_WINDOW
    by_address = hit("reset-address", ip or "", window)
    by_account = hit("reset-account", email, window)
    return (
        by_address <= settings.PASSWORD_RESET_ADDRESS_LIMIT
        and by_account <= settings.PASSWORD_RESET_ACCOUNT_LIMIT
    )
