#!/bin/sh
# Create or upgrade the schema and load the bundled seed into an empty database, then run the
# command (the dashboard by default, `python -m ingest schedule` for the nightly refresh).
# Both steps are idempotent, so the dashboard and scheduler containers can start together.
set -eu
if [ "${SLM_SKIP_INIT:-0}" != "1" ]; then
    python -m ingest init
    python -m ingest seed --if-empty --no-progress
fi
exec "$@"
