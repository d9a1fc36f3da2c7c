"""Property-based fuzzing (hypothesis) of every parser the importers use.

The only exception any parser may raise is :class:`core.errors.InputError` (a whole file refused)
or, for the row-level helpers, :class:`ingest.normalize.BadValue` (a row rejected with a reason).
Generated files start from the headers and rows of the real seed snapshots (all eight formats),
with cells replaced by hostile values, so that the parsers get past the header check and into
the row code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.boards import leaderboard_def
from core.errors import InputError
from ingest import normalize
from ingest.formats import date_from_name, parse_file, parse_lmarena_scrape, read_table
from ingest.normalize import BadValue
from tests.reliability.corpus import SOURCES, table

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-fuzz")]

EXAMPLES = 300
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _more_formats() -> dict[str, tuple[list[str], list[list[str]]]]:
    """The formats the corpus does not start from: Arena with arena_score, the Hub datasets' columns."""
    import pyarrow.parquet as pq

    from testing.fakehub import SEED, build_contents_parquet, lmarena_rows
    from tests.reliability.helpers import seed_rows

    text = seed_rows("lmarena/2025-07-18.csv.xz").decode("utf-8")
    arena = list(csv.reader(io.StringIO(text, newline="")))
    contents = pq.read_table(io.BytesIO(build_contents_parquet(rows=20))).to_pylist()
    hub_rows = lmarena_rows(SEED / "lmarena" / "2025-07-18.csv.xz")[:20]

    def as_text(records: list[dict]) -> tuple[list[str], list[list[str]]]:
        header = list(records[0])
        return header, [["" if r[h] is None else str(r[h]) for h in header] for r in records]

    return {"arena-score": (arena[0], arena[1:30]), "v2-contents": as_text(contents), "arena-hub": as_text(hub_rows)}


HEADERS = {name: table(name)[:2] for name in SOURCES} | _more_formats()

# Values that have broken parsers elsewhere: number spellings, special floats, unicode digits,
# look-alikes, markup, SQL, control characters, very long text.
NASTY = [
    "", " ", "nan", "NaN", "-nan", "inf", "-Infinity", "1e309", "-1e309", "1e-400", "-0", "0x1F", "1_000",
    "١٢", "²", "½", "+3/-4", "+nan/-inf", "+1e999/-1", "TRUE", "None", "null", "?", "N/A", "—",
    "meta-llаma/Llama-2-7b-hf", "<img src=x onerror=alert(1)>", "x'; DROP TABLE models; --", "=cmd|' /C calc'!A0",
    "a/b/c", "../x", "a//b", "https://huggingface.co/", "\x00", "\u202egpt", "\ufeffid", "x" * 5000,
]  # fmt: skip
cells = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.sampled_from(NASTY)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def check_parsed(parsed) -> None:
    """What every successfully parsed file must satisfy."""
    assert parsed.rows_read == len(parsed.entries) + len(parsed.rejections)
    for rejection in parsed.rejections:
        assert rejection.reason.strip() and "\n" not in rejection.reason
    bounds = {b.key: b for b in leaderboard_def(parsed.leaderboard).benchmarks}
    for entry in parsed.entries:
        assert entry.facts.repo_id.strip() == entry.facts.repo_id and entry.facts.repo_id
        for key, value in entry.scores.items():
            assert math.isfinite(value), (key, value)
            low, high = bounds[key].min_value, bounds[key].max_value
            assert (low is None or value >= low) and (high is None or value <= high), (key, value)


def _parse(path: Path):
    try:
        parsed = parse_file(path)
    except InputError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return None
    check_parsed(parsed)
    return parsed


