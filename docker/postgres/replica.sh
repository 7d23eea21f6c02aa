#!/bin/sh
# The read replica (compose profile "replica"): the first start copies the primary with
# pg_basebackup -R (a standby that follows the primary's write-ahead log); every start then
# runs PostgreSQL as a hot standby, read-only. Statistics read from it (DATABASE_REPLICA_URL).
set -eu
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h postgres -U replicator -q; do sleep 2; done
    PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" pg_basebackup \
        -h postgres -U replicator -D "$PGDATA" -R -X stream -c fast -P
    chmod 0700 "$PGDATA"
fi
exec postgres -D "$PGDATA" -c hot_standby=on
