"""How django-axes names the account being tried, so that case variants of one email address
count as one account (login is case-insensitive, so the lockout must be too)."""

from __future__ import annotations


def lockout_username(request, credentials: dict | None) -> str:
    if credentials and credentials.get("username"):
        value = credentials["username"]
    else:
        value = request.POST.get("username", "") if request is not None else ""
    return str(value).strip().lower()
