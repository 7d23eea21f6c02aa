"""Settings for pytest: real PostgreSQL and Redis (started by scripts/devstack.py), fast hashing."""

from config.settings.base import *  # noqa: F403

SECRET_KEY = "tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "tawjih-test"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
