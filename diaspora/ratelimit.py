"""A per-address counter in the cache (Redis) for the public registration form.

Every POST from an address counts, valid or not, so a flood is cut off whatever it sends.
The limit and window can be tuned in settings (``DIASPORA_REGISTRATION_LIMIT``,
``DIASPORA_REGISTRATION_WINDOW`` in seconds) without a code change.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = 5
DEFAULT_WINDOW = 60 * 60


def client_address(request) -> str:
    """The client's address as django-axes sees it (honours TRUSTED_PROXIES)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def registration_attempt(request) -> bool:
    """Count one attempt from this address; False once the limit is passed."""
    limit = getattr(settings, "DIASPORA_REGISTRATION_LIMIT", DEFAULT_LIMIT)
    window = getattr(settings, "DIASPORA_REGISTRATION_WINDOW", DEFAULT_WINDOW)
    key = f"diaspora:registration:{client_address(request)}"
    cache.add(key, 0, window)  # starts the window on the first attempt only
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit
