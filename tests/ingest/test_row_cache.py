"""A series parse (``RowCache``: unchanged lines reused) gives exactly what a plain parse gives.

The files are real v2 snapshots, cut short and then damaged the ways real exports are:
duplicates, short rows, bad values, blank lines, quoted fields over several lines, CRLF
line ends, a BOM. Each file is parsed with the cache carried over from the previous one.
"""

from __future__ import annotations

import csv
import io
import lzma

import pytest

from core.errors import InputError
from ingest.formats import RowCache, parse_file
from tests.conftest import seed_snapshots

V2 = "open-llm-leaderboard-v2"


def _real_rows(count: int) -> tuple[list[str], list[list[str]]]:
    """Header and the first ``count`` rows of the newest real API-format v2 snapshot."""
    path = seed_snapshots(V2)[-1]
    rows = list(csv.reader(io.StringIO(lzma.decompress(path.read_bytes()).decode("utf-8"), newline="")))
    return rows[0], rows[1 : count + 1]


def _text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *rows])
    return out.getvalue()


def _summary(parsed) -> tuple:
    entries = [(e.facts, e.variant, e.precision, e.revision, e.scores) for e in parsed.entries]
    rejections = [(r.row_number, r.reason, r.raw) for r in parsed.rejections]
    return parsed.format, parsed.rows_read, entries, parsed.keys, rejections


def _series(header, rows) -> list[tuple[str, str]]:
    """(name, CSV text): a day that repeats, then one damaged way per day."""
    avg = header.index("model_average_score")
    likes = header.index("metadata_hub_hearts")
    name = header.index("model_name")
    rescored = [list(r) for r in rows]
    rescored[3][avg] = str(float(rescored[3][avg]) + 1.25)
    rescored[5][likes] = str(int(float(rescored[5][likes] or 0)) + 7)
    # Row 3 three times (the second copy scores lower, the third higher), row 10 twice.
    duplicate = [list(r) for r in rows] + [list(rows[2]), list(rows[9]), list(rows[2])]
    duplicate[-3][avg] = str(float(rows[2][avg]) - 3.0)
    duplicate[-2][avg] = str(float(rows[9][avg]) - 1.0)
    duplicate[-1][avg] = str(float(rows[2][avg]) + 3.0)
    short = [list(r) for r in rows]
    short[4] = short[4][:10]
    bad = [list(r) for r in rows]
    bad[6][avg] = "not a number"
    multiline = [list(r) for r in rows]
    multiline[7][name] = multiline[7][name] + "\nsecond line"
    return [
        ("day-1", _text(header, rows)),
        ("same-again", _text(header, rows)),
        ("rescored", _text(header, rescored)),
        ("duplicate", _text(header, duplicate)),
        ("short-row", _text(header, short)),
        ("bad-value", _text(header, bad)),
        ("blank-lines", _text(header, rows).replace("\n", "\n\n", 3)),
        ("crlf", _text(header, rescored, "\r\n")),
        ("crlf-again", _text(header, rescored, "\r\n")),
        ("bom", "\ufeff" + _text(header, rows)),
        ("multiline-field", _text(header, multiline)),
        ("back-to-normal", _text(header, rows)),
        ("lone-cr", _text(header, rows).replace("\n", "\r", 2)),
        ("back-again", _text(header, rows)),
    ]


def test_a_series_parse_equals_a_plain_parse_day_by_day(tmp_path):
    header, rows = _real_rows(40)
    cache = RowCache()
    for i, (name, text) in enumerate(_series(header, rows)):
        path = tmp_path / f"{name}-2025-01-{i + 1:02d}.csv"
        path.write_bytes(text.encode("utf-8"))
        plain, cached = parse_file(path), parse_file(path, row_cache=cache)
        assert _summary(cached) == _summary(plain), name
    # The days really were different: the duplicates were rejected, the best copy kept.
    duplicates = parse_file(tmp_path / "duplicate-2025-01-04.csv")
    assert [r.reason.split(" for ")[0] for r in duplicates.rejections] == [
        "duplicate of row 3",
        "duplicate of row 10",
        "duplicate of row 43",
    ]
    assert [r.row_number for r in duplicates.rejections] == [41, 42, 3]


def test_unchanged_lines_give_the_same_objects(tmp_path):
    header, rows = _real_rows(20)
    cache = RowCache()
    first, second = tmp_path / "a-2025-01-01.csv", tmp_path / "b-2025-01-02.csv"
    first.write_text(_text(header, rows), encoding="utf-8")
    changed = [list(r) for r in rows]
    changed[0][header.index("model_average_score")] = "1.5"
    second.write_text(_text(header, changed), encoding="utf-8")
    a, b = parse_file(first, row_cache=cache), parse_file(second, row_cache=cache)
    assert [x is y for x, y in zip(a.entries, b.entries, strict=True)] == [False] + [True] * (len(rows) - 1)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: t[:-1], "truncated"),
        (lambda t: t.split("\n", 1)[0] + "\n", "has a header but no data rows"),
        # A quote that never closes: the rest of the file is one field of one short row.
        (lambda t: t.replace("\n", '\n"', 1), "row has 1 fields, the header has 40"),
    ],
)
def test_a_broken_file_in_a_series_fails_as_it_does_alone(tmp_path, damage, message):
    header, rows = _real_rows(10)
    cache = RowCache()
    good = tmp_path / "good-2025-01-01.csv"
    good.write_text(_text(header, rows), encoding="utf-8")
    parse_file(good, row_cache=cache)
    broken = tmp_path / "broken-2025-01-02.csv"
    broken.write_text(damage(_text(header, rows)), encoding="utf-8")
    outcomes = []
    for row_cache in (None, cache):
        try:
            outcomes.append(_summary(parse_file(broken, row_cache=row_cache)))
        except InputError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    assert message in str(outcomes[0])


def test_a_file_is_judged_as_text_before_its_format(tmp_path):
    """Not UTF-8 and of another board: the encoding error, with or without the series cache."""
    path = tmp_path / "arena-2025-01-01.csv"
    path.write_bytes(b"model,votes,arena_score\nfoo/bar,10,1200\nbaz/q\xff,5,1100\n")
    errors = []
    for row_cache in (None, RowCache()):
        with pytest.raises(InputError) as caught:
            parse_file(path, V2, row_cache=row_cache)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "not UTF-8 text (byte 45" in errors[0]
