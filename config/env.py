"""Environment variables, read once through django-environ.

Every getter here stops the process with an ``ImproperlyConfigured`` error that names the
variable when it is missing (and has no default) or malformed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_NOTSET = environ.Env.NOTSET
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default):
    value = env.str(name, default=default)
    if value is _NOTSET:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_str(name: str, default=_NOTSET) -> str:
    return _raw(name, default)


def env_bool(name: str, default=_NOTSET) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default=_NOTSET, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default=_NOTSET) -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list | tuple):
        return list(value)
    return [item.strip() for item in str(value).split(",") if item.strip()]


def env_database(name: str = "DATABASE_URL", default=_NOTSET) -> dict | None:
    """A PostgreSQL URL as Django's settings dict; with a default (e.g. ""), an empty or
    missing variable gives None (an optional database such as the read replica)."""
    url = _raw(name, default)
    if default is not _NOTSET and not url:
        return None
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a PostgreSQL URL (postgres://user:password@host:port/name); "
            "PostgreSQL is the only database Tawjih runs on."
        )
    try:
        config = environ.Env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database (…/dbname).")
    # libpq writes a Unix socket directory as a percent-encoded host (postgres://u@%2Fvar%2Frun/db).
    if "%2F" in config.get("HOST", "").upper():
        config["HOST"] = unquote(config["HOST"])
    return config


def env_redis(name: str = "REDIS_URL", default=_NOTSET) -> str:
    url = _raw(name, default)
    if not url.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL, not {url!r}.")
    return url


def redis_database_url(url: str, *, offset: int) -> str:
    """The same Redis server, database number shifted: redis://h:6379/0 -> redis://h:6379/1."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    number = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{number + offset}"))


def env_email(name: str = "EMAIL_URL", default: str = "consolemail://") -> dict:
    url = _raw(name, default)
    try:
        return environ.Env.email_url_config(url)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None
