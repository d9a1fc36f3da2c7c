"""Readers for every real leaderboard format, detected from the header.

Each format turns a file into :class:`ParsedFile`: normalised board entries plus the rows it
rejected, each with a reason. A file that cannot be read at all raises
:class:`core.errors.InputError` with a one-line message.

Formats (see ``docs/data-sources.md``):

- ``open-llm-leaderboard-v1/final``: the v1 table as archived (6 benchmarks).
- ``open-llm-leaderboard-v1/2023``: the 2023 dated scrapes (4 benchmarks, UTF-8 BOM).
- ``open-llm-leaderboard-v2/gradio``: v2 scrapes of the Gradio table (to 2024-12).
- ``open-llm-leaderboard-v2/api``: v2 scrapes of the JSON API, flattened.
- ``open-llm-leaderboard-v2/contents``: the ``open-llm-leaderboard/contents`` dataset (parquet).
- ``lmarena/scrape``: Chatbot Arena CSV scrapes (``arena_elo`` then ``arena_score``).
- ``lmarena/hub``: the ``mathewhe/chatbot-arena-elo`` dataset's columns.
- ``lmarena/dataset``: LMArena's ``leaderboard-dataset`` (many dates: ``ingest.lmarena_dataset``).
"""

from __future__ import annotations

import bz2
import collections
import csv
import functools
import gzip
import hashlib
import io
import itertools
import json
import lzma
import operator
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.boards import LMARENA, OPEN_LLM_V1, OPEN_LLM_V2, leaderboard_def
from core.errors import InputError, UnknownFormatError
from db.records import BoardEntry, ModelFacts, Rejection, SnapshotDelta
from ingest.normalize import (
    BadValue,
    correct_packed_params,
    license_category,
    looks_packed,
    normalize_base_model,
    normalize_license,
    normalize_model_type,
    normalize_precision,
    params_from_name,
    parse_bool,
    parse_date,
    parse_display_id,
    parse_float,
    parse_hub_id,
)

csv.field_size_limit(16 * 1024 * 1024)

MAX_FIELD_CHARS = 100_000  # a longer cell is a broken row, not data


