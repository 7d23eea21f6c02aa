"""Configuration: a missing or malformed variable stops the start and names the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import env as config_env

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "tests-production-Zq8v3Lk2Wm9Rt4Yp7Xc1Bn6Hd5Gf0Js-not-used-anywhere",
    "DATABASE_URL": "postgres://tawjih:secret@db.internal:5432/tawjih",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "tawjih.example.org",
    "SITE_URL": "https://tawjih.example.org",
}


def start(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Start `manage.py` in a clean environment (no .env file is read in CI)."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "XDG_RUNTIME_DIR"}}
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=settings.BASE_DIR, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = start({k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr
    assert "Set the" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("DATABASE_URL", "sqlite:///db.sqlite3", "PostgreSQL"),
        ("REDIS_URL", "localhost:6379", "redis://"),
        ("SECRET_KEY", "short", "50"),
        ("DB_CONN_MAX_AGE", "soon", "whole number"),
        ("SECURE_SSL_REDIRECT", "maybe", "true or false"),
    ],
)
def test_a_malformed_variable_is_named(name, value, words):
    result = start({**PRODUCTION, name: value})
    assert result.returncode != 0
    assert name in result.stderr and words in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = start(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_env_getters(monkeypatch):
    monkeypatch.setenv("TAWJIH_T_LIST", " a, b ,,c ")
    monkeypatch.setenv("TAWJIH_T_INT", "7")
    monkeypatch.setenv("TAWJIH_T_DB", "postgres://u@%2Fvar%2Frun%2Fpg/tawjih")
    assert config_env.env_list("TAWJIH_T_LIST") == ["a", "b", "c"]
    assert config_env.env_int("TAWJIH_T_INT", minimum=1) == 7
    assert config_env.env_database("TAWJIH_T_DB")["HOST"] == "/var/run/pg"
    with pytest.raises(ImproperlyConfigured, match="TAWJIH_T_INT must be at least 10"):
        config_env.env_int("TAWJIH_T_INT", minimum=10)
    with pytest.raises(ImproperlyConfigured, match="Set the TAWJIH_T_ABSENT"):
        config_env.env_str("TAWJIH_T_ABSENT")


def test_cache_and_broker_use_separate_redis_databases():
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] != settings.REDIS_URL
    assert config_env.redis_database_url("redis://h:6379/0", offset=1) == "redis://h:6379/1"
    assert config_env.redis_database_url("redis://:pw@h:6379", offset=1) == "redis://:pw@h:6379/1"


def test_uploaded_files_go_to_a_private_bucket_when_one_is_named():
    """Several web nodes share no disk: with S3_BUCKET, both the public media and the documents
    about people go to object storage, private, under two prefixes."""
    probe = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.STORAGES['private']['BACKEND'], "
        "s.STORAGES['private'].get('OPTIONS', {}).get('location'), "
        "s.STORAGES['private'].get('OPTIONS', {}).get('default_acl'))"
    )
    s3 = {"S3_BUCKET": "tawjih-files", "S3_ENDPOINT_URL": "https://s3.example.org",
          "S3_ACCESS_KEY_ID": "key", "S3_SECRET_ACCESS_KEY": "secret"}  # fmt: skip
    with_bucket = start({**PRODUCTION, **s3}, "shell", "-v", "0", "-c", probe)
    assert with_bucket.returncode == 0, with_bucket.stderr
    assert with_bucket.stdout.split() == [
        "storages.backends.s3.S3Storage", "storages.backends.s3.S3Storage", "private", "private",
    ]  # fmt: skip
    without = start(PRODUCTION, "shell", "-v", "0", "-c", probe)
    assert without.stdout.split()[:2] == [
        "django.core.files.storage.FileSystemStorage", "baom.models_casefile.PrivateStorage",
    ]  # fmt: skip
