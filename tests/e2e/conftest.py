"""A real dashboard server on a free port, and a headless Chromium to drive it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tests.dashboard_server import CHROMIUM, chromium, dashboard_server
from tests.e2e.hostile import add_evil_model

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "e2e"


@pytest.fixture(scope="module")
def server(seeded_db_file, tmp_path_factory):
    """``streamlit run dashboard/app.py`` on a seeded copy (with the evil model); yields its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    db = tmp_path_factory.mktemp("e2e") / "seeded.db"
    shutil.copyfile(seeded_db_file, db)
    url = f"sqlite:///{db}"
    add_evil_model(url)
    # As `make run` starts it: the checkout on PYTHONPATH, nothing else (the helper sets it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"DATABASE_URL": url}
    with dashboard_server(env, tmp_path_factory.mktemp("e2e-log") / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A fresh page; any JavaScript dialog (alert, confirm) fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()
    assert not dialogs, f"a dialog opened: {dialogs}"


def rendered(page, timeout: int = 30000) -> None:
    """Wait until the script run is over and the tables have drawn their canvas."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20",
        timeout=timeout,
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')].every(d => !d.checkVisibility() || d.querySelector('canvas'))",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{dt.date.today():%Y%m%d}.png"))
