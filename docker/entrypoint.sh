#!/bin/sh
# Create or upgrade the schema and load the bundled seed into an empty database, then run the
# command (the dashboard by default, or `slm-tracker ingest schedule` for the nightly refresh).
# The seed ships inside the installed package, so the data volume never hides or freezes it.
# The steps are idempotent and run under a lock, so the dashboard and scheduler containers can
# start together on one volume.
#
# SLM_DATA_DIR moves the data (SQLite file, Hub cache, lock) to another folder: a Hugging Face
# Space mounts its persistent storage at /data, and the entrypoint uses it by itself when it runs
# in a Space (SPACE_ID is set) and /data is writable. SLM_SCHEDULER=1 also starts the nightly
# refresh (`slm-tracker ingest schedule`) in the background beside the command, for platforms
# that run a single container; it is on by default in a Space.
set -eu
APP_DIR="${APP_DIR:-/app}"
if [ -z "${SLM_DATA_DIR:-}" ] && [ -n "${SPACE_ID:-}" ] && [ -d /data ] && [ -w /data ]; then
    SLM_DATA_DIR=/data
fi
if [ -n "${SLM_DATA_DIR:-}" ]; then
    DATA_DIR="$SLM_DATA_DIR"
    export DATABASE_URL="${DATABASE_URL:-sqlite:///$DATA_DIR/leaderboard.db}"
    export SLM_CACHE_DIR="$DATA_DIR/cache"
    export HF_HOME="$DATA_DIR/cache/huggingface"
    export INGEST_LOCK="$DATA_DIR/ingest.lock"
else
    DATA_DIR="$APP_DIR/data"
fi
if [ -n "${SPACE_ID:-}" ]; then
    SLM_SCHEDULER="${SLM_SCHEDULER:-1}"
fi

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
if [ "${SLM_SCHEDULER:-0}" = "1" ]; then
    # The nightly refresh beside the command (one container), both logging to the container's
    # output. This shell stays as PID 1 so that a stop (SIGTERM) reaches both: the scheduler then
    # ends a run in progress cleanly (recorded as failed, the data as it was). The ingest lock
    # keeps a second scheduler from running two refreshes at once.
    slm-tracker ingest schedule &
    sched=$!
    "$@" &
    main=$!
    trap 'kill -TERM "$main" "$sched" 2>/dev/null || true' TERM INT
    status=0
    wait "$main" || status=$?
    wait "$main" 2>/dev/null || true  # a trapped signal ends the first wait early
    kill -TERM "$sched" 2>/dev/null || true
    wait "$sched" 2>/dev/null || true
    exit "$status"
fi
exec "$@"
