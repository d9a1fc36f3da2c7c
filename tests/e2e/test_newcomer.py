"""A newcomer's first hour in a real browser (issue 14): no request leaves the server, Enter
applies a typed date, no toolbar over a title on a phone, the default board says what it hides."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import rendered, shot
from tests.e2e.test_browser import PAGES, model_count

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_request_leaves_the_server(server, browser, width):
    """Every request of every page (documents, scripts, fonts, the favicon, websockets) goes to 127.0.0.1."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    try:
        for path in PAGES.values():
            page.goto(f"{server}/{path}")
            rendered(page)
            page.wait_for_timeout(500)  # late requests (the favicon) too
    finally:
        context.close()
    assert len(requests) > 20
    outside = sorted(
        {u for u in requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != "127.0.0.1"}
    )
    assert not outside, outside


def test_enter_applies_a_typed_date(server, page):
    page.goto(f"{server}/?board=open-llm-leaderboard-v1&size=all")
    rendered(page)
    # The field is three editable segments: type the digits into the first, then press Enter.
    page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] [role='spinbutton']").first.click()
    page.keyboard.type("20230615")
    page.wait_for_timeout(500)
    assert "asof=" not in page.url  # typing alone applies nothing
    page.keyboard.press("Enter")
    # No click elsewhere: Enter alone applies the date (the field keeps the page as it is).
    page.get_by_text("snapshot of 2023-06-10").first.wait_for(timeout=30000)
    assert "asof=2023-06-15" in page.url
    shot(page, "enter-applies-date")


def test_the_default_board_says_what_it_hides(server, page):
    page.goto(f"{server}/")
    rendered(page)
    shown, total = model_count(page)
    assert 0 < shown < total
    body = page.inner_text("[data-testid='stMain']")
    assert "up to 15B" in body and "flagged models hidden" in body
    page.get_by_role("button", name="Show all sizes").click()
    page.wait_for_function("() => location.search.includes('size=all')", timeout=30000)
    rendered(page)
    assert model_count(page)[0] > shown


def test_no_toolbar_over_titles_on_a_phone(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/size")
        rendered(page)
        chart = page.locator("[data-testid='stPlotlyChart']").first
        chart.scroll_into_view_if_needed()
        chart.hover()
        page.wait_for_timeout(400)
        assert (
            page.locator(".modebar-container").count() == 0 or not page.locator(".modebar-container").first.is_visible()
        )
        table = page.locator("[data-testid='stDataFrame']").first
        table.scroll_into_view_if_needed()
        table.hover()
        page.wait_for_timeout(400)
        toolbars = page.locator("[data-testid='stElementToolbar']")
        assert all(not toolbars.nth(i).is_visible() for i in range(toolbars.count()))
        shot(page, "phone-size-no-toolbar")
    finally:
        context.close()
