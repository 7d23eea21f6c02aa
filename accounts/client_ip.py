"""The client's address, believing X-Forwarded-For only from the configured proxies.

``TRUSTED_PROXIES`` lists the reverse proxies' addresses or networks. When the request comes
from one of them (REMOTE_ADDR), the address is read from X-Forwarded-For from the right,
skipping trusted proxies: the first untrusted address is the client. From anywhere else (a
client reaching gunicorn directly), the header is ignored and REMOTE_ADDR is the client, so a
forged header cannot change whose failures are counted (issue 18 #5). django-axes and the
audit trail both read it (AXES_CLIENT_IP_CALLABLE).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec if item)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if remote is None or not networks or not _trusted(remote, networks):
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # garbage from the client: count it against the proxy hop
    return remote
