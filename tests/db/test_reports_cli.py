"""``python -m db`` checks dates as the dashboard does, offers only boards with rows, and has
``--limit`` on every listing and ``--db`` in its top-level help (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from db.dates import before_first, future_as_of
from db.reports import RANKED_BOARDS, build_parser, main

V1 = "open-llm-leaderboard-v1"


@pytest.fixture
def db_url(seeded_db_file) -> str:
    return f"sqlite:///{seeded_db_file}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_future_as_of_is_an_error_as_on_the_dashboard(capsys, db_url):
    code, out, err = run(capsys, "leaderboard", "--leaderboard", V1, "--as-of", "2099-01-01", "--db", db_url)
    assert code == 1 and out == ""
    assert err.startswith("error: the 'as of' date 2099-01-01 is in the future") and err.count("\n") == 1


def test_an_as_of_before_the_first_snapshot_is_an_error(capsys, db_url):
    code, _, err = run(capsys, "leaderboard", "--leaderboard", V1, "--as-of", "2020-01-01", "--db", db_url)
    assert code == 1 and "first is from 2023-05-23" in err


def test_the_date_rule_is_shared():
    today = dt.date(2026, 12, 1)
    assert future_as_of(dt.date(2026, 12, 2), today) and future_as_of(today, today) is None
    assert before_first(dt.date(2023, 1, 1), [dt.date(2023, 5, 23)])
    assert before_first(dt.date(2023, 5, 23), [dt.date(2023, 5, 23)]) is None


def test_no_board_without_rows_is_offered(capsys):
    assert "model-card" not in RANKED_BOARDS
    for command in ("leaderboard", "tenure"):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([command, "--leaderboard", "model-card"])
        assert exit_.value.code == 2
        assert "invalid choice: 'model-card'" in capsys.readouterr().err


def test_an_empty_board_is_an_error_not_an_empty_table(capsys, tmp_path):
    from db.engine import ready_engine

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    ready_engine(url).dispose()  # the schema, no rows
    code, out, err = run(capsys, "leaderboard", "--leaderboard", V1, "--db", url)
    assert code == 1 and out == "" and "has no snapshots" in err


def test_tenure_takes_limit(capsys, db_url):
    code, out, _ = run(capsys, "tenure", "--leaderboard", V1, "--limit", "2", "--format", "csv", "--db", db_url)
    assert code == 0
    assert out.splitlines() == [
        "model_id,start,end,days,gap_days",
        "llama-65b,2023-05-23,2023-05-26,3,",
        "tiiuae/falcon-40b,2023-05-26,2023-05-31,5,",
    ]


def test_db_is_in_the_top_level_help_and_works_before_the_command(capsys, db_url):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    assert "--db URL" in capsys.readouterr().out
    code, out, _ = run(capsys, "--db", db_url, "leaderboard", "--leaderboard", V1, "--limit", "1", "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 2


def test_the_cli_still_lists_every_size_without_a_size_filter(capsys, db_url):
    code, out, _ = run(capsys, "leaderboard", "--leaderboard", V1, "--format", "csv", "--db", db_url)
    sizes = [float(line.split(",")[3]) for line in out.splitlines()[1:] if line.split(",")[3]]
    assert code == 0 and max(sizes) > 15
