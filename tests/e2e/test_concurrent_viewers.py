"""Twelve people at once: concurrent headless Chromium viewers against one dashboard server.

Each viewer (its own browser context, so its own Streamlit session) opens the leaderboard,
changes the size filter, opens a model page and the history, in parallel with the others.
Every step must settle (the script run over, the tables drawn) with no exception on the page.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from testing.servers import CHROMIUM, CHROMIUM_ARGS, chromium_available
from tests.e2e.test_browser import COUNT, FRIENDLY_ERROR

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

VIEWERS = 12
STEP_TIMEOUT_MS = 180_000  # 12 sessions on 2 shared cores: generous, but a spinner that never ends fails
SETTLED = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20"
    " && [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
    ".every(d => !d.checkVisibility() || d.querySelector('canvas'))"
)


async def settled(page) -> None:
    await page.wait_for_selector("[data-testid='stApp']", timeout=STEP_TIMEOUT_MS)
    await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS)
    await page.wait_for_timeout(300)
    await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS)  # and still so (no rerun began)


async def problems(page) -> list[str]:
    found = []
    if await page.locator("[data-testid='stException']").count():
        found.append("an exception is shown")
    body = (await page.inner_text("body")).lower()
    if FRIENDLY_ERROR in body or "encountered an error" in body:
        found.append("an error note is shown")
    return found


async def shown_models(page) -> int:
    line = page.get_by_text(COUNT).first
    await line.wait_for(timeout=STEP_TIMEOUT_MS)
    return int(COUNT.search(await line.inner_text()).group(1).replace(",", ""))


async def viewer(browser, base: str, n: int) -> list[str]:
    """One person's visit; returns what went wrong (nothing, when all is well)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"viewer {n}: page error: {exc}"))
    try:
        await page.goto(base)
        await settled(page)
        errors += [f"viewer {n}, leaderboard: {p}" for p in await problems(page)]
        before = await shown_models(page)
        await page.get_by_role("radio", name="Edge (up to 3B)").click()
        await page.wait_for_url(re.compile(r"size="), timeout=STEP_TIMEOUT_MS)
        await settled(page)
        after = await shown_models(page)
        if not 0 < after < before:
            errors.append(f"viewer {n}: the size filter showed {after} of {before} models")
        errors += [f"viewer {n}, filter: {p}" for p in await problems(page)]
        for path, heading in (("model?id=microsoft/phi-2", "phi-2"), ("history", "Who was #1")):
            await page.goto(f"{base}/{path}")
            await settled(page)
            title = await page.locator("h1").first.inner_text()
            if heading.lower() not in title.lower():
                errors.append(f"viewer {n}, {path}: heading {title!r}")
            errors += [f"viewer {n}, {path}: {p}" for p in await problems(page)]
    except Exception as exc:  # a step that never settled, a missing control: this viewer failed
        errors.append(f"viewer {n}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        await context.close()
    return errors


async def visit_all(base: str) -> list[str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            found = await asyncio.gather(*(viewer(browser, base, n) for n in range(VIEWERS)))
        finally:
            await browser.close()
    return [line for lines in found for line in lines]


def test_twelve_concurrent_viewers_see_every_page_settle_without_an_error(server):
    if not chromium_available():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    assert asyncio.run(visit_all(server)) == []