@dataclass
class ParsedFile:
    path: str
    format: str
    leaderboard: str
    sha256: str
    rows_read: int = 0
    entries: list[BoardEntry] = field(default_factory=list)
    # (model id lower, variant) of each entry, in the same order
    keys: list[tuple[str, str]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    # The rows that changed since the file parsed before it with the same row cache (the
    # contract with db: see db.records.SnapshotDelta); None when that is not known.
    delta: SnapshotDelta | None = None


# --------------------------------------------------------------------------- reading


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif data[:6] == b"\xfd7zXZ\x00":
            data = lzma.decompress(data)
        elif data[:3] == b"BZh":
            data = bz2.decompress(data)
    # bz2 raises ValueError for a cut-off stream, gzip zlib.error for a damaged one.
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise InputError(f"{path}: compressed file is damaged or truncated ({exc})") from None
    return data


@dataclass
class Table:
    """A file read as a header and rows of cells (strings, or Python values for parquet)."""

    header: list[str]
    rows: Iterator[tuple[int, list]]  # (1-based data row number, cells)
    truncated_tail: bool = False
    # A CSV file whose header is one line and whose lines end in "\n" (or "\r\n"): its data
    # lines, for the series fast path (``RowCache``). ``rows`` reads the same records.
    lines: list[bytes] | None = None
    text_cells: bool = False  # every cell is a string (CSV)
    # With ``lines``: the file's bytes, not yet decoded as a whole (see ``check_text``).
    undecoded: bytes | None = None

    def check_text(self, path: Path) -> None:
        """Raise what decoding the whole file raises (a file is judged as text before its format)."""
        if self.undecoded is not None:
            _decode(path, self.undecoded)


class _Rejected:
    """A bad record: the reason and its raw text (as stored in ``rejected_rows``)."""

    __slots__ = ("reason", "raw", "short")

    def __init__(self, reason: str, raw: str, short: bool = False) -> None:
        self.reason, self.raw, self.short = reason, raw, short


class _Blank:
    """A record with no cells: skipped (it still has a row number)."""


_BLANK = _Blank()


class RowCache:
    """Records parsed from the previous file of a series, reused when a line is unchanged.

    Consecutive daily snapshots repeat almost every line, so a series of imports parses only
    the lines that changed. A record is a pure function of its line, the header and the
    format, so the same line gives the very same result objects (shared, never changed in
    place: see ``parse_file``). Only the previous file's lines are kept (memory stays one board).
    """

    def __init__(self) -> None:
        self._key: tuple | None = None
        # line -> what the record parser gives (see _record_parser), or _BLANK
        self._previous: dict[bytes, object] = {}
        self.fresh: list[int] = []  # positions of the last call's lines that were parsed anew
        # The digest and (id lower, variant) rows of the last file parsed whole (a delta's base);
        # cleared while a file is being parsed, so a file that fails is no base.
        self.sha256: str | None = None
        self.rows: frozenset = frozenset()
        self._base: tuple[str | None, frozenset] = (None, frozenset())

    def delta(self, sha256: str, keys: Sequence[tuple[str, str]], changed: Iterable[tuple[str, str]]):
        """The :class:`SnapshotDelta` of a file against the last one parsed whole, and make it the base."""
        base, before = self._base
        now = frozenset(keys)
        self.sha256, self.rows = sha256, now
        if base is None:
            return None
        return SnapshotDelta(
            base_sha256=base, added=now - before, changed=frozenset(changed) & before, removed=before - now
        )

    def records(self, fmt: Format, header: list[str], lines: list[bytes], parse_cells) -> list | None:
        """One result per line (as above), or ``None`` when a line is not a whole record."""
        key = (fmt.name, tuple(header))
        previous = self._previous if key == self._key else {}
        results = list(map(previous.get, lines))
        # The last file parsed whole is this one's base; until this one is whole, none is.
        self._base, self.sha256 = (self.sha256, self.rows), None
        self.fresh = list(_positions(results, None))
        for i in self.fresh:
            try:
                reader = csv.reader((lines[i].decode("utf-8") + "\n", "\x00\n"))
                cells = next(reader, ())
            except (UnicodeDecodeError, csv.Error):
                return None  # the general reader gives the error, with its row or byte number
            if reader.line_num != 1:
                return None  # a quoted field runs on: records are not lines here
            results[i] = parse_cells(cells) if cells and any(c.strip() for c in cells) else _BLANK
        self._key = key
        self._previous = dict(zip(lines, results, strict=True))
        return results

    def forget(self) -> None:
        self._key, self._previous = None, {}
        self.sha256, self.rows, self.fresh, self._base = None, frozenset(), [], (None, frozenset())


def _positions(items: list, value: object) -> Iterator[int]:
    """Where ``value`` is in ``items`` (``list.index`` scans in C: fast when it is rare)."""
    at = -1
    while True:
        try:
            at = items.index(value, at + 1)
        except ValueError:
            return
        yield at


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or text whose every other byte is NUL (Excel's "Unicode text")."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:512]
    return len(head) >= 16 and any(half.count(0) >= 0.9 * len(half) for half in (head[0::2], head[1::2]))


def _decode(path: Path, data: bytes) -> str:
    if not data or data.isspace():
        raise InputError(f"{path}: file is empty")
    if b"\x00" in data[:8192]:
        if _looks_utf16(data):
            raise InputError(f"{path}: UTF-16 text, not UTF-8; re-save the file as UTF-8")
        raise InputError(f"{path}: binary file, not CSV, JSON or parquet")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); re-save the file as UTF-8"
        ) from None


