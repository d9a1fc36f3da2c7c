# SLM Tracker: one image for the dashboard (default) and the nightly ingest (`slm-tracker ingest schedule`).
#   docker build -t slm-tracker .
#   docker run -p 8501:8501 -v slm-data:/app/data slm-tracker
#   docker run -v slm-data:/app/data slm-tracker slm-tracker ingest schedule
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    HF_HOME=/app/data/cache/huggingface \
    SLM_CACHE_DIR=/app/data/cache \
    INGEST_LOCK=/app/data/ingest.lock \
    APP_DIR=/app \
    PORT=8501

# The data volume is /app/data: an installed SLM Tracker keeps its database, cache and lock in
# data/ under the current directory.
WORKDIR /app

# Runtime dependencies only, pinned (requirements-dev.txt is for tests and never installed here).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The package itself (pyproject.toml): db, ingest, dashboard and the slm-tracker command, with
# the migrations, the theme, the Streamlit config and the bundled data (data/seed, data/aliases)
# as package data. The sources are removed once installed.
COPY pyproject.toml README.md LICENSE /tmp/slm-src/
COPY db /tmp/slm-src/db
COPY ingest /tmp/slm-src/ingest
COPY dashboard /tmp/slm-src/dashboard
COPY slm_tracker /tmp/slm-src/slm_tracker
COPY data /tmp/slm-src/data
RUN pip install --no-cache-dir --no-deps /tmp/slm-src && rm -rf /tmp/slm-src

# A non-root user owns the data directory (SQLite file, Hub cache, lock).
RUN groupadd --system --gid 10001 slm \
    && useradd --system --uid 10001 --gid slm --home-dir /app --shell /usr/sbin/nologin slm

COPY docker/entrypoint.sh /usr/local/bin/slm-entrypoint
RUN chmod 0755 /usr/local/bin/slm-entrypoint && mkdir -p /app/data/cache && chown -R slm:slm /app

USER slm

VOLUME ["/app/data"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8501') + '/_stcore/health', timeout=4).status == 200 else 1)"

ENTRYPOINT ["slm-entrypoint"]
CMD ["slm-tracker", "dashboard", "--address", "0.0.0.0"]
