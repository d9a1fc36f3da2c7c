#!/bin/sh
# Create or upgrade the schema and load the bundled seed into an empty database, then run the
# command (the dashboard by default, or `slm-tracker ingest schedule` for the nightly refresh).
# The seed ships inside the installed package, so the data volume never hides or freezes it.
# The steps are idempotent and run under a lock, so the dashboard and scheduler containers can
# start together on one volume.
set -eu
APP_DIR="${APP_DIR:-/app}"
DATA_DIR="$APP_DIR/data"

prepare() {
    if [ "${SLM_SKIP_INIT:-0}" != "1" ]; then
        slm-tracker ingest init
        slm-tracker ingest seed --if-empty --no-progress
    fi
}

mkdir -p "$DATA_DIR"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA_DIR/.entrypoint.lock"
    flock 9
    prepare
    flock -u 9
    exec 9>&-
else
    prepare
fi
exec "$@"
