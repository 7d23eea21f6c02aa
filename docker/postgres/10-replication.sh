#!/bin/sh
# Runs once, when the primary's data directory is created (/docker-entrypoint-initdb.d):
# a role that may only stream the write-ahead log, and the line that lets it connect for
# replication. An existing primary needs the same two steps by hand (docs/scaling.md).
set -eu
if [ -n "${POSTGRES_REPLICATION_PASSWORD:-}" ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        --set password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
    echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
