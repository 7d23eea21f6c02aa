"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    env_database,
    env_email,
    env_int,
    env_list,
    env_redis,
    env_str,
    redis_database_url,
)
from config.settings.celery import *  # noqa: F403

DEBUG = False
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "django_htmx",
    "csp",
    "django_celery_beat",
    "django_countries",
    # Two-factor authentication: TOTP apps and one-time backup codes (accounts/mfa.py). Listed
    # before accounts, whose admin module unregisters their device admins (secrets stay private).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "baom",
    "referrals",
    "projects",
    "diaspora",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    # request.user.is_verified(): this session passed the second factor (django-otp); then the
    # one place that keeps MFA_REQUIRED_ROLES on the enrolment or code page until they do.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "core.middleware.AuditRequestMiddleware",
    "core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming read replica for statistics (core.db): report builds, statistics pages and exports
# read from it; every write stays on the primary.
_REPLICA = env_database("DATABASE_REPLICA_URL", "")
if _REPLICA:
    DATABASES["replica"] = _REPLICA
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]

REDIS_URL = env_redis("REDIS_URL")
# The cache gets its own Redis database (by default the broker's number + 1), so that clearing
# the cache never drops queued Celery tasks.
REDIS_CACHE_URL = env_redis("REDIS_CACHE_URL", redis_database_url(REDIS_URL, offset=1))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": "tawjih",
        "TIMEOUT": 300,
    }
}
CELERY_BROKER_URL = REDIS_URL

# --- Users and sign-in ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Lock out a username from one address after repeated failures, so that an attacker who
# tries every agent's address cannot lock a whole bureau out (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the email address as "username" (Django's AuthenticationForm); axes
# would otherwise look for USERNAME_FIELD ("email") and lock on an empty username.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# The client's address: X-Forwarded-For is believed only when the request comes from one of the
# TRUSTED_PROXIES (addresses or networks of the reverse proxies, comma-separated); read from the
# right, the first address that is not a trusted proxy is the client (accounts/client_ip.py).
# Without proxies, REMOTE_ADDR. A client reaching gunicorn directly cannot forge its address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# Password spraying: failed sign-ins from one address, across accounts, within the cool-off time
# (accounts/throttle.py); a bureau behind one address gets 4 times the per-account limit.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int(
    "LOGIN_ADDRESS_FAILURE_LIMIT", 4 * AXES_FAILURE_LIMIT, minimum=1
)
# Password-reset requests per address and per account within the window (no email above).
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10, minimum=1)
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3, minimum=1)
PASSWORD_RESET_WINDOW = env_int("PASSWORD_RESET_WINDOW", 3600, minimum=60)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# A wrong two-factor code counts as a failed sign-in too (accounts.views.mfa_verify); the code
# typed is masked like the password in django-axes' records.
AXES_SENSITIVE_PARAMETERS = ["otp_token"]

