"""``python -m ingest run``: live ingest from the Hugging Face Hub, one source after another.

Every source's run is atomic and recorded (``ingest_runs``) with its error when it fails; runs
left "running" by a killed process are marked failed first. The whole invocation holds the
ingest lock, shares one request budget and one time budget, and talks to the Hub only through
huggingface_hub (``HF_ENDPOINT`` / ``HF_TOKEN`` honoured) with our bounded transport underneath.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from collections.abc import Sequence

from sqlalchemy import Engine

from db import writes
from db.config import Settings, mask_secrets
from db.errors import HubError, InputError, TrackerError
from db.registry import ARCHIVE_SOURCES, EPOCH, LIVE_SOURCES, LMARENA, LMARENA_MIRROR
from ingest.http import RunBudget, hub_session
from ingest.lock import ingest_lock

log = logging.getLogger(__name__)

# Requests a dataset source needs: info/refs, tree, HEAD + GET per file, a few retries.
RESERVE_PER_SOURCE = 25


def make_api(settings: Settings):
    """An ``HfApi`` on the configured endpoint with HF_TOKEN, else huggingface_hub's own login (if any)."""
    from huggingface_hub import HfApi

    return HfApi(endpoint=settings.hf_endpoint, token=settings.hf_token or None, library_name="slm-tracker")


def _describe(exc: BaseException, settings: Settings) -> str:
    """One line for a failure, never with the token in it."""
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(exc, TrackerError):
        text = str(exc)
    elif isinstance(exc, HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", "?")
        text = f"the Hub answered HTTP {status}: {str(exc).splitlines()[0]}"
    elif isinstance(exc, OSError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return mask_secrets(text[:400], settings)


def run_live(
    engine: Engine,
    settings: Settings,
    *,
    sources: Sequence[str] = LIVE_SOURCES,
    models: Sequence[str] | None = None,
    limit: int | None = None,
    backfill: bool = False,
    progress: bool | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run the live ``sources`` in order; 0 when all succeeded (or had nothing new).

    Raises :class:`db.errors.LockedError` when another run holds the lock and
    :class:`db.errors.HubError` (one line naming each failed source) when a source failed.
    """
    unknown = [s for s in sources if s not in LIVE_SOURCES + ARCHIVE_SOURCES]
    if unknown:
        raise InputError(f"unknown source {unknown[0]!r}; choose from: {', '.join(LIVE_SOURCES + ARCHIVE_SOURCES)}")
    if models and not {"hub", "hub-evals", "hub-configs"} & set(sources):
        raise InputError("--models applies to the 'hub', 'hub-evals' and 'hub-configs' sources")
    show = sys.stderr.isatty() if progress is None else progress
    day = dt.datetime.now(dt.UTC).date()
    with ingest_lock(settings.lock_path):
        abandoned = sum(writes.fail_abandoned_runs(engine, source) for source in sources)
        if abandoned:
            log.warning("marked %d abandoned run(s) as failed", abandoned)
        if not show:
            from huggingface_hub.utils import disable_progress_bars

            disable_progress_bars()
        budget = RunBudget.from_settings(settings, stop)
        failures: list[str] = []
        with hub_session(budget, telemetry=settings.hub_telemetry):
            api = make_api(settings)
            for position, source in enumerate(sources):
                # The hub source stops early rather than starve the dataset sources after it.
                later = len(sources) - position - 1
                budget.reserve = min(RESERVE_PER_SOURCE * later, budget.max_requests // 2) if source == "hub" else 0
                try:
                    status, detail = _run_source(
                        api, engine, settings, budget, source, models, limit, backfill, day, show
                    )
                except (Exception, KeyboardInterrupt) as exc:
                    message = _describe(exc, settings)
                    log.debug("%s failed", source, exc_info=True)
                    log.error("%s: failed: %s", source, message)
                    failures.append(f"{source}: {message}")
                    if isinstance(exc, KeyboardInterrupt) or budget.stop.is_set():
                        break
                    continue
                log.info("%s: %s %s", source, status, _summary(detail))
        log.info("requests: %d (%d retries, %.1fs waited)", budget.requests, budget.retries, budget.waited_s)
        from ingest.facts_review import review

        log.info("size review: %s", review(engine))
    if failures:
        raise HubError("; ".join(failures))
    return 0


def _summary(detail: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if not isinstance(v, (list, dict)))


def _run_source(api, engine, settings, budget, source, models, limit, backfill, day, show) -> tuple[str, dict]:
    if source == "hub":
        from db.aliases import apply_hub_facts
        from ingest.hub import run_hub

        result = run_hub(
            api, engine, settings, budget, models=list(models or []) or None, limit=limit, day=day, progress=show
        )
        with engine.begin() as conn:  # fresh Hub facts reach the board models aliased to them
            apply_hub_facts(conn, LMARENA)
            apply_hub_facts(conn, EPOCH)
        return result
    if source == "hub-evals":
        from ingest.hub_evals import run_hub_evals

        return run_hub_evals(api, engine, settings, budget, models=list(models or []) or None, day=day)
    if source == "epoch":
        from ingest.epoch import run_epoch

        return run_epoch(engine, settings, budget, day=day)
    if source == "hub-configs":
        from ingest.hub_configs import run_hub_configs

        return run_hub_configs(api, engine, settings, budget, day=day, models=list(models or []) or None)
    if source == "open-llm-leaderboard-v2":
        from ingest.contents import run_contents

        return run_contents(api, engine, settings, day=day)
    if source == LMARENA:
        from ingest.lmarena_dataset import run_arena_dataset

        return run_arena_dataset(api, engine, settings, day=day)
    assert source == LMARENA_MIRROR
    from ingest.lmarena_hub import run_lmarena

    return run_lmarena(api, engine, settings, day=day, backfill=backfill)
