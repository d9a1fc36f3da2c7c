"""All configuration in one place: environment variables and their parsing.

Nothing here runs at import time; callers build a :class:`Settings` with :func:`load_settings`
and pass it down. Command-line flags override the environment in the CLIs by calling
:func:`load_settings` with ``overrides``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# From a checkout (pyproject.toml beside the packages) the data folder is the checkout's data/;
# from an installed wheel it is data/ under the current directory (the image's WORKDIR /app).
DATA_DIR = PROJECT_ROOT / "data" if (PROJECT_ROOT / "pyproject.toml").is_file() else Path("data")
# The bundled files (seed, board aliases): data/ in a checkout; in a wheel pyproject.toml maps
# them to core/bundled/ (package data), found next to this module.
_WHEEL_BUNDLE = Path(__file__).resolve().parent / "bundled"
BUNDLED_DIR = _WHEEL_BUNDLE if (_WHEEL_BUNDLE / "seed").is_dir() else PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "leaderboard.db"
SEED_DIR = BUNDLED_DIR / "seed"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """Parse a boolean environment value: "False", "0", "no" and "" are false."""
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def parse_int(name: str, raw: str | None, default: int, minimum: int = 0) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def parse_float(name: str, raw: str | None, default: float, minimum: float = 0.0) -> float:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not value >= minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_DB_PATH}"


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    database_url: str = field(default_factory=default_database_url)
    # Live ingest (the Hub). HF_ENDPOINT and HF_TOKEN are read by huggingface_hub itself;
    # we only keep the token here so that it can be masked in every message we print.
    hf_token: str | None = None
    hf_endpoint: str = "https://huggingface.co"
    hub_top_n: int = 1000
    hub_max_params_b: float = 15.0
    hub_leaderboard_budget: int = 500
    hub_request_budget: int = 5000
    hub_timeout_s: float = 30.0
    hub_run_budget_s: float = 1800.0
    hub_max_retries: int = 5
    hub_backoff_base_s: float = 1.0
    watchlist: tuple[str, ...] = ()
    cache_dir: Path = DATA_DIR / "cache"
    ingest_cron: str = "0 3 * * *"
    lock_path: Path = DATA_DIR / "ingest.lock"
    stale_after_hours: float = 48.0
    # huggingface_hub's telemetry: off unless HF_HUB_DISABLE_TELEMETRY is set to a false value.
    hub_telemetry: bool = False
    # `slm-tracker dashboard`: the port Streamlit listens on (PORT, as `make run` and hosts set it).
    dashboard_port: int = 8501
    # Epoch AI's Benchmarking Hub: the zip ``python -m ingest run epoch`` reads.
    epoch_url: str = "https://epoch.ai/data/benchmark_data.zip"
    # The dashboard's reads: a query that takes longer (or waits longer on a busy database) is
    # stopped, and the page shows its last good view with a note (SLM_QUERY_TIMEOUT).
    query_timeout_s: float = 15.0

    def with_overrides(self, **overrides: object) -> Settings:
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **clean)  # type: ignore[arg-type]


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read the environment (``os.environ`` by default) and apply explicit overrides."""
    env = os.environ if environ is None else environ
    watch = tuple(item.strip() for item in env.get("SLM_WATCHLIST", "").split(",") if item.strip())
    d = Settings()  # the defaults, written once in the class
    settings = Settings(
        database_url=env.get("DATABASE_URL") or d.database_url,
        hf_token=env.get("HF_TOKEN") or None,
        hf_endpoint=(env.get("HF_ENDPOINT") or d.hf_endpoint).rstrip("/"),
        hub_top_n=parse_int("HUB_TOP_N", env.get("HUB_TOP_N"), d.hub_top_n, minimum=0),
        hub_max_params_b=parse_float("HUB_MAX_PARAMS_B", env.get("HUB_MAX_PARAMS_B"), d.hub_max_params_b),
        hub_leaderboard_budget=parse_int(
            "HUB_LEADERBOARD_BUDGET", env.get("HUB_LEADERBOARD_BUDGET"), d.hub_leaderboard_budget
        ),
        hub_request_budget=parse_int(
            "HUB_REQUEST_BUDGET", env.get("HUB_REQUEST_BUDGET"), d.hub_request_budget, minimum=1
        ),
        hub_timeout_s=parse_float("HUB_TIMEOUT", env.get("HUB_TIMEOUT"), d.hub_timeout_s, minimum=0.1),
        hub_run_budget_s=parse_float("HUB_RUN_BUDGET", env.get("HUB_RUN_BUDGET"), d.hub_run_budget_s, minimum=1.0),
        hub_max_retries=parse_int("HUB_MAX_RETRIES", env.get("HUB_MAX_RETRIES"), d.hub_max_retries),
        hub_backoff_base_s=parse_float("HUB_BACKOFF_BASE", env.get("HUB_BACKOFF_BASE"), d.hub_backoff_base_s),
        watchlist=watch,
        cache_dir=Path(env.get("SLM_CACHE_DIR") or d.cache_dir),
        ingest_cron=env.get("INGEST_CRON") or d.ingest_cron,
        lock_path=Path(env.get("INGEST_LOCK") or d.lock_path),
        stale_after_hours=parse_float(
            "STALE_AFTER_HOURS", env.get("STALE_AFTER_HOURS"), d.stale_after_hours, minimum=1.0
        ),
        hub_telemetry=not parse_bool("HF_HUB_DISABLE_TELEMETRY", env.get("HF_HUB_DISABLE_TELEMETRY"), True),
        dashboard_port=parse_int("PORT", env.get("PORT"), d.dashboard_port, minimum=1),
        epoch_url=env.get("EPOCH_DATA_URL") or d.epoch_url,
        query_timeout_s=parse_float(
            "SLM_QUERY_TIMEOUT", env.get("SLM_QUERY_TIMEOUT"), d.query_timeout_s, minimum=0.001
        ),
    )
    return settings.with_overrides(**overrides)


def mask_secrets(text: str, settings: Settings | None = None) -> str:
    """Remove the Hugging Face token (and anything that looks like one) from a message."""
    import re

    if settings is not None and settings.hf_token:
        text = text.replace(settings.hf_token, "***")
    return re.sub(r"hf_[A-Za-z0-9]{8,}", "hf_***", text)
