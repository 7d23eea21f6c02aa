#!/bin/sh
# Tawjih's container entrypoint. The first argument chooses the role:
#
#   web     apply migrations, load the reference data, then serve with gunicorn on :8000
#   worker  a Celery worker
#   beat    Celery beat, its schedule kept in the database (django-celery-beat)
#   other   run as given: `docker compose run --rm web python manage.py createsuperuser`
#
# Arguments after the role go to gunicorn or celery (`web --timeout 60`).
#
# Environment (besides the settings in .env.example):
#   GUNICORN_WORKERS     gunicorn worker processes (default 3)
#   FORWARDED_ALLOW_IPS  addresses whose X-Forwarded-* headers gunicorn trusts (default "*").
#                        "*" is safe only when nothing but the reverse proxy can reach port
#                        8000, as in docker-compose.yml (published on 127.0.0.1 by default).
#                        Otherwise set the proxy's address. Django trusts X-Forwarded-Proto
#                        itself too (SECURE_PROXY_SSL_HEADER), so the same rule holds anyway.
#
# Only `web` migrates: run one web container per database while migrating, or run the
# migrations as a separate step before scaling it out.
set -eu

role="${1:-web}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$role" in
    web)
        # Migrations and the grants run as the owner; the site then connects as the
        # application role (DATABASE_URL), which owns nothing.
        owner="${DATABASE_OWNER_URL:-$DATABASE_URL}"
        DATABASE_URL="$owner" python manage.py migrate --noinput
        DATABASE_URL="$owner" python manage.py load_reference_data
        if [ -n "${DATABASE_OWNER_URL:-}" ]; then
            DATABASE_URL="$owner" DATABASE_APP_PASSWORD="${DATABASE_APP_PASSWORD:-}" \
                python manage.py db_app_role --role "${DATABASE_APP_ROLE:-tawjih_app}"
        fi
        exec gunicorn config.wsgi:application \
            --config python:config.gunicorn \
            --bind 0.0.0.0:8000 \
            --workers "${GUNICORN_WORKERS:-3}" \
            --access-logfile - \
            --error-logfile - \
            --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
            --worker-tmp-dir /dev/shm \
            "$@"
        ;;
    worker)
        # The default queue, and the report queue when REPORTS_TASK_QUEUE names one.
        exec celery -A config worker --loglevel=INFO \
            --queues "celery${REPORTS_TASK_QUEUE:+,$REPORTS_TASK_QUEUE}" "$@"
        ;;
    beat)
        exec celery -A config beat --loglevel=INFO \
            --scheduler django_celery_beat.schedulers:DatabaseScheduler "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
