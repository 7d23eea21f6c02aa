"""Settings for pytest: real PostgreSQL and Redis (started by scripts/devstack.py), fast hashing."""

from config.env import env_str
from config.settings.base import *  # noqa: F403

SECRET_KEY = "tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "tawjih-test"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Two test runs on one PostgreSQL server (e.g. two developers' checkouts) need two test databases.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}  # noqa: F405