def test_parse_file_on_generated_csv_rows_of_every_format(tmp_path, figure):
    count = 0

    @FUZZ
    @given(source=st.sampled_from(sorted(HEADERS)), data=st.data())
    def run(source, data):
        nonlocal count
        header, rows = HEADERS[source]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=data.draw(st.sampled_from(["\n", "\r\n"])))
        writer.writerow(header)
        for _ in range(data.draw(st.integers(1, 6))):
            row = list(data.draw(st.sampled_from(rows)))
            for column in data.draw(st.lists(st.integers(0, len(header) - 1), max_size=5)):
                row[column] = data.draw(cells)
            writer.writerow(row)
        path = tmp_path / "generated.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        _parse(path)
        count += 1

    run()
    figure("fuzz_generated_csv_files", count)


def test_parse_file_on_mutated_bytes_of_real_files(tmp_path, figure):
    count = 0
    originals = {}
    for name in SOURCES:
        header, rows = HEADERS[name]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows[:8]])
        originals[name] = out.getvalue().encode()

    @FUZZ
    @given(source=st.sampled_from(sorted(originals)), data=st.data())
    def run(source, data):
        nonlocal count
        blob = bytearray(originals[source])
        for _ in range(data.draw(st.integers(1, 8))):
            op = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            at = data.draw(st.integers(0, max(len(blob) - 1, 0)))
            if op == "flip" and blob:
                blob[at] = data.draw(st.integers(0, 255))
            elif op == "insert":
                blob[at:at] = data.draw(st.binary(min_size=1, max_size=8))
            elif op == "delete":
                del blob[at : at + data.draw(st.integers(1, 20))]
            else:
                del blob[at:]
        path = tmp_path / "mutated.csv"
        path.write_bytes(bytes(blob))
        _parse(path)
        count += 1

    run()
    figure("fuzz_mutated_files", count)


def test_parse_file_on_generated_json_records(tmp_path, figure):
    count = 0

    @FUZZ
    @given(source=st.sampled_from(sorted(HEADERS)), data=st.data())
    def run(source, data):
        nonlocal count
        header, rows = HEADERS[source]
        records = []
        for _ in range(data.draw(st.integers(1, 4))):
            record: dict = dict(zip(header, data.draw(st.sampled_from(rows)), strict=True))
            for column in data.draw(st.lists(st.sampled_from(header), max_size=4)):
                record[column] = data.draw(json_values)
            records.append(record)
        path = tmp_path / "generated.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        _parse(path)
        count += 1

    run()
    figure("fuzz_generated_json_files", count)


def test_parse_file_on_generated_parquet(tmp_path, figure):
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    typed = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(NASTY),
        st.dates(),
        st.lists(st.text(max_size=5), max_size=3),
        st.binary(max_size=8),
    )

    @FUZZ
    @given(source=st.sampled_from(sorted(HEADERS)), data=st.data())
    def run(source, data):
        nonlocal count
        header, rows = HEADERS[source]
        records = [dict(zip(header, r, strict=True)) for r in data.draw(st.lists(st.sampled_from(rows), min_size=1, max_size=3))]  # fmt: skip
        for column in data.draw(st.lists(st.sampled_from(header), max_size=4, unique=True)):
            value = data.draw(typed)
            for record in records:
                record[column] = value
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(records), sink)
        path = tmp_path / "generated.parquet"
        path.write_bytes(sink.getvalue())
        _parse(path)
        count += 1

    run()
    figure("fuzz_generated_parquet_files", count)


