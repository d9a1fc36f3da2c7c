"""The benchmark data generator: real format, real shape, deterministic."""

from __future__ import annotations

import csv
import lzma

from bench.generate import REAL_DIR, generate, main, measure, real_api_files
from ingest.formats import parse_file


def _header_of_newest_real() -> list[str]:
    path = real_api_files()[-1][1]
    with lzma.open(path, "rt", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh))


def test_measured_rates_come_from_the_real_snapshots():
    profile = measure(REAL_DIR)
    # Every day some entries arrive; almost none leave; likes change more often than scores.
    assert 0.001 < profile.arrive < 0.05
    assert profile.leave < profile.arrive
    assert profile.likes > 0
    assert len(profile.templates) > 4000
    assert profile.header == _header_of_newest_real()


def test_files_are_in_the_real_format_and_import_cleanly(tmp_path):
    files = generate(tmp_path, models=80, days=5, seed=3)
    assert [p.name for p, _ in files] == sorted(p.name for p, _ in files)
    assert files[-1][1] == 80
    with files[0][0].open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == _header_of_newest_real()
    for path, rows in files:
        parsed = parse_file(path, expected_leaderboard="open-llm-leaderboard-v2")
        assert parsed.format == "open-llm-leaderboard-v2/api"
        assert len(parsed.entries) == rows
        assert parsed.rejections == []


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = generate(tmp_path / "a", models=50, days=3, seed=7)
    b = generate(tmp_path / "b", models=50, days=3, seed=7)
    c = generate(tmp_path / "c", models=50, days=3, seed=8)
    assert [p.read_bytes() for p, _ in a] == [p.read_bytes() for p, _ in b]
    assert [p.read_bytes() for p, _ in a] != [p.read_bytes() for p, _ in c]


def test_real_timeline_uses_the_real_file_on_its_date(tmp_path):
    files = generate(tmp_path, models=1, days=3, seed=0, real=True)
    last_day, last_path = real_api_files()[-1]
    assert files[-1][0].name == f"{last_day.isoformat()}.csv"
    real = parse_file(last_path)
    ours = parse_file(files[-1][0])
    assert {(e.facts.repo_id, e.variant) for e in ours.entries} == {(e.facts.repo_id, e.variant) for e in real.entries}


def test_cli_writes_files_and_refuses_nonsense(tmp_path, capsys):
    assert main(["--models", "30", "--days", "2", "--out", str(tmp_path), "--seed", "1"]) == 0
    assert len(list(tmp_path.glob("*.csv"))) == 2
    assert "2 files" in capsys.readouterr().out
    assert main(["--models", "0", "--days", "2", "--out", str(tmp_path)]) == 2
