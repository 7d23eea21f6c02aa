# syntax=docker/dockerfile:1
#
# Tawjih's production image. One image, three roles chosen by the first argument of
# docker/entrypoint.sh: `web` (default: migrate, reference data, gunicorn on :8000),
# `worker` (Celery) and `beat` (Celery beat). docker-compose.yml runs all three.
#
#   docker build -t tawjih .
#
# Nothing secret is baked in: every setting comes from the environment at run time
# (see .env.example). The build-time values below serve collectstatic only.

# --- 1. Front-end packages: Bootstrap, bootstrap-icons, htmx, Chart.js -------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error

# --- 2. Python packages and compiled translations -----------------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
# The dependencies first, read from pyproject.toml alone, so that a code change does not
# reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt
COPY . .
# The project itself (no dev extras). The runtime imports the code from /app (PYTHONPATH),
# where the templates and data files that the wheel does not carry live too.
RUN /opt/venv/bin/pip install . \
    && rm -rf build ./*.egg-info
# Babel is only a dev extra: install it into the base interpreter of this stage, not into
# /opt/venv, so that it stays out of the final image.
RUN pip install "babel>=2.14" \
    && pybabel compile -d locale -D django --statistics \
    && pybabel compile -d locale_overrides -D django

# --- 3. The runtime image --------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    PRIVATE_MEDIA_ROOT=/app/media/private
RUN groupadd --system --gid 10001 tawjih \
    && useradd --system --uid 10001 --gid tawjih --create-home --home-dir /home/tawjih \
        --shell /usr/sbin/nologin tawjih
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src /app
COPY --from=assets /assets/node_modules /app/node_modules
# The deployment checks and collectstatic need the settings to load, so they get dummy
# values for the required variables here, on this line only (never as ENV): nothing
# connects to the database or Redis at build time.
RUN chmod 0755 /app/docker/entrypoint.sh \
    && SECRET_KEY=build-time-only-dummy-key-not-used-at-run-time-0123456789abcdefghij \
       DATABASE_URL=postgres://build@localhost/build \
       REDIS_URL=redis://localhost:6379/0 \
       ALLOWED_HOSTS=localhost \
       SITE_URL=http://localhost \
       sh -c 'python manage.py check --deploy --fail-level WARNING \
              && python manage.py collectstatic --noinput' \
    && mkdir -p /app/media \
    && chown tawjih:tawjih /app/media
VOLUME ["/app/media"]

USER 10001:10001
EXPOSE 8000
# For the web role. docker-compose.yml replaces it for the worker and beat, which serve no
# HTTP. The Host header is the first of ALLOWED_HOSTS, or Django would answer 400 to
# 127.0.0.1; /healthz is exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = h if h not in ('', '*') else 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
