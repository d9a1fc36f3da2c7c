"""Boards as data: ``ingest run`` and ``ingest import`` call what ``core.boards`` names, so a new
board or live source is a registry entry plus its module, with no dispatch to edit."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect

import pytest

from core import boards
from core.config import load_settings
from core.errors import InputError
from ingest import cli
from ingest.live import RunContext, run_live
from testing.fakehub import FakeHub

CALLS: list[RunContext] = []


def recording_reader(ctx: RunContext) -> tuple[str, dict]:
    """The reader of a source that exists only in this test's registry."""
    CALLS.append(ctx)
    return "imported", {"models": len(ctx.models)}


def recording_importer(engine, args, settings) -> int:
    CALLS.append(args)
    return 7


def resolve(dotted: str):
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("source", boards.LIVE, ids=lambda s: s.key)
def test_every_live_source_names_a_reader_that_takes_the_run_context(source):
    reader = resolve(source.reader)
    assert list(inspect.signature(reader).parameters) == ["ctx"]
    assert source.reader.startswith("ingest.")


@pytest.mark.parametrize("board", [lb for lb in boards.LEADERBOARDS if lb.importer], ids=lambda lb: lb.key)
def test_every_importer_takes_engine_args_and_settings(board):
    assert list(inspect.signature(resolve(board.importer)).parameters) == ["engine", "args", "settings"]


def test_the_derived_lists_follow_the_entries():
    assert boards.LIVE_SOURCES == (
        boards.HUB,
        boards.OPEN_LLM_V2,
        boards.LMARENA,
        boards.HUB_EVALS,
        boards.EPOCH,
        boards.HUB_CONFIGS,
    )  # the nightly order: model metadata first, configs of the tracked models last
    assert boards.ARCHIVE_SOURCES == (boards.LMARENA_MIRROR,)
    assert set(boards.IMPORT_SOURCES) == {boards.OPEN_LLM_V1, boards.OPEN_LLM_V2, boards.LMARENA, boards.EPOCH}
    assert boards.LISTING_BOARDS == (boards.OPEN_LLM_V2, boards.OPEN_LLM_V1, boards.LMARENA)  # by priority
    assert boards.PROVENANCE_BOARDS == (boards.HUB_EVALS, boards.EPOCH)
    assert boards.BOARD_PROVENANCE[boards.MODEL_CARD] == boards.SELF_REPORTED
    assert set(boards.ALIASED_BOARDS) == {boards.LMARENA, boards.EPOCH}


@pytest.fixture
def added_source(monkeypatch):
    """A live source added to the registry only (its reader is in this module)."""
    CALLS.clear()
    source = boards.LiveSource("test-board", f"{__name__}:recording_reader", "a test source", per_model=True)
    monkeypatch.setattr(boards, "LIVE", (*boards.LIVE, source))
    return source


def test_a_source_added_to_the_registry_runs_with_nothing_else_changed(added_source, engine, db_url, tmp_path):
    with FakeHub() as hub:
        settings = load_settings(
            {"DATABASE_URL": db_url, "HF_ENDPOINT": hub.url, "INGEST_LOCK": str(tmp_path / "lock")}
        )
        assert run_live(engine, settings, sources=[added_source.key], models=["org/a", "org/b"]) == 0
    (ctx,) = CALLS
    assert ctx.models == ("org/a", "org/b") and ctx.model_ids == ["org/a", "org/b"]
    assert ctx.engine is engine and ctx.settings is settings and ctx.api.endpoint == hub.url


def test_names_not_in_the_registry_are_refused_with_the_choices(added_source, engine, db_url, tmp_path):
    settings = load_settings({"DATABASE_URL": db_url, "INGEST_LOCK": str(tmp_path / "lock")})
    with pytest.raises(InputError, match="unknown source 'nope'; choose from: hub, .*test-board"):
        run_live(engine, settings, sources=["nope"])
    with pytest.raises(InputError, match="--models applies to the 'hub', 'hub-evals', 'hub-configs', 'test-board'"):
        run_live(engine, settings, sources=[boards.EPOCH], models=["org/a"])
    assert CALLS == []


def test_import_calls_the_importer_the_board_names(monkeypatch, tmp_path):
    CALLS.clear()
    board = dataclasses.replace(boards.leaderboard_def(boards.EPOCH), importer=f"{__name__}:recording_importer")
    monkeypatch.setattr(cli, "leaderboard_def", lambda key: board)
    monkeypatch.setattr(cli, "_engine_for_ingest", lambda settings: None)
    args = argparse.Namespace(source=boards.EPOCH, paths=["x.csv"], as_of=None, no_progress=True)
    assert cli.cmd_import(args, load_settings({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db"})) == 7
    assert CALLS == [args]
