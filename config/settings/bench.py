"""Settings for `make bench`: production-like (DEBUG off) on the local embedded servers."""

from config.settings.local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The site's URLs plus the load test's baseline view (config/urls_bench.py).
ROOT_URLCONF = "config.urls_bench"
