# SLM Tracker: one image for the dashboard (default) and the nightly ingest (`python -m ingest schedule`).
#   docker build -t slm-tracker .
#   docker run -p 8501:8501 -v slm-data:/app/data slm-tracker
#   docker run -v slm-data:/app/data slm-tracker python -m ingest schedule
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    HF_HOME=/app/data/cache/huggingface \
    SLM_CACHE_DIR=/app/data/cache \
    INGEST_LOCK=/app/data/ingest.lock \
    APP_DIR=/app

WORKDIR /app

# Runtime dependencies only (requirements-dev.txt is for tests and never installed here).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# A non-root user owns the data directory (SQLite file, Hub cache, lock).
RUN groupadd --system --gid 10001 slm \
    && useradd --system --uid 10001 --gid slm --home-dir /app --shell /usr/sbin/nologin slm

COPY --chown=slm:slm db ./db
COPY --chown=slm:slm ingest ./ingest
COPY --chown=slm:slm dashboard ./dashboard
COPY --chown=slm:slm .streamlit ./.streamlit
# The seed lives outside the data volume (a volume would hide or freeze it); the entrypoint
# refreshes data/seed from it on every start.
COPY --chown=slm:slm data/seed ./seed
COPY --chown=slm:slm alembic.ini ./
COPY --chown=slm:slm docker/entrypoint.sh /usr/local/bin/slm-entrypoint
RUN chmod 0755 /usr/local/bin/slm-entrypoint && mkdir -p /app/data/cache && chown -R slm:slm /app/data

USER slm

VOLUME ["/app/data"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

ENTRYPOINT ["slm-entrypoint"]
CMD ["streamlit", "run", "dashboard/app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
