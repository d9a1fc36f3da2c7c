"""The browser suites' fixtures on top of :mod:`testing.servers` (the one server helper)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from testing.servers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ServerError,
    chromium_available,
    free_port,
    launch_chromium,
    start_streamlit,
    stop,
)

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium", "dashboard_server", "free_port"]


@contextmanager
def dashboard_server(env: dict[str, str], log_path: Path, startup_s: float = 60) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on a free port with ``env``; yields its base URL."""
    try:
        proc, base = start_streamlit(env, log_path=log_path, startup_s=startup_s)
    except ServerError as exc:
        pytest.fail(str(exc))
    try:
        yield base
    finally:
        stop(proc)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (skips where it is not installed)."""
    if not chromium_available():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            yield browser
        finally:
            browser.close()
