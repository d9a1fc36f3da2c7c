"""The dashboard in headless Chromium: every page, a filter, a link, and hostile model names."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.e2e.conftest import rendered, shot
from tests.e2e.hostile import EVIL_ID, EVIL_LICENSE

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PAGES = {
    "leaderboard": "",
    "size": "size",
    "licenses": "licenses",
    "history": "history",
    "model": "model?id=microsoft/phi-2",
    "compare": "compare?ids=microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct",
    "status": "status",
}
FRIENDLY_ERROR = "this page hit a problem"


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders(server, page, name):
    page.goto(f"{server}/{PAGES[name]}")
    rendered(page)
    assert page.locator("h1").first.is_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert FRIENDLY_ERROR not in page.content()
    shot(page, name)


def test_a_filter_change_goes_into_the_url_and_back(server, page):
    page.goto(server)
    rendered(page)
    count = re.compile(r"([\d,]+) of ([\d,]+) models")
    before = count.search(page.inner_text("[data-testid='stMain']"))
    page.get_by_role("radio", name="Edge (up to 3B)").click()
    page.wait_for_url(re.compile(r"size=edge"))
    rendered(page)
    after = count.search(page.inner_text("[data-testid='stMain']"))
    assert before and after
    shown, total = (int(g.replace(",", "")) for g in after.groups())
    assert 0 < shown < total == int(before.group(2).replace(",", ""))
    # Opening the copied URL restores the same view.
    page.goto(page.url)
    rendered(page)
    again = count.search(page.inner_text("[data-testid='stMain']"))
    assert again and again.group(1) == after.group(1)
    shot(page, "leaderboard-edge")


def test_download_the_filtered_view(server, page):
    page.goto(f"{server}/?size=edge&license=permissive")
    rendered(page)
    shown = re.search(r"([\d,]+) of [\d,]+ models", page.inner_text("[data-testid='stMain']")).group(1)
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    text = open(info.value.path(), encoding="utf-8").read().splitlines()
    assert text[0].startswith("Rank,Model,Hub page,Average,IFEval")
    assert len(text) - 1 == int(shown.replace(",", ""))
    assert all(",Permissive," in line for line in text[1:])


def test_follow_a_link_to_a_model_page(server, page):
    page.goto(f"{server}/compare?ids=microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct")
    rendered(page)
    page.get_by_role("link", name="microsoft/phi-2").click()
    page.wait_for_url(re.compile(r"/model\?id=microsoft(%2F|/)phi-2"))
    rendered(page)
    assert page.locator("h1").first.inner_text().strip() == "microsoft/phi-2"
    main = page.inner_text("[data-testid='stMain']")
    assert "Claimed" in main and "Measured" in main and "13 billion parameters" in main


def test_hostile_names_stay_text(server, page):
    # page.on("dialog") in the fixture fails the test if any alert opens.
    for path in ("?board=lmarena", "size?board=lmarena", "licenses?board=lmarena", "history?board=lmarena"):
        page.goto(f"{server}/{path}")
        rendered(page)
        assert page.locator("img[src='x']").count() == 0
    page.goto(f"{server}/model?id={quote(EVIL_ID, safe='')}")
    rendered(page)
    assert page.locator("h1").first.inner_text().strip() == EVIL_ID
    main = page.inner_text("[data-testid='stMain']")
    assert EVIL_LICENSE in main
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("[data-testid='stMain'] script").count() == 0
    assert page.locator("[data-testid='stMain'] b", has_text="evil").count() == 0
    shot(page, "hostile-model")
