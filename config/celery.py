"""The Celery application. Tasks live in each app's tasks.py and take ids, never instances."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tawjih")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
