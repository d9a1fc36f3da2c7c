"""``python -m ingest schedule``: the nightly refresh.

APScheduler's ``BlockingScheduler`` runs every live source at ``INGEST_CRON`` (UTC). One run at
a time: a run also takes the ingest file lock, so a scheduled run that meets a manual
``run`` is skipped with a warning. SIGTERM (and SIGINT) stop cleanly: a run in progress is
asked to stop at its next request, recorded as failed (nothing half-written), and the process
exits 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading

from core.config import Settings
from core.errors import ConfigError, LockedError, TrackerError

log = logging.getLogger(__name__)


def make_trigger(cron: str):
    """A UTC cron trigger from a crontab line (``minute hour day month weekday``)."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(cron, timezone=dt.UTC)
    except ValueError as exc:
        raise ConfigError(f"INGEST_CRON is not a crontab expression ({cron!r}): {exc}") from None


def scheduled_run(settings: Settings, stop: threading.Event) -> None:
    """One scheduled ingest: every live source; failures are logged, never raised."""
    from db.engine import ready_engine
    from ingest.live import run_live

    log.info("scheduled ingest run starting")
    engine = None
    try:
        engine = ready_engine(settings.database_url)
        run_live(engine, settings, progress=False, stop=stop)
        log.info("scheduled ingest run finished")
    except LockedError as exc:
        log.warning("scheduled ingest run skipped: %s", exc)
    except TrackerError as exc:
        log.error("scheduled ingest run failed: %s", exc)
    except Exception:  # a bug must not kill the scheduler: log it, keep the schedule
        log.exception("scheduled ingest run crashed")
    finally:
        if engine is not None:
            engine.dispose()


def run_scheduler(settings: Settings, *, run_now: bool = False) -> int:
    """Block until SIGTERM/SIGINT, running :func:`scheduled_run` on ``settings.ingest_cron``."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    trigger = make_trigger(settings.ingest_cron)
    stop = threading.Event()
    scheduler = BlockingScheduler(timezone=dt.UTC)
    scheduler.add_job(
        scheduled_run,
        trigger,
        args=(settings, stop),
        id="ingest",
        name="nightly ingest",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    if run_now:
        scheduler.add_job(
            scheduled_run, args=(settings, stop), id="ingest-now", name="ingest at start", max_instances=1
        )

    def _stop(signum, _frame) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()  # a run in progress ends at its next request, recorded as failed
        scheduler.shutdown(wait=True)  # waits for that bookkeeping, then ends start()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    first = trigger.get_next_fire_time(None, dt.datetime.now(dt.UTC))
    log.info("scheduler started: cron %r (UTC), next run at %s", settings.ingest_cron, first)
    try:
        scheduler.start()  # returns after shutdown; jobs added before start get their next run time here
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("scheduler stopped")
    return 0
