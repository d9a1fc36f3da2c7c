#!/bin/sh
# postgres image, first start only (/docker-entrypoint-initdb.d): the dashboard's read-only role.
set -eu
psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v reader_password="${SLM_READER_PASSWORD:?set SLM_READER_PASSWORD}" \
    -f /docker-entrypoint-initdb.d/readonly-role.sql.in
