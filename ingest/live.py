"""``python -m ingest run``: live ingest from the Hugging Face Hub, one source after another.

Every source's run is atomic and recorded (``ingest_runs``) with its error when it fails; runs
left "running" by a killed process are marked failed first. The whole invocation holds the
ingest lock, shares one request budget and one time budget, and talks to the Hub only through
huggingface_hub (``HF_ENDPOINT`` / ``HF_TOKEN`` honoured) with our bounded transport underneath.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from core import boards
from core.boards import LIVE_SOURCES, live_source
from core.config import Settings, mask_secrets
from core.errors import HubError, InputError, TrackerError
from db import writes
from ingest.http import RunBudget, hub_session
from ingest.lock import ingest_lock

log = logging.getLogger(__name__)

# Requests a dataset source needs: info/refs, tree, HEAD + GET per file, a few retries.
RESERVE_PER_SOURCE = 25


@dataclass(frozen=True)
class RunContext:
    """What every live source's reader is called with (``core.boards.LIVE`` names the reader):
    the Hub client, the database, the settings and the run's shared budget, the run's day, and
    the command line's choices (``--models``, ``--limit``, ``--backfill``, progress bars)."""

    api: object  # huggingface_hub.HfApi on the configured endpoint
    engine: Engine
    settings: Settings
    budget: RunBudget
    day: dt.date
    models: tuple[str, ...] = ()
    limit: int | None = None
    backfill: bool = False
    progress: bool = False

    @property
    def model_ids(self) -> list[str] | None:
        """``--models`` as the readers take it: ``None`` when none was named."""
        return list(self.models) or None


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

    Raises :class:`core.errors.LockedError` when another run holds the lock and
    :class:`core.errors.HubError` (one line naming each failed source) when a source failed.
    """
    known = [s.key for s in boards.LIVE]
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise InputError(f"unknown source {unknown[0]!r}; choose from: {', '.join(known)}")
    per_model = [s.key for s in boards.LIVE if s.per_model]
    if models and not set(per_model) & set(sources):
        raise InputError(f"--models applies to the {', '.join(map(repr, per_model))} sources")
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
                    ctx = RunContext(api, engine, settings, budget, day, tuple(models or ()), limit, backfill, show)
                    status, detail = _run_source(ctx, source)
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


def _run_source(ctx: RunContext, source: str) -> tuple[str, dict]:
    """Call the reader the registry names for ``source`` (``core.boards.LIVE``)."""
    module, _, name = live_source(source).reader.partition(":")
    return getattr(importlib.import_module(module), name)(ctx)
