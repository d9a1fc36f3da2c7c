#!/bin/sh
# Refresh the bundled seed into the data volume, create or upgrade the schema and load the seed
# into an empty database, then run the command (the dashboard by default, or
# `python -m ingest schedule` for the nightly refresh). The steps are idempotent and run under
# a lock, so the dashboard and scheduler containers can start together on one volume.
set -eu
APP_DIR="${APP_DIR:-/app}"
DATA_DIR="$APP_DIR/data"

prepare() {
    if [ -d "$APP_DIR/seed" ]; then
        # The image's seed, not a stale copy an older image left in the volume.
        rm -rf "$DATA_DIR/seed.new"
        cp -R "$APP_DIR/seed" "$DATA_DIR/seed.new"
        rm -rf "$DATA_DIR/seed"
        mv "$DATA_DIR/seed.new" "$DATA_DIR/seed"
    fi
    if [ "${SLM_SKIP_INIT:-0}" != "1" ]; then
        python -m ingest init
        python -m ingest seed --if-empty --no-progress
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