def test_read_table_on_arbitrary_bytes(tmp_path, figure):
    count = 0
    prefixes = st.sampled_from(
        [b"", b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh9", b"PAR1", b"\xef\xbb\xbf", b"[", b"{", b"\xff\xfe"]
    )

    @FUZZ
    @given(prefix=prefixes, body=st.binary(max_size=600))
    def run(prefix, body):
        nonlocal count
        path = tmp_path / "bytes.bin"
        path.write_bytes(prefix + body)
        try:
            read_table(path)
        except InputError as exc:
            assert "\n" not in str(exc)
        count += 1

    run()
    figure("fuzz_arbitrary_byte_files", count)


ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=60),
    st.sampled_from(NASTY),
    st.dates(),
    st.datetimes(),
    st.lists(st.text(max_size=4), max_size=2),
)


def test_normalize_functions_raise_nothing_but_bad_value(figure):
    count = 0
    calls = {
        "parse_hub_id": lambda v: normalize.parse_hub_id(v, "model"),
        "parse_display_id": lambda v: normalize.parse_display_id(v, "model"),
        "parse_float": lambda v: normalize.parse_float(v, "score", minimum=0.0, maximum=100.0),
        "parse_bool": lambda v: normalize.parse_bool(v, "flag"),
        "parse_date": lambda v: normalize.parse_date(v, "date"),
        "normalize_precision": normalize.normalize_precision,
        "normalize_model_type": normalize.normalize_model_type,
        "normalize_license": normalize.normalize_license,
        "license_category": lambda v: normalize.license_category(v if isinstance(v, str) else None),
        "normalize_base_model": lambda v: normalize.normalize_base_model(v, "org/model"),
        "params_from_name": lambda v: normalize.params_from_name(v if isinstance(v, str) else str(v)),
    }

    @FUZZ
    @given(name=st.sampled_from(sorted(calls)), value=ANY)
    def run(name, value):
        nonlocal count
        try:
            result = calls[name](value)
        except BadValue as exc:
            assert str(exc).strip() and "\n" not in str(exc)
            result = None
        if name == "parse_float" and result is not None:
            assert math.isfinite(result) and 0.0 <= result <= 100.0
        if name == "parse_hub_id" and result is not None:
            assert result.isascii() and ".." not in result
        if name == "params_from_name" and result is not None:
            assert math.isfinite(result) and result > 0
        count += 1

    run()
    figure("fuzz_normalize_calls", count)


def test_lmarena_ci_parser(figure):
    count = 0
    ci = st.one_of(
        st.builds(lambda a, b: f"+{a}/-{b}", st.floats(0, 500, allow_nan=False), st.floats(0, 500, allow_nan=False)),
        st.builds(lambda a, b: f"+{a}/-{b}", st.integers(0, 10**6), st.integers(0, 10**6)),
        st.text(max_size=20),
        st.sampled_from(NASTY),
    )

    @FUZZ
    @given(value=ci)
    def run(value):
        nonlocal count
        row = {"model": "gpt-4o-2024-05-13", "arena_score": "1287", "95_pct_ci": value, "votes": "42046"}
        try:
            entry = parse_lmarena_scrape(row)
        except BadValue as exc:
            assert "\n" not in str(exc)
        else:
            for key in ("ci_plus", "ci_minus"):
                if key in entry.scores:
                    assert math.isfinite(entry.scores[key]) and 0 <= entry.scores[key] <= 1000
            match = re.fullmatch(r"\s*\+\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)\s*", value)
            if match and float(match.group(1)) <= 1000 and float(match.group(2)) <= 1000:
                assert (entry.scores["ci_plus"], entry.scores["ci_minus"]) == (
                    float(match.group(1)),
                    float(match.group(2)),
                )
        count += 1

    run()
    figure("fuzz_lmarena_ci_values", count)


def test_date_from_name(figure):
    count = 0
    no_digits = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="/\x00"), max_size=12)  # fmt: skip

    @FUZZ
    @given(prefix=no_digits, day=st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)), compact=st.booleans(), suffix=no_digits, junk=st.text(max_size=30))  # fmt: skip
    def run(prefix, day, compact, suffix, junk):
        nonlocal count
        text = day.strftime("%Y%m%d") if compact else day.isoformat()
        # An embedded date among non-digits is always found.
        assert date_from_name(Path(f"{prefix}{text}{suffix}.csv")) == day
        # Any name at all: a date or None, never an exception.
        found = date_from_name(Path((junk.replace("/", "_").replace("\x00", "") or "x") + ".csv"))
        assert found is None or isinstance(found, dt.date)
        count += 1

    run()
    figure("fuzz_file_names", count)
