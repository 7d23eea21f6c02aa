"""The fault tests' worker settings, with emails written to files in a directory the test
reads (TAWJIH_TEST_EMAIL_DIR), so the test counts the emails a real worker sent."""

import os

from tests.security.worker_settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["TAWJIH_TEST_EMAIL_DIR"]
