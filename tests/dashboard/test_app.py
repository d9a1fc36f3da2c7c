"""Every page through streamlit.testing.v1.AppTest on the seeded database."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, TIMEOUT


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def plain(text: str) -> str:
    """Markdown text as a reader sees it (the pages escape text from the data)."""
    return text.replace("\\", "")


def board_table(at: AppTest):
    return next(df for df in at.dataframe if "page_url" in df.value.columns and "rank" in df.value.columns).value


def test_leaderboard_default(app):
    at = ok(app(size="all", hide="none"))
    table = board_table(at)
    assert len(table) > 4000
    assert {"ifeval", "bbh", "params_b", "license_category"} <= set(table.columns)
    assert table["page_url"].iloc[0].startswith("model?id=")
    assert at.segmented_control(key="f_board").value == "open-llm-leaderboard-v2"


def test_edge_preset_leaves_models_up_to_3b(app):
    at = ok(app())
    total = len(board_table(at))
    at.pills(key="f_size").set_value("edge").run()
    table = board_table(ok(at))
    assert 0 < len(table) < total
    assert table["params_b"].max() <= 3.0
    assert at.query_params["size"] == "edge"


def test_license_filter_leaves_only_that_category(app):
    at = ok(app())
    at.multiselect(key="f_license").set_value(["permissive"]).run()
    table = board_table(ok(at))
    assert len(table) > 0 and set(table["license_category"]) == {"Permissive"}
    assert at.query_params["license"] == "permissive"


def test_a_url_restores_the_same_filters(app):
    at = ok(app(size="laptop", license="permissive", rank="group:math", q="qwen", hide="merged"))
    assert at.pills(key="f_size").value == "laptop"
    assert at.multiselect(key="f_license").value == ["permissive"]
    assert at.selectbox(key="f_rank").value == "group:math"
    assert at.text_input(key="f_search").value == "qwen"
    assert at.multiselect(key="f_hide").value == ["merged"]
    table = board_table(at)
    assert len(table) > 0
    assert table["page_url"].str.lower().str.contains("qwen").all()
    assert set(table["license_category"]) == {"Permissive"}
    assert (table["params_b"] > 3).all() and (table["params_b"] <= 8).all()
    # The URL the page writes back is the one it was opened with.
    assert dict(at.query_params) == {
        "size": "laptop",
        "license": "permissive",
        "rank": "group:math",
        "q": "qwen",
        "hide": "merged",
    }


def test_back_and_forward_restore_the_view(app):
    # The browser's back button changes the URL of a running session: the page follows it.
    at = ok(app())
    at.pills(key="f_size").set_value("edge").run()
    assert at.query_params["size"] == "edge"
    at.query_params.clear()
    at.query_params["license"] = "copyleft"
    table = board_table(ok(at.run()))
    assert at.pills(key="f_size").value == "small"  # the page's default again
    assert at.multiselect(key="f_license").value == ["copyleft"]
    assert set(table["license_category"]) == {"Copyleft"}
    assert dict(at.query_params) == {"license": "copyleft"}


def test_junk_in_the_url_gives_a_message_not_an_error(app):
    at = ok(app(board="nope", size="huge", asof="not-a-date", license="<script>"))
    messages = plain(" ".join(i.value for i in at.info))
    assert "nope" in messages and "huge" in messages
    # Every bad value is dropped: the board shown is the default one.
    assert len(board_table(at)) == len(board_table(ok(app()))) > 3000


def test_as_of_and_other_boards(app):
    at = ok(app(board="open-llm-leaderboard-v1", asof="2023-06-15", size="all"))
    table = board_table(at)
    assert table["page_url"].iloc[0] == "model?id=tiiuae/falcon-40b-instruct"
    at = ok(app(board="lmarena"))
    assert "arena_score" in board_table(at).columns
    at = ok(app(board="open-llm-leaderboard-v1", asof="2020-01-01"))
    assert any("no snapshot yet" in plain(i.value) for i in at.info)


def test_no_match_shows_what_to_do(app):
    at = ok(app(q="no-such-model-anywhere"))
    assert any("No model matches" in plain(i.value) for i in at.info)


def test_size_page(app):
    at = ok(app("views/size.py"))
    assert at.segmented_control(key="f_color").value == "license"
    frontier = next(df.value for df in at.dataframe)
    assert frontier["params_b"].is_monotonic_increasing and len(frontier) >= 3
    at.pills(key="f_size").set_value("edge").run()
    frontier = next(df.value for df in ok(at).dataframe)
    assert frontier["params_b"].max() <= 3.0


def test_size_page_on_the_arena(app):
    ok(app("views/size.py", board="lmarena"))


def test_licenses_page(app):
    at = ok(app("views/licenses.py", top="25"))
    assert at.segmented_control(key="f_top").value == 25
    labels = [m.label for m in at.metric]
    assert "Edge (up to 3B): top 25" in labels


def test_history_lists_falcon_40b_instruct_reign(app):
    at = ok(app("views/history.py"))
    # The second table ("Every #1, in order") has no size-class column.
    reigns = next(df.value for df in at.dataframe if "size_class" not in df.value.columns)
    row = reigns[reigns["page_url"] == "model?id=tiiuae/falcon-40b-instruct"]
    assert len(row) == 1
    assert row["start"].iloc[0] == "2023-05-31"
    assert row["end"].iloc[0] == "2023-07-24"
    assert row["days"].iloc[0] == 54
    assert any("falcon-40b-instruct" in plain(s.value) for s in at.success)
    assert at.multiselect(key="f_ids").value == ["tiiuae/falcon-40b", "tiiuae/falcon-40b-instruct", "llama-65b"]


def test_history_on_another_board_starts_with_its_leaders(app):
    at = ok(app("views/history.py", board="lmarena"))
    ids = at.multiselect(key="f_ids").value
    assert len(ids) == 3 and "tiiuae/falcon-40b" not in ids
    assert not at.info


def test_model_page_shows_claim_against_measurement(app):
    at = ok(app("views/model.py", id="microsoft/phi-2"))
    assert plain(at.title[0].value) == "microsoft/phi-2"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Claimed"] == "13 billion parameters"
    assert metrics["Measured"] == "2.78 billion parameters"
    assert any("wrong" in plain(w.value) for w in at.warning)
    facts = next(df.value for df in at.dataframe if "fact" in df.value.columns)
    assert "seed" in facts.set_index("fact").loc["Parameters (B)", "source"]


def test_model_page_alias_case_and_missing(app):
    at = ok(app("views/model.py", id="MICROSOFT/PHI-2"))
    assert at.query_params["id"] == "microsoft/phi-2"
    at = ok(app("views/model.py", id="nobody/nothing"))
    assert any("no model" in plain(i.value).lower() for i in at.info)
    ok(app("views/model.py"))


def test_compare_page(app):
    at = ok(app("views/compare.py", ids="microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct"))
    table = at.dataframe[0].value
    assert list(table.columns) == ["microsoft/phi-2", "Qwen/Qwen2.5-3B-Instruct"]
    at = ok(app("views/compare.py", ids="microsoft/phi-2"))
    assert any("at least two" in plain(i.value) for i in at.info)


def test_status_page(app):
    at = ok(app("views/status.py"))
    labels = {m.label for m in at.metric}
    assert {"Models", "Scores", "Snapshots"} <= labels
    fresh = next(df.value for df in at.dataframe if "newest_snapshot" in df.value.columns).set_index("source")
    assert fresh.loc["Open LLM Leaderboard v1", "state"] == "retired 2024-06-26"


def test_status_warns_by_the_snapshots_age_not_the_import_time(seeded_url, monkeypatch):
    # The seed was imported seconds ago, but its newest snapshot is months old: a warning that
    # names that snapshot's date (the live Epoch board's copy of 2026-05-02 in today's seed).
    from sqlalchemy import func, select

    from db.engine import make_engine
    from db.schema import SNAPSHOTS

    eng = make_engine(seeded_url)
    with eng.connect() as conn:
        newest = conn.execute(select(func.max(SNAPSHOTS.c.snapshot_date))).scalar_one()
    eng.dispose()
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/status.py")
    ok(at.run())
    warning = " ".join(plain(w.value) for w in at.warning)
    assert newest.isoformat() in warning and "older than 48 hours" in warning
    assert not at.success


def test_a_missing_database_is_a_friendly_message(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "cannot read its database" in plain(at.error[0].value)
    assert not (tmp_path / "absent.db").exists()


def test_a_finished_ingest_run_shows_without_a_restart(seeded_url, monkeypatch):
    from db import writes
    from db.engine import make_engine
    from tests.e2e.hostile import EVIL_ID, add_evil_model

    monkeypatch.setenv("DATABASE_URL", seeded_url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["board"] = "lmarena"
    at.query_params["size"] = "all"
    before = board_table(ok(at.run()))
    eng = make_engine(seeded_url)
    run = writes.start_run(eng, "lmarena")
    add_evil_model(seeded_url)
    writes.finish_run(eng, run, "succeeded", rows_read=1, rows_written=1)
    eng.dispose()
    after = board_table(ok(at.run()))
    assert len(after) == len(before) + 1
    from dashboard.data import page_url

    assert after["page_url"].iloc[0] == page_url(EVIL_ID)
    assert page_url(EVIL_ID) not in set(before["page_url"])


def test_an_unexpected_error_is_logged_not_shown(seeded_url, monkeypatch, caplog):
    import dashboard.data

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(dashboard.data, "ranked_board", broken)
    monkeypatch.setenv("DATABASE_URL", seeded_url)  # a URL no cached result is keyed on
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "hit a problem" in shown and "secret" not in shown
    assert "secret internals" in caplog.text
