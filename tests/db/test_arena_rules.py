"""The Arena's pure rules: category task groups, reigns from daily leaders, alias files."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InputError
from db.arena import KNOWN_CATEGORIES, category_benchmark, category_task, tenure_from_leaders
from ingest.aliases import read_aliases

VOCABULARY = {
    "overall",
    "chat",
    "coding",
    "math",
    "reasoning",
    "knowledge",
    "instruction following",
    "long context",
    "multilingual",
    "function calling",
    "creative writing",
    "commonsense",
    "truthfulness",
    "safety",
}


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_every_category_gets_a_task_of_the_agreed_vocabulary(name):
    assert category_task(name) in VOCABULARY


def test_known_categories():
    assert category_task("chinese") == category_task("french") == "multilingual"
    assert category_task("coding") == "coding" and category_task("math") == "math"
    assert category_task("hard_prompts_english") == "reasoning"
    assert category_task("creative_writing") == "creative writing"
    assert category_task("instruction_following") == "instruction following"
    assert category_benchmark("overall") == "arena_score" and category_benchmark("coding") == "coding"
    assert len(set(KNOWN_CATEGORIES)) == len(KNOWN_CATEGORIES)


def naive_reigns(leaders: list[str | None], dates: list[dt.date]) -> list[tuple[str, dt.date, dt.date | None]]:
    out: list[list] = []
    for day, who in zip(dates, leaders, strict=True):
        if out and out[-1][2] is None and out[-1][0] != who:
            out[-1][2] = day
        if who is not None and (not out or out[-1][2] is not None):
            out.append([who, day, None])
    return [tuple(r) for r in out]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c"])), min_size=1, max_size=30))
def test_reigns_match_a_naive_reference(leaders):
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=3 * i) for i in range(len(leaders))]
    pk = {"a": 1, "b": 2, "c": 3}
    frame = pd.DataFrame(
        [(d, pk[w], w, 1000.0) for d, w in zip(dates, leaders, strict=True) if w is not None],
        columns=["date", "model_pk", "model_id", "value"],
    )
    got = tenure_from_leaders(frame, dates)
    assert [(r.model_id, r.start, r.end) for r in got.itertuples()] == naive_reigns(leaders, dates)
    for r in got.itertuples():
        assert r.days == ((r.end or dates[-1]) - r.start).days


def alias_text(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "hub_id", "source"])
    writer.writerows(rows)
    return out.getvalue()


NAME = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=',"'), min_size=1, max_size=30)
HUB = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,10}/[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True).filter(
    lambda s: ".." not in s
)


@settings(deadline=None)
@given(st.lists(st.tuples(NAME, HUB), min_size=1, max_size=8, unique_by=lambda t: t[0].lower()))
def test_alias_files_round_trip_and_refuse_a_name_twice(rows):
    text = alias_text([(n, h, "test: model card") for n, h in rows])
    got = read_aliases(text)
    assert [(r["name"], r["hub_id"]) for r in got] == rows
    name = rows[0][0]
    twice = alias_text([(n, h, "x") for n, h in rows] + [(name.swapcase(), rows[0][1], "x")])
    if name.swapcase().lower() == name.lower():
        with pytest.raises(InputError, match="already mapped"):
            read_aliases(twice)


def test_bad_alias_files_say_which_line():
    with pytest.raises(InputError, match="header must be"):
        read_aliases("model,repo\nx,y/z\n")
    with pytest.raises(InputError, match="line 2: .*not a Hugging Face repo id"):
        read_aliases("name,hub_id,source\ngemma-2-2b-it,not a repo,card\n")
    with pytest.raises(InputError, match="line 2: no source"):
        read_aliases("name,hub_id,source\ngemma-2-2b-it,google/gemma-2-2b-it,\n")
