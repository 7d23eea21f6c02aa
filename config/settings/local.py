"""Developer settings: `make run` uses these (DJANGO_SETTINGS_MODULE=config.settings.local)."""

import secrets

from config.env import BASE_DIR, env_bool, env_list, env_str
from config.settings.base import *  # noqa: F403


def _local_secret_key() -> str:
    """A random key kept in var/ for this checkout: no default key is ever shipped."""
    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "") or _local_secret_key()
# Two-factor authentication is not required on a developer's machine (synthetic demo data, demo
# logins shared by everyone): MFA_REQUIRED_ROLES=programme_manager,admin turns it on to try it.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "")
