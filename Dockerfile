# SLM Tracker: one image for the dashboard (default) and the nightly ingest (`slm-tracker ingest schedule`).
#   docker build -t slm-tracker .
#   docker run -p 8501:8501 -v slm-data:/app/data slm-tracker
#   docker run -v slm-data:/app/data slm-tracker slm-tracker ingest schedule
# It is also a Hugging Face Docker Space as it stands (README front matter: sdk docker, app_port
# 8501): the entrypoint keeps the data on the Space's persistent storage (/data) and starts the
# nightly refresh beside the dashboard (docs/deployment.md, "Hugging Face Space").
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

# The package itself (pyproject.toml): core, db, ingest, dashboard and the slm-tracker command, with
# the migrations, the theme, the Streamlit config and the bundled data (data/seed, data/aliases)
# as package data. The sources are removed once installed.
COPY pyproject.toml README.md LICENSE /tmp/slm-src/
COPY core /tmp/slm-src/core
COPY db /tmp/slm-src/db
COPY ingest /tmp/slm-src/ingest
COPY dashboard /tmp/slm-src/dashboard
COPY slm_tracker /tmp/slm-src/slm_tracker
COPY data /tmp/slm-src/data
RUN pip install --no-cache-dir --no-deps /tmp/slm-src && rm -rf /tmp/slm-src

# A non-root user owns the data directory (SQLite file, Hub cache, lock). uid 1000: the user a
# Hugging Face Space runs its container as, so the image works there unchanged.
RUN groupadd --system --gid 1000 slm \
    && useradd --system --uid 1000 --gid slm --home-dir /app --shell /usr/sbin/nologin slm

COPY docker/entrypoint.sh /usr/local/bin/slm-entrypoint
RUN chmod 0755 /usr/local/bin/slm-entrypoint && mkdir -p /app/data/cache /data && chown -R slm:slm /app /data

USER slm

VOLUME ["/app/data"]
EXPOSE 8501

# Healthy = Streamlit answers /_stcore/health on PORT (8501 unless set) and the data can be read
# (the schema is current and a small query answers within the reader's timeout):
# `python -m dashboard.health`, which prints one line and exits 1 when either fails.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-m", "dashboard.health"]

ENTRYPOINT ["slm-entrypoint"]
CMD ["slm-tracker", "dashboard", "--address", "0.0.0.0"]
