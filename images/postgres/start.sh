#!/bin/sh
# First start: a cluster with one password-protected role and database; then PostgreSQL.
set -eu
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  echo "sandlab-postgres: POSTGRES_PASSWORD is empty; set it (the hub's SANDLAB_DB_URL uses it)" >&2
  exit 2
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password_file=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
  initdb --username="$POSTGRES_USER" --pwfile="$password_file" --auth=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$password_file"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -w start -o "-c listen_addresses=''" >/dev/null
  PGPASSWORD="$POSTGRES_PASSWORD" psql -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" --dbname=postgres \
    -c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\"" >/dev/null
  pg_ctl -w stop >/dev/null
fi
exec postgres
