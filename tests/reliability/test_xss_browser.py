"""Hostile text stays inert on every page, in a real browser (headless Chromium).

The markup goes in the way a stranger's data would: ``python -m ingest import`` of real Arena
rows whose model name, organisation, license and cut-off carry HTML, Markdown and JavaScript
links; a v1 row with markup as its id (rejected, so its raw text is on the status page); and a
refused file whose name is markup (its error is on the status page). Every page is opened; a
JavaScript dialog fails the test, and no element the markup asks for may exist.

``tests/e2e/test_browser.py`` covers five pages with a model inserted directly into the
database; this covers all seven, through the importers.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.dashboard_server import CHROMIUM, chromium, dashboard_server
from tests.reliability.corpus import table, to_csv
from tests.reliability.helpers import cli, cli_env, seed_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("reliability-browser")]

EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_ORG = "<script>alert(2)</script>"
EVIL_LICENSE = "<svg onload=alert(3)>"
EVIL_CUTOFF = "<b>evil</b>"
EVIL_LINK = "[click me](javascript:alert(5))"
EVIL_V1_ID = "<img src=x onerror=alert(6)>"
EVIL_FILE = "<img src=x onerror=alert(7)>-2030-01-01.csv"
DAY = "2025-08-01"  # after the newest bundled Arena snapshot: the hostile rows are the current board


def _hostile_files(folder: Path) -> tuple[Path, Path, Path]:
    header, rows, _ = _arena_table()
    rows = [list(r) for r in rows]
    col = header.index
    rows[0][col("model")] = EVIL_NAME
    rows[0][col("organization")] = EVIL_ORG
    rows[0][col("license")] = EVIL_LICENSE
    rows[0][col("knowledge_cutoff")] = EVIL_CUTOFF
    rows[1][col("model")] = EVIL_LINK
    rows[1][col("url")] = "javascript:alert(8)"
    arena = folder / f"arena-{DAY}.csv"
    arena.write_bytes(to_csv(header, rows))
    header, rows, bom = table("v1-2023")
    rows = [list(r) for r in rows]
    rows[0][header.index("Model")] = EVIL_V1_ID
    v1 = folder / "v1-2023-11-15.csv"
    v1.write_bytes(to_csv(header, rows, bom))
    empty = folder / EVIL_FILE
    empty.write_bytes(b"")
    return arena, v1, empty


def _arena_table():
    import csv
    import io

    text = seed_rows("lmarena/2025-07-18.csv.xz").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:], False


@pytest.fixture(scope="module")
def server(seeded_db_file, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("xss")
    db = folder / "seeded.db"
    shutil.copyfile(seeded_db_file, db)
    url = f"sqlite:///{db}"
    arena, v1, empty = _hostile_files(folder)
    done = cli("--db", url, "import", "lmarena", str(arena), "--no-progress")
    assert done.returncode == 0, done.stderr
    done = cli("--db", url, "import", "open-llm-leaderboard-v1", str(v1), "--no-progress")
    assert done.returncode == 0 and "1 rejected" in done.stdout, done.stdout + done.stderr
    done = cli("--db", url, "import", "lmarena", str(empty), "--no-progress")
    assert done.returncode == 1
    with dashboard_server({**cli_env(), "DATABASE_URL": url}, folder / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def _rendered(page) -> None:
    page.wait_for_selector("[data-testid='stApp']", timeout=30000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20",
        timeout=30000,
    )
    page.wait_for_timeout(500)


PAGES = {
    "leaderboard": "?board=lmarena",
    "size": "size?board=lmarena",
    "licenses": "licenses?board=lmarena",
    "history": "history?board=lmarena",
    "model": f"model?id={quote(EVIL_NAME, safe='')}",
    "model-link-name": f"model?id={quote(EVIL_LINK, safe='')}",
    "compare": f"compare?board=lmarena&ids={quote(EVIL_NAME, safe='')},{quote(EVIL_LINK, safe='')}",
    "status": "status",
}
# What the markup would create if it were interpreted.
FORBIDDEN = [
    "img[src='x']",
    "[data-testid='stMain'] script",
    "svg[onload]",
    "a[href^='javascript:']",
    "[data-testid='stMain'] b:text('evil')",
]


def test_hostile_text_is_inert_on_every_page(server, browser, figure):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    shown_as_text = {}
    for name, path in PAGES.items():
        page.goto(f"{server}/{path}")
        _rendered(page)
        assert page.locator("[data-testid='stException']").count() == 0, name
        for selector in FORBIDDEN:
            assert page.locator(selector).count() == 0, (name, selector)
        main = page.inner_text("[data-testid='stMain']")
        shown_as_text[name] = any(t in main for t in (EVIL_NAME, EVIL_LINK, EVIL_V1_ID, EVIL_ORG, EVIL_LICENSE))
    context.close()
    figure("xss_pages_checked", len(PAGES))
    figure("xss_dialogs_opened", len(dialogs))  # reported before the check, so a failure shows its count
    assert dialogs == []
    # The markup is shown, as text, where a page shows names (tables draw on a canvas elsewhere).
    assert shown_as_text["model"] and shown_as_text["model-link-name"]