# Two-factor authentication (TOTP with django-otp, accounts/mfa.py). Users of these roles must
# enrol an authenticator app at their first sign-in and give a code at every sign-in; everyone
# else may turn it on in "My account". Production refuses a list without programme_manager and
# admin (config/settings/production.py); local development leaves it empty by default.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "programme_manager,admin")
OTP_TOTP_ISSUER = "Tawjih"
# Wrong codes lock the device for 1, 2, 4, 8... seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
SESSION_COOKIE_HTTPONLY = True
# Signed out after this many minutes without a request, and this many hours after signing in
# (core.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 10, minimum=1)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Content Security Policy (django-csp 4): our own files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Languages --------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
# locale_overrides/: third-party msgids our users see that a library leaves untranslated or
# writes badly ("Ajout de utilisateur"); kept out of locale/, which `make messages` rewrites.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
# Day-first dates, date-times and grouped amounts in fr, ar and en (core/formats/, docs/i18n.md).
FORMAT_MODULE_PATH = ["core.formats"]
LANGUAGE_COOKIE_NAME = "tawjih_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------------------
# Bootstrap, bootstrap-icons, htmx and Chart.js are npm packages installed by `make assets`
# (package-lock.json pins them); they are served from here, never from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    # Date picker in the page's language and a keyboard-friendly multi-select (core/widgets.py).
    ("vendor/flatpickr", NODE_MODULES / "flatpickr" / "dist"),
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# Documents about people (baom.PersonDocument): no URL serves this directory, only a view.
PRIVATE_MEDIA_ROOT = env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))
DOCUMENT_MAX_BYTES = 8 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Documents about people: PRIVATE_MEDIA_ROOT here, a private bucket prefix in production
    # when S3_BUCKET is set (config/settings/production.py).
    "private": {"BACKEND": "baom.models_casefile.PrivateStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Forms, imports ---------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Exports escape formulas themselves (core.spreadsheets: an apostrophe before =, +, -, @, tab
# and CR); the library's setting would strip one leading "=" and leave the rest.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# --- Mail -------------------------------------------------------------------------------
_email = env_email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tawjih <no-reply@tawjih.ma>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Module tuning ----------------------------------------------------------------------
# Days a receiving organisation keeps reading a person's shared details after the referral is
# completed (never after a decline or cancellation).
REFERRALS_ACCESS_DAYS = env_int("REFERRALS_ACCESS_DAYS", 30, minimum=0)
# Public diaspora registration form: at most this many submissions per address per window.
DIASPORA_REGISTRATION_LIMIT = env_int("DIASPORA_REGISTRATION_LIMIT", 5, minimum=1)
DIASPORA_REGISTRATION_WINDOW = env_int("DIASPORA_REGISTRATION_WINDOW", 3600, minimum=60)

# --- Retention (law 09-08: kept no longer than the purpose needs; baom.services, nightly) --
# Closed cases are anonymised this many years after closing; open cases with no visit, kit,
# referral or edit for this many years too. Anonymous head counts and the audit trail (no
# personal value) are kept.
RETENTION_CLOSED_CASE_YEARS = env_int("RETENTION_CLOSED_CASE_YEARS", 5, minimum=1)
RETENTION_INACTIVE_CASE_YEARS = env_int("RETENTION_INACTIVE_CASE_YEARS", 5, minimum=1)

# --- Security headers common to every environment ---------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# One line per refused request (no traceback), and Django's records printed once: without the
# "django" entry, Django's own console handler (DEBUG) and the root handler both print them.
LOGGING["filters"] = {"refusals_one_line": {"()": "core.logs.RefusalsOneLine"}}
LOGGING["handlers"]["console"]["filters"] = ["refusals_one_line"]
LOGGING["loggers"]["django"] = {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}

# Statistics: the secret of the record keys of the cell key method (reports/cellkey.py). Empty:
# derived from SECRET_KEY. Changing it changes the noise of every figure, so that reports made
# before and after could be compared: set it once, keep it, never rotate it with SECRET_KEY.
REPORTS_RECORD_KEY_SECRET = env_str("REPORTS_RECORD_KEY_SECRET", "")
# The Celery queue report builds go to (None: the default queue). A deployment may give report
# builds their own workers (``celery worker -Q reports``); make loadtest uses it to run two stacks.
REPORTS_TASK_QUEUE = env_str("REPORTS_TASK_QUEUE", "") or None

# --- Invitations and the public diaspora form (issue 16) ---------------------------------
# A new user's invitation link (accounts/invitations.py) works once and for this many hours.
INVITATION_VALID_HOURS = env_int("INVITATION_VALID_HOURS", 72, minimum=1)
# The public diaspora form (diaspora/ratelimit.py) counts *accepted* registrations per address
# and per email address over DIASPORA_REGISTRATION_WINDOW; DIASPORA_REGISTRATION_LIMIT (above)
# per address, this per email. An officer's "event mode" (a fair on one Wi-Fi) raises the
# per-address limit up to DIASPORA_EVENT_MODE_MAX_LIMIT, for DIASPORA_EVENT_MODE_MAX_HOURS at
# most. Every submission, failed or not, stays under ATTEMPT_FACTOR times the current limit, so
# a robot sending invalid forms is still cut off.
DIASPORA_REGISTRATION_EMAIL_LIMIT = env_int("DIASPORA_REGISTRATION_EMAIL_LIMIT", 3, minimum=1)
DIASPORA_EVENT_MODE_MAX_LIMIT = env_int("DIASPORA_EVENT_MODE_MAX_LIMIT", 300, minimum=1)
DIASPORA_EVENT_MODE_MAX_HOURS = env_int("DIASPORA_EVENT_MODE_MAX_HOURS", 14, minimum=1)
DIASPORA_REGISTRATION_ATTEMPT_FACTOR = env_int(
    "DIASPORA_REGISTRATION_ATTEMPT_FACTOR", 10, minimum=1
)
