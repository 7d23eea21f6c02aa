"""Settings of the Celery workers that the fault tests start and kill: the test settings, with
a broker visibility timeout of seconds instead of hours, so a task held by a killed worker is
handed to the next worker during the test (production: CELERY_BROKER_TRANSPORT_OPTIONS)."""

from config.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