def _clean_header(header: list[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff") for h in header]


_NON_SPACE = re.compile(rb"\S")
_BOM = b"\xef\xbb\xbf"


def _csv_lines(data: bytes) -> tuple[list[str], list[bytes]] | None:
    """(the header's cells, the data lines as bytes) when every record of a CSV file may be one line.

    That needs a one-line UTF-8 header, a final newline and no "\\r" but in "\\r\\n" (a lone
    "\\r" ends a record for the csv module). Whether each data line is a whole record, and
    valid UTF-8, is checked when it is parsed (``RowCache.records``). ``None`` for anything
    else (JSON, binary, ...): the general reader decides, with its error messages.
    """
    if not data.endswith(b"\n") or b"\x00" in data[:8192]:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    start = 3 if data.startswith(_BOM) else 0
    first = _NON_SPACE.search(data, start)
    if first is None or data[first.start()] in b"[{" or not 0x20 < data[first.start()] < 0x80:
        return None
    lines = data.split(b"\n")
    lines.pop()  # b"" after the final newline
    try:
        head = lines[0][start:].decode("utf-8")
    except UnicodeDecodeError:
        return None
    reader = csv.reader((head + "\n", "\x00\n"))
    try:
        header = next(reader, None)
    except csv.Error:
        return None
    if header is None or reader.line_num != 1:
        return None
    del lines[0]
    return _clean_header(header), lines


def _csv_table(path: Path, data: bytes, text: str | None) -> Table:
    """A CSV table; with ``text`` None, its data lines too (``Table.lines``), decoded when read."""
    fast = _csv_lines(data) if text is None else None
    if fast is None and text is None:
        text = _decode(path, data)

    def records() -> Iterator[list]:
        reader = csv.reader(io.StringIO(text if text is not None else _decode(path, data), newline=""))
        try:
            yield next(reader)
        except StopIteration:
            raise InputError(f"{path}: file is empty") from None
        except csv.Error as exc:
            raise InputError(f"{path}: malformed CSV header ({exc})") from None
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(f"{path}: malformed CSV near data row {number + 1} ({exc})") from None
            number += 1
            yield cells

    stream = records()
    if fast is not None:
        header, lines = fast
    else:
        header, lines = _clean_header(next(stream)), None

    def rows() -> Iterator[tuple[int, list]]:
        if fast is not None:
            next(stream)  # the header
        for number, cells in enumerate(stream, 1):
            if not cells or all(not c.strip() for c in cells):
                continue
            yield number, cells

    truncated = not (data.endswith((b"\n", b"\r")) if text is None else text.endswith(("\n", "\r")))
    return Table(
        header=header,
        rows=rows(),
        truncated_tail=truncated,
        lines=lines,
        text_cells=True,
        undecoded=data if fast is not None else None,
    )


def _json_table(path: Path, text: str) -> Table:
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{path}: JSON is not a list of records")
    header = list(records[0].keys())
    return Table(
        header=header,
        rows=((i + 1, [r.get(h) for h in header]) for i, r in enumerate(records)),
    )


def _parquet_table(path: Path, data: bytes) -> Table:
    import pyarrow.parquet as pq

    try:
        # use_threads=False: with pyarrow's thread pool, about one process in twenty that read a
        # parquet file aborted at exit ("terminate called without an active exception", code 134).
        table = pq.read_table(io.BytesIO(data), use_threads=False)
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        raise InputError(f"{path}: damaged parquet file ({str(exc).splitlines()[0][:200]})") from None
    header = [str(name) for name in table.column_names]
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]

    def rows() -> Iterator[tuple[int, list]]:
        for i in range(table.num_rows):
            yield i + 1, [col[i] for col in columns]

    return Table(header=header, rows=rows())


def read_table(path: Path, content: tuple[bytes, str] | None = None, *, by_lines: bool = False) -> tuple[Table, str]:
    """Open ``path`` (CSV, JSON/JSONL, parquet; optionally gz/xz/bz2) as a table + sha256.

    ``content`` is the file's decompressed bytes and their sha256 when the caller read them
    already; ``by_lines`` also gives a CSV file's data lines (``Table.lines``) when it can.
    """
    if content is None:
        data = read_bytes(path)
        digest = hashlib.sha256(data).hexdigest()
    else:
        data, digest = content
    if data[:4] == b"PAR1":
        return _parquet_table(path, data), digest
    if by_lines and (table := _csv_table(path, data, None)).lines is not None:
        return table, digest
    text = _decode(path, data)
    if text.lstrip()[:1] in ("[", "{"):
        return _json_table(path, text), digest
    return _csv_table(path, data, text), digest


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Format:
    name: str
    leaderboard: str
    required: frozenset[str]
    parse_row: Callable[[dict], BoardEntry]
    main_score: str


def _has(header: set[str], *names: str) -> bool:
    return all(n in header for n in names)


def detect_format(header: list[str]) -> Format:
    names = set(header)
    for fmt in FORMATS:
        if fmt.required <= names:
            return fmt
    # The 2023 scrapes spell benchmark columns with or without a space before "(".
    raise UnknownFormatError(
        "unknown format: the header matches no known leaderboard format "
        f"(first columns: {', '.join(h[:30] for h in header[:6])})"
    )


# --------------------------------------------------------------------------- row parsers


@functools.cache
def _bench_def(leaderboard: str, bench: str):
    return leaderboard_def(leaderboard).benchmark(bench)


def _bench_value(leaderboard: str, bench: str, raw: object, column: str, required: bool = False):
    bdef = _bench_def(leaderboard, bench)
    return parse_float(raw, column, minimum=bdef.min_value, maximum=bdef.max_value, required=required)


def _scores(leaderboard: str, row: dict, mapping: dict[str, str], main: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    for bench, column in mapping.items():
        if column not in row:
            continue
        value = _bench_value(leaderboard, bench, row[column], column, required=bench == main)
        if value is not None:
            scores[bench] = value
    if main not in scores:
        raise BadValue(f"missing value in column {mapping[main]!r}")
    return scores


def _variant(precision: str | None, revision: str | None) -> str:
    if precision and revision:
        return f"{precision}@{revision}"
    return precision or (f"@{revision}" if revision else "")


def _revision(raw: object) -> str | None:
    text = str(raw or "").strip()
    if not text or text.lower() in ("nan", "none", "?", "main"):
        return None
    if not re.fullmatch(r"[0-9a-fA-F]{6,64}", text):
        raise BadValue(f"model_sha is not a commit hash: {text[:20]!r}")
    return text.lower()


def _params(raw: object, column: str, source: str) -> tuple[float | None, str | None]:
    value = parse_float(raw, column, maximum=20000.0)
    if value is None or value <= 0:  # 0 and -1 mean "unknown" on the boards
        return None, None
    return value, source


def _hub_facts(repo_id: str, **kw) -> ModelFacts:
    lic = kw.pop("license", None)
    facts = ModelFacts(repo_id=repo_id, license=lic, license_category=license_category(lic), **kw)
    if facts.params_b is None:
        estimate = params_from_name(repo_id)
        if estimate is not None:
            facts.params_b, facts.params_source, facts.params_is_estimate = estimate, "name (estimate)", True
    return facts


@dataclass(frozen=True)
class Flag:
    """A boolean column; ``inverted`` when the export stores the opposite of its name's meaning."""

    column: str
    inverted: bool = False


@dataclass(frozen=True)
class HubBoardColumns:
    """Where one Open LLM Leaderboard export keeps each field (one registry per format)."""

    leaderboard: str
    ids: tuple[str, ...]
    scores: dict[str, str]
    precision: str
    sha: str
    params: str
    params_source: str
    license: str
    architecture: str
    types: tuple[str, ...]
    likes: str
    merged: Flag
    flagged: Flag
    moe: Flag
    on_hub: Flag
    base_model: str | None = None
    created: str | None = None
    submitted: str | None = None
    params_rounded: bool = False


_V2_BENCH = ("ifeval", "bbh", "math_lvl_5", "gpqa", "musr", "mmlu_pro")

V1_FINAL = HubBoardColumns(
    leaderboard=OPEN_LLM_V1,
    ids=("fullname", "model"),
    scores={k: k for k in ("average", "arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k")},
    precision="precision",
    sha="model_sha",
    params="params_b",
    params_source="open-llm-leaderboard-v1 (rounded)",
    params_rounded=True,
    license="hub_license",
    architecture="architecture",
    types=("type", "t"),
    likes="hub_hearts",
    # In this archive "merged", "flagged" and "moe" are TRUE for plain models.
    merged=Flag("merged", inverted=True),
    flagged=Flag("flagged", inverted=True),
    moe=Flag("moe", inverted=True),
    on_hub=Flag("available_on_the_hub"),
)

V2_GRADIO = HubBoardColumns(
    leaderboard=OPEN_LLM_V2,
    ids=("fullname", "model"),
    scores={"average": "average", **{k: k for k in _V2_BENCH}, "mmlu_pro": "mmlupro"},
    precision="precision",
    sha="model_sha",
    params="params_b",
    params_source="open-llm-leaderboard-v2",
    license="hub_license",
    architecture="architecture",
    types=("type", "t"),
    likes="hub_hearts",
    merged=Flag("not_merged", inverted=True),
    # The Gradio scrapes store "flagged" and "moe" inverted (TRUE for plain models).
    flagged=Flag("flagged", inverted=True),
    moe=Flag("moe", inverted=True),
    on_hub=Flag("available_on_the_hub"),
    base_model="base_model",
    created="upload_to_hub_date",
    submitted="submission_date",
)

V2_API = HubBoardColumns(
    leaderboard=OPEN_LLM_V2,
    ids=("model_name",),
    scores={
        "average": "model_average_score",
        **{k: f"evaluations_{'math' if k == 'math_lvl_5' else k}_normalized_score" for k in _V2_BENCH},
    },
    precision="model_precision",
    sha="model_sha",
    params="metadata_params_billions",
    params_source="open-llm-leaderboard-v2",
    license="metadata_hub_license",
    architecture="model_architecture",
    types=("model_type",),
    likes="metadata_hub_hearts",
    merged=Flag("features_is_merged"),
    flagged=Flag("features_is_flagged"),
    moe=Flag("features_is_moe"),
    # Despite its name, "features_is_not_available_on_hub" is TRUE for models that ARE on the Hub.
    on_hub=Flag("features_is_not_available_on_hub"),
    base_model="metadata_base_model",
    created="metadata_upload_date",
    submitted="metadata_submission_date",
)

V2_CONTENTS = HubBoardColumns(
    leaderboard=OPEN_LLM_V2,
    ids=("fullname",),
    scores={
        "average": "Average ⬆️",
        "ifeval": "IFEval",
        "bbh": "BBH",
        "math_lvl_5": "MATH Lvl 5",
        "gpqa": "GPQA",
        "musr": "MUSR",
        "mmlu_pro": "MMLU-PRO",
    },
    precision="Precision",
    sha="Model sha",
    params="#Params (B)",
    params_source="open-llm-leaderboard-v2",
    license="Hub License",
    architecture="Architecture",
    types=("Type", "T"),
    likes="Hub ❤️",
    merged=Flag("Merged"),
    flagged=Flag("Flagged"),
    moe=Flag("MoE"),
    on_hub=Flag("Available on the hub"),
    base_model="Base Model",
    created="Upload To Hub Date",
    submitted="Submission Date",
)


def _int(raw: object, column: str) -> int | None:
    value = parse_float(raw, column, minimum=0)
    return None if value is None else int(value)


def _flag(row: dict, flag: Flag) -> bool | None:
    value = parse_bool(row.get(flag.column), flag.column)
    return None if value is None else value != flag.inverted


def _text(row: dict, column: str | None) -> str | None:
    if column is None:
        return None
    return str(row.get(column) or "").strip() or None


def parse_hub_board_row(row: dict, cols: HubBoardColumns) -> BoardEntry:
    """One row of an Open LLM Leaderboard export (v1 final, v2 Gradio, v2 API, v2 contents)."""
    id_column = next((c for c in cols.ids if _text(row, c)), cols.ids[0])
    repo_id = parse_hub_id(row.get(id_column), id_column)
    precision = normalize_precision(row.get(cols.precision))
    revision = _revision(row.get(cols.sha))
    params_b, params_src = _params(row.get(cols.params), cols.params, cols.params_source)
    submitted = _text(row, cols.submitted)
    facts = _hub_facts(
        repo_id,
        params_b=params_b,
        params_source=params_src,
        params_is_estimate=cols.params_rounded and params_b is not None,
        license=normalize_license(row.get(cols.license)),
        architecture=_text(row, cols.architecture),
        model_type=normalize_model_type(next((row[c] for c in cols.types if _text(row, c)), None)),
        base_model=normalize_base_model(row.get(cols.base_model), repo_id) if cols.base_model else None,
        created_date=parse_date(row.get(cols.created), cols.created) if cols.created else None,
        likes=_int(row.get(cols.likes), cols.likes),
        is_merged=_flag(row, cols.merged),
        is_flagged=_flag(row, cols.flagged),
        is_moe=_flag(row, cols.moe),
        on_hub=_flag(row, cols.on_hub),
        extra={"submission_date": submitted[:10]} if submitted else {},
    )
    return BoardEntry(
        facts=facts,
        variant=_variant(precision, revision),
        precision=precision,
        revision=revision,
        scores=_scores(cols.leaderboard, row, cols.scores, "average"),
    )


def parse_v1_final(row: dict) -> BoardEntry:
    return parse_hub_board_row(row, V1_FINAL)


def parse_v2_gradio(row: dict) -> BoardEntry:
    return parse_hub_board_row(row, V2_GRADIO)


def parse_v2_api(row: dict) -> BoardEntry:
    return parse_hub_board_row(row, V2_API)


def parse_v2_contents(row: dict) -> BoardEntry:
    return parse_hub_board_row(row, V2_CONTENTS)


def _v1_2023_columns(row: dict) -> dict[str, str]:
    mapping = {"average": "Average"}
    for column in row:
        flat = column.replace(" ", "").lower()
        for prefix, bench in (
            ("arc(", "arc"),
            ("hellaswag(", "hellaswag"),
            ("mmlu(", "mmlu"),
            ("truthfulqa(", "truthfulqa"),
        ):
            if flat.startswith(prefix):
                mapping[bench] = column
    return mapping


_FLAGGED = re.compile(r"^\s*(\S+)\s+has been flagged!.*$", re.IGNORECASE)


def parse_v1_2023(row: dict) -> BoardEntry:
    # "Parameters" in these scrapes is not a parameter count (a rescaled regex guess): ignored.
    # A flagged model is listed as "org/name has been flagged! See discussion #N".
    raw_id = str(row.get("Model") or "")
    if raw_id.strip() == "Baseline":
        # The board's reference row (25 on every multiple-choice benchmark: random guessing).
        raise BadValue("the 'Baseline' row is the board's random-guess reference, not a model")
    flagged = _FLAGGED.match(raw_id)
    repo_id = parse_hub_id(flagged.group(1) if flagged else raw_id, "Model")
    facts = _hub_facts(repo_id, is_flagged=bool(flagged))
    return BoardEntry(facts=facts, scores=_scores(OPEN_LLM_V1, row, _v1_2023_columns(row), "average"))


_CI = re.compile(r"^\s*\+\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)\s*$")


def _arena_entry(name_raw, score_raw, score_col, ci_raw, votes_raw, org, lic, cutoff, url, rank_raw=None) -> BoardEntry:
    model = parse_display_id(name_raw, "model")
    scores = {"arena_score": _bench_value(LMARENA, "arena_score", score_raw, score_col, required=True)}
    arena_rank = parse_float(rank_raw, "rank", minimum=1)  # the Arena's own rank, as scraped
    if arena_rank is not None:
        scores["arena_rank"] = arena_rank
    votes = parse_float(votes_raw, "votes", minimum=0)
    if votes is not None:
        scores["votes"] = votes
    ci = str(ci_raw or "").strip()
    if ci:
        match = _CI.match(ci)
        if not match:
            raise BadValue(f"95% CI is not of the form +a/-b: {ci[:20]!r}")
        # Checked against the registry's range: "+1/-" followed by 400 nines would be infinity.
        scores["ci_plus"] = _bench_value(LMARENA, "ci_plus", match.group(1), "95% CI (+)")
        scores["ci_minus"] = _bench_value(LMARENA, "ci_minus", match.group(2), "95% CI (-)")
    license_id = normalize_license(lic)
    org_text = " ".join(str(org or "").split())[:100] or None
    estimate = params_from_name(model)  # the Arena gives no sizes: the name's, as an estimate
    facts = ModelFacts(
        repo_id=model,
        org=org_text,
        params_b=estimate,
        params_source="name (estimate)" if estimate is not None else None,
        params_is_estimate=estimate is not None,
        license=license_id,
        license_category=license_category(license_id),
        extra={
            "knowledge_cutoff": " ".join(str(cutoff or "").split())[:40],
            "url": str(url or "").strip()[:500] if str(url or "").strip().startswith(("http://", "https://")) else "",
        },
    )
    return BoardEntry(facts=facts, scores=scores)


def parse_lmarena_scrape(row: dict) -> BoardEntry:
    score_col = "arena_score" if "arena_score" in row else "arena_elo"
    return _arena_entry(
        row.get("model"),
        row.get(score_col),
        score_col,
        row.get("95_pct_ci"),
        row.get("votes"),
        row.get("organization"),
        row.get("license"),
        row.get("knowledge_cutoff"),
        row.get("url"),
        row.get("rank"),
    )


def parse_lmarena_hub(row: dict) -> BoardEntry:
    # "Model Markup" is HTML from a stranger's page: never read, never shown.
    return _arena_entry(
        row.get("Model"),
        row.get("Arena Score"),
        "Arena Score",
        row.get("95% CI"),
        row.get("Votes"),
        row.get("Organization"),
        row.get("License"),
        row.get("Knowledge Cutoff"),
        None,
    )


FORMATS: tuple[Format, ...] = (
    Format(
        "open-llm-leaderboard-v2/api",
        OPEN_LLM_V2,
        frozenset({"model_name", "model_average_score", "evaluations_ifeval_normalized_score"}),
        parse_v2_api,
        "model_average_score",
    ),
    Format(
        "open-llm-leaderboard-v2/contents",
        OPEN_LLM_V2,
        frozenset({"eval_name", "fullname", "Average ⬆️", "IFEval", "MMLU-PRO"}),
        parse_v2_contents,
        "Average ⬆️",
    ),
    Format(
        "open-llm-leaderboard-v2/gradio",
        OPEN_LLM_V2,
        frozenset({"fullname", "average", "ifeval", "bbh", "math_lvl_5", "gpqa", "musr", "mmlupro"}),
        parse_v2_gradio,
        "average",
    ),
    Format(
        "open-llm-leaderboard-v1/final",
        OPEN_LLM_V1,
        frozenset({"fullname", "average", "arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"}),
        parse_v1_final,
        "average",
    ),
    Format("open-llm-leaderboard-v1/2023", OPEN_LLM_V1, frozenset({"Model", "Average"}), parse_v1_2023, "Average"),
    Format("lmarena/hub", LMARENA, frozenset({"Model", "Arena Score", "Votes"}), parse_lmarena_hub, "Arena Score"),
    Format(
        "lmarena/scrape", LMARENA, frozenset({"model", "votes", "arena_score"}), parse_lmarena_scrape, "arena_score"
    ),
    Format(
        "lmarena/scrape-elo", LMARENA, frozenset({"model", "votes", "arena_elo"}), parse_lmarena_scrape, "arena_elo"
    ),
    Format(
        "lmarena/dataset",
        LMARENA,
        frozenset({"model_name", "rating", "category", "leaderboard_publish_date"}),
        lambda row: parse_lmarena_dataset_row(row),
        "rating",
    ),
)


def parse_lmarena_dataset_row(row: dict) -> BoardEntry:
    """LMArena's leaderboard dataset holds many dates: it is read whole by ``ingest.lmarena_dataset``."""
    raise InputError(
        "this is LMArena's leaderboard dataset (every publish date in one file): "
        "import it with 'python -m ingest import lmarena FILE.parquet'"
    )


def _raw_line(header: list[str], cells: list) -> str:
    return json.dumps(dict(zip(header, cells, strict=False)), ensure_ascii=False, default=str)[:4000]


def _record_parser(fmt: Format, header: list[str], text_cells: bool) -> Callable[[list], object]:
    """cells -> (entry, its (model id lower, variant) key, packed-weights candidate?) or a :class:`_Rejected`.

    ``text_cells``: every cell is a string (CSV), so a cell's length is its text's.
    """
    width = len(header)
    parse_row = fmt.parse_row

    def longest(cells) -> int:
        if text_cells:
            return max(map(len, cells), default=0)
        return max((len(c) for c in cells if isinstance(c, str)), default=0)

    def parse(cells) -> object:
        if len(cells) != width:
            return _Rejected(f"row has {len(cells)} fields, the header has {width}", _raw_line(header, cells), True)
        if longest(cells) > MAX_FIELD_CHARS:
            return _Rejected(
                f"a field is longer than {MAX_FIELD_CHARS} characters",
                _raw_line(header, [c[:200] if isinstance(c, str) else c for c in cells]),
            )
        try:
            entry = parse_row(dict(zip(header, cells, strict=True)))
        except BadValue as exc:
            return _Rejected(str(exc), _raw_line(header, cells))
        packed = bool(entry.facts.base_model) and looks_packed(entry.facts.repo_id, entry.precision)
        return entry, (entry.facts.repo_id.lower(), entry.variant), packed

    return parse


def parse_file(
    path: Path,
    expected_leaderboard: str | None = None,
    *,
    row_cache: RowCache | None = None,
    content: tuple[bytes, str] | None = None,
) -> ParsedFile:
    """Read and normalise one file. Bad rows are rejected with reasons; the rest is kept.

    Within one snapshot a model variant appears once: of duplicated rows the best-scoring
    one is kept and the others are rejected as duplicates. ``row_cache`` (optional) reuses
    the parse of lines identical to the previous file's; the result is the same without it.
    Entries may be shared with the cache and other files' results: never change them in place.
    """
    table, digest = read_table(path, content, by_lines=row_cache is not None)
    try:
        fmt = detect_format(table.header)
    except UnknownFormatError as exc:  # name the file: an import of many files must say which one
        table.check_text(path)
        raise UnknownFormatError(f"{path}: {exc}") from None
    if fmt.name == "open-llm-leaderboard-v1/2023" and not any(
        h.replace(" ", "").lower().startswith("arc(") for h in table.header
    ):
        table.check_text(path)
        raise UnknownFormatError(f"{path}: unknown format: has Model and Average but no ARC column")
    if expected_leaderboard and fmt.leaderboard != expected_leaderboard:
        from core.errors import WrongSourceError

        table.check_text(path)
        raise WrongSourceError(
            f"{path}: this is {fmt.leaderboard} data ({fmt.name} format), not {expected_leaderboard}"
        )
    parsed = ParsedFile(path=str(path), format=fmt.name, leaderboard=fmt.leaderboard, sha256=digest)
    parse = _record_parser(fmt, table.header, table.text_cells)
    results = None
    if row_cache is not None:
        if table.lines is not None:
            results = row_cache.records(fmt, table.header, table.lines, parse)
        if results is None:
            row_cache.forget()
    main_bench = leaderboard_def(fmt.leaderboard).main_benchmark
    if results and set(map(type, results)) == {tuple}:
        # The common case of a daily series: every line a valid record.
        parsed.entries, parsed.keys = list(map(_FIRST, results)), list(map(_SECOND, results))
        parsed.rows_read = len(results)
        packed = list(map(_THIRD, results))
        if len(set(parsed.keys)) != len(parsed.keys):
            packed = _drop_duplicates(parsed, packed, table.header, table.lines, main_bench)  # type: ignore[arg-type]
        candidates = list(itertools.compress(range(len(packed)), packed))
        correct_packed_params(parsed.entries, list(map(_FIRST, parsed.keys)), candidates)
        if row_cache is not None:
            # Changed: lines parsed anew, rows the file itself corrects (packed weights) or
            # listed twice. Every other row has the very line of the previous file.
            changed = {results[i][1] for i in row_cache.fresh}  # type: ignore[index]
            changed.update(parsed.keys[i] for i in candidates)
            if len(results) != len(parsed.keys):
                changed.update(k for k, n in collections.Counter(map(_SECOND, results)).items() if n > 1)
            parsed.delta = row_cache.delta(digest, parsed.keys, changed)
        return parsed
    if results is not None:
        lines = table.lines
        assert lines is not None
        records: Iterable[tuple[int, object, object]] = (
            (number, result, lines[number - 1]) for number, result in enumerate(results, 1) if result is not _BLANK
        )
    else:
        records = ((number, parse(cells), cells) for number, cells in table.rows)
    last_short = _assemble(parsed, records, table.header, main_bench)
    if table.truncated_tail:
        # Every real export ends with a newline; one that stops mid-line was cut off. Importing it
        # would close every entry after the cut as "left the board", so the whole file is refused.
        last = last_short if last_short is not None else parsed.rows_read
        raise InputError(
            f"{path}: file is truncated (it stops in the middle of data row {last}, with no final "
            "newline); nothing was imported. If the file is complete, add the final newline."
        )
    if parsed.rows_read == 0:
        raise InputError(f"{path}: has a header but no data rows")
    correct_packed_params(parsed.entries, [key[0] for key in parsed.keys])
    return parsed


_FIRST, _SECOND, _THIRD = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)


def _drop_duplicates(
    parsed: ParsedFile, flags: list[bool], header: list[str], lines: list[bytes], main_bench: str
) -> list[bool]:
    """Keep one entry per (model, variant) of a file whose rows are all valid, as ``_assemble`` does.

    The best score wins and takes the place of the first row; each other row is rejected as a
    duplicate, in file order. Row ``i`` of ``parsed.entries`` is data row ``i + 1`` here.
    ``flags`` go with the entries (one per row); returns them for the entries kept.
    """
    flags = list(flags)
    entries, keys = parsed.entries, parsed.keys
    twice = {key for key, count in collections.Counter(keys).items() if count > 1}
    first: dict[tuple[str, str], int] = {}  # key -> the position its kept entry sits in
    number_at: dict[int, int] = {}  # that position -> the data row number of the entry there
    dropped: set[int] = set()
    for i in itertools.compress(range(len(keys)), map(twice.__contains__, keys)):
        key, entry = keys[i], entries[i]
        at = first.setdefault(key, i)
        if at == i:
            number_at[i] = i + 1
            continue
        dropped.add(i)
        kept, kept_number = entries[at], number_at[at]
        raw: str | None = _raw_line(header, _cells_of(lines[i]))
        loser_number = i + 1
        if entry.scores[main_bench] > kept.scores[main_bench]:
            entries[at], number_at[at], flags[at] = entry, i + 1, flags[i]
            loser_number, kept, kept_number, raw = kept_number, entry, i + 1, None
        parsed.rejections.append(
            Rejection(
                loser_number,
                f"duplicate of row {kept_number} for {kept.facts.repo_id} {kept.variant}".rstrip()
                + " (kept the higher score)",
                raw,
            )
        )
    keep = [i not in dropped for i in range(len(entries))]
    parsed.entries = list(itertools.compress(entries, keep))
    parsed.keys = list(itertools.compress(keys, keep))
    return list(itertools.compress(flags, keep))


def _cells_of(source: object) -> list:
    """A record's cells from its cells or its one line of CSV (for the raw text of a rejection)."""
    if isinstance(source, bytes):
        return next(csv.reader((source.decode("utf-8") + "\n",)), [])
    return list(source)  # type: ignore[call-overload]


def _assemble(parsed: ParsedFile, records, header: list[str], main_bench: str) -> int | None:
    """Fill ``parsed`` from (row number, parse result, cells or line) in file order.

    Returns the number of the last row when it has the wrong number of fields (a truncated
    file's last row usually has), else ``None``.
    """
    entries, keys, rejections = parsed.entries, parsed.keys, parsed.rejections
    numbers: list[int] = []
    best: dict[tuple[str, str], int] = {}  # (model id lower, variant) -> index in entries
    pending_short: Rejection | None = None
    for number, result, source in records:
        parsed.rows_read += 1
        if pending_short is not None:
            rejections.append(pending_short)
            pending_short = None
        if result.__class__ is _Rejected:
            rejection = Rejection(number, result.reason, result.raw)  # type: ignore[attr-defined]
            if result.short:  # type: ignore[attr-defined]
                pending_short = rejection
            else:
                rejections.append(rejection)
            continue
        entry, key, _ = result  # type: ignore[misc]
        at = best.get(key)
        if at is None:
            best[key] = len(entries)
            entries.append(entry)
            keys.append(key)
            numbers.append(number)
            continue
        kept, kept_number = entries[at], numbers[at]
        raw: str | None = _raw_line(header, _cells_of(source))
        loser_number = number
        if entry.scores[main_bench] > kept.scores[main_bench]:
            entries[at], numbers[at] = entry, number
            loser_number, kept, kept_number, raw = kept_number, entry, number, None
        rejections.append(
            Rejection(
                loser_number,
                f"duplicate of row {kept_number} for {kept.facts.repo_id} {kept.variant}".rstrip()
                + " (kept the higher score)",
                raw,
            )
        )
    if pending_short is not None:
        rejections.append(pending_short)
        return pending_short.row_number
    return None


# A lookahead, so that candidates may overlap: in "v1-2023-2030-01-02" the invalid "2023-20-30"
# must not swallow the valid "2030-01-02".
_DATE_IN_NAME = re.compile(r"(?<!\d)(?=(\d{4})-?(\d{2})-?(\d{2})(?!\d))")


def date_from_name(path: Path):
    """The first YYYY-MM-DD or YYYYMMDD in the file name, or ``None``."""
    import datetime as dt

    for match in _DATE_IN_NAME.finditer(path.name):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None
