"""A corpus of broken leaderboard files, built at test time from real seed rows.

Nothing binary is committed: every case starts from a bundled real snapshot (``data/seed``)
and breaks it the way files really break (cut off, re-saved in another encoding, edited by
hand, concatenated twice ...). Random choices use a seeded RNG, so the corpus is the same on
every run.

Each :class:`Case` says what the importer must do with it:

- ``refused``: the whole file is refused with an :class:`core.errors.InputError` whose one-line
  message matches ``reason``; nothing is written.
- ``rows``: the file is imported, and exactly ``bad_rows`` rows are rejected with a reason
  matching ``reason``.
- ``same``: the file imports to exactly the same entries as the clean original.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import random
from dataclasses import dataclass
from pathlib import Path

from core.boards import LMARENA, OPEN_LLM_V1, OPEN_LLM_V2
from core.config import SEED_DIR

RNG_SEED = 6

# Real snapshots the corpus starts from: (leaderboard, seed file, rows kept, snapshot date used).
SOURCES = {
    "arena": (LMARENA, "lmarena/2024-06-19.csv.xz", None, "2025-08-01"),
    "v1-2023": (OPEN_LLM_V1, "open-llm-leaderboard-v1/2023-06-10.csv.xz", None, "2023-11-15"),
    "v1-final": (OPEN_LLM_V1, "open-llm-leaderboard-v1/2024-07-07.csv.xz", 40, "2024-08-01"),
    "v2-gradio": (OPEN_LLM_V2, "open-llm-leaderboard-v2/2024-07-13.csv.xz", 40, "2024-07-14"),
    "v2-api": (OPEN_LLM_V2, "open-llm-leaderboard-v2/2025-03-21.csv.xz", 40, "2025-04-01"),
}
# Per source: the id column and the main score column.
ID_COLUMN = {
    "arena": "model",
    "v1-2023": "Model",
    "v1-final": "fullname",
    "v2-gradio": "fullname",
    "v2-api": "model_name",
}
SCORE_COLUMN = {
    "arena": "arena_elo",
    "v1-2023": "Average",
    "v1-final": "average",
    "v2-gradio": "average",
    "v2-api": "model_average_score",
}


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # key of SOURCES
    data: bytes
    expect: str  # "refused", "rows" or "same"
    reason: str = ""  # regular expression the message / rejection reasons must match
    bad_rows: int = 0
    suffix: str = ".csv"

    @property
    def leaderboard(self) -> str:
        return SOURCES[self.source][0]

    @property
    def day(self) -> str:
        return SOURCES[self.source][3]

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.name}{self.suffix}"
        path.write_bytes(self.data)
        return path


def original(source: str) -> bytes:
    """The clean file a source's cases start from (real rows, possibly the first N only)."""
    _, relpath, keep, _ = SOURCES[source]
    data = lzma.decompress((SEED_DIR / relpath).read_bytes())
    if keep is None:
        return data
    lines = data.splitlines(keepends=True)
    return b"".join(lines[: keep + 1])


def table(source: str) -> tuple[list[str], list[list[str]], bool]:
    """(header, rows, had a BOM) of a source's clean file."""
    data = original(source)
    bom = data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:], bom


def to_csv(header: list[str], rows: list[list[str]], bom: bool = False, newline: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def edited(source: str, edits: dict[int, dict[str, str]]) -> bytes:
    """The clean file with cells replaced: {row index: {column: new text}}."""
    header, rows, bom = table(source)
    rows = [list(r) for r in rows]
    for index, cells in edits.items():
        for column, value in cells.items():
            rows[index][header.index(column)] = value
    return to_csv(header, rows, bom)


def _lookalike(text: str) -> str:
    """Swap the first Latin 'a' for the Cyrillic 'а' (U+0430), which renders the same."""
    return text.replace("a", "\u0430", 1)


def build_cases() -> list[Case]:
    rng = random.Random(RNG_SEED)
    cases: list[Case] = []
    add = cases.append

    # ---------------------------------------------------------------- whole-file failures
    arena = original("arena")
    add(Case("empty", "arena", b"", "refused", r"file is empty"))
    add(Case("whitespace-only", "arena", b"\n \r\n\t\n", "refused", r"file is empty"))
    add(Case("bom-only", "v1-2023", b"\xef\xbb\xbf", "refused", r"file is empty|no data rows"))
    add(Case("header-only", "arena", arena.splitlines(keepends=True)[0], "refused", r"no data rows"))
    lines = arena.splitlines(keepends=True)
    last = lines[-1]
    add(Case("truncated-last-row", "arena", b"".join(lines[:-1]) + last[: len(last) // 2], "refused", r"truncated"))
    cut = rng.randrange(len(arena) // 3, 2 * len(arena) // 3)
    while arena[cut - 1 : cut] in (b"\n", b"\r"):
        cut += 1
    add(Case("truncated-mid-file", "arena", arena[:cut], "refused", r"truncated"))
    v1 = original("v1-2023")
    add(Case("truncated-v1-2023", "v1-2023", v1[: len(v1) * 3 // 5].rstrip(b"\n") + b"x", "refused", r"truncated"))
    # Someone typed an accented name, and the file was re-saved as Latin-1.
    header, rows, _ = table("arena")
    rows[3][header.index("organization")] = "Universit\u00e9 de Montr\u00e9al"
    add(Case("latin-1", "arena", to_csv(header, rows).decode("utf-8").encode("latin-1"), "refused", r"not UTF-8"))
    final = original("v1-final").decode("utf-8")
    add(Case("utf-16", "v1-final", final.encode("utf-16"), "refused", r"UTF-16 text"))
    add(Case("utf-16-le-no-bom", "v1-final", final.encode("utf-16-le"), "refused", r"UTF-16 text"))
    add(Case("binary-junk", "arena", rng.randbytes(4096), "refused", r"binary|not UTF-8"))
    add(Case("png-signature", "arena", b"\x89PNG\r\n\x1a\n" + rng.randbytes(200), "refused", r"binary|not UTF-8"))
    add(Case("gzip-truncated", "arena", gzip.compress(arena)[:300], "refused", r"damaged or truncated"))
    add(Case("xz-truncated", "arena", lzma.compress(arena)[:300], "refused", r"damaged or truncated"))
    add(Case("bz2-garbage", "arena", b"BZh9" + rng.randbytes(300), "refused", r"damaged or truncated"))
    add(Case("parquet-garbage", "arena", b"PAR1" + rng.randbytes(500) + b"PAR1", "refused", r"damaged parquet"))
    add(Case("json-malformed", "arena", b'[{"model": "x", "arena_elo": 12', "refused", r"malformed JSON"))
    add(Case("json-not-records", "arena", b"[1, 2, 3]", "refused", r"not a list of records"))
    add(Case("json-empty-list", "arena", b"[]", "refused", r"not a list of records"))
    add(Case("unknown-header", "arena", b"a,b,c\n1,2,3\n", "refused", r"unknown format"))
    add(Case("wrong-source", "v1-2023", arena, "refused", r"not open-llm-leaderboard-v1"))
    header, rows, bom = table("v1-2023")
    mostly_bad = [list(r) for r in rows]
    for row in mostly_bad[: len(mostly_bad) * 2 // 3]:
        row[header.index("Average")] = "n/a"
    add(Case("mostly-bad-rows", "v1-2023", to_csv(header, mostly_bad, bom), "refused", r"rows are bad"))
    header, rows, _ = table("arena")
    add(
        Case("all-ids-empty", "arena", to_csv(header, [[*r[:1], "", *r[2:]] for r in rows]), "refused", r"bad|no valid")
    )
    # A field beyond the CSV reader's 16 MiB limit.
    add(Case("field-over-csv-limit", "arena", to_csv(header, [[*rows[0][:5], "x" * (17 * 1024 * 1024), *rows[0][6:]]]), "refused", r"malformed CSV"))  # fmt: skip

    # ---------------------------------------------------------------- bad rows, rest kept
    add(Case("nan-score", "v1-2023", edited("v1-2023", {4: {"Average": "NaN"}}), "rows", r"is NaN", 1))
    add(Case("infinite-scores", "v1-final", edited("v1-final", {2: {"average": "inf"}, 5: {"arc": "-Infinity"}}), "rows", r"infinite", 2))  # fmt: skip
    add(Case("above-100", "v1-2023", edited("v1-2023", {7: {"Average": "100.5"}}), "rows", r"above 100", 1))
    add(Case("negative-score", "v2-gradio", edited("v2-gradio", {3: {"ifeval": "-2.5"}}), "rows", r"below 0", 1))
    add(Case("text-for-number", "v2-api", edited("v2-api", {1: {"model_average_score": "sixty"}}), "rows", r"not a number", 1))  # fmt: skip
    add(Case("comma-decimal", "v1-2023", edited("v1-2023", {2: {"Average": "61,5"}}), "rows", r"not a number", 1))
    add(Case("empty-score", "v1-final", edited("v1-final", {6: {"average": ""}}), "rows", r"missing value", 1))
    add(Case("empty-model-id", "v2-api", edited("v2-api", {8: {"model_name": ""}}), "rows", r"empty model", 1))
    add(Case("blank-model-id", "v1-2023", edited("v1-2023", {9: {"Model": "   "}}), "rows", r"empty model", 1))
    header, rows, _ = table("v1-final")
    fake = _lookalike("meta-llama/Llama-2-7b-hf")
    add(Case("cyrillic-lookalike-id", "v1-final", edited("v1-final", {10: {"fullname": fake}}), "rows", r"non-ASCII", 1))  # fmt: skip
    add(Case("cyrillic-lookalike-v2", "v2-api", edited("v2-api", {11: {"model_name": _lookalike("meta-llama/Meta-Llama-3-8B")}}), "rows", r"non-ASCII", 1))  # fmt: skip
    add(Case("path-traversal-id", "v2-gradio", edited("v2-gradio", {2: {"fullname": "../../etc/passwd"}}), "rows", r"not a Hugging Face repo id", 1))  # fmt: skip
    add(Case("bad-commit-sha", "v2-api", edited("v2-api", {5: {"model_sha": "'; DROP TABLE--"}}), "rows", r"not a commit hash", 1))  # fmt: skip
    add(Case("arena-score-too-high", "arena", edited("arena", {5: {"arena_elo": "99999"}}), "rows", r"above 4000", 1))
    add(Case("arena-bad-ci", "arena", edited("arena", {6: {"95_pct_ci": "+3/-"}}), "rows", r"95% CI", 1))
    add(Case("arena-negative-votes", "arena", edited("arena", {7: {"votes": "-12"}}), "rows", r"below 0", 1))
    add(Case("arena-control-chars", "arena", edited("arena", {8: {"model": "gpt\u202e4o"}}), "rows", r"control or invisible", 1))  # fmt: skip
    header, rows, _ = table("arena")
    huge = [list(r) for r in rows]
    huge[4][header.index("organization")] = "A" * 200_000
    add(Case("huge-field", "arena", to_csv(header, huge), "rows", r"longer than", 1))
    short = [list(r) for r in rows]
    short[10] = short[10][:3]
    add(Case("short-row", "arena", to_csv(header, short), "rows", r"fields, the header has", 1))
    header, rows, bom = table("v1-2023")
    add(Case("duplicated-rows", "v1-2023", to_csv(header, rows + rows[:5], bom), "rows", r"duplicate of row", 5))
    add(Case("whole-file-twice", "arena", to_csv(*table("arena")[:2]) + b"".join(original("arena").splitlines(keepends=True)[1:]), "rows", r"duplicate of row", len(table("arena")[1])))  # fmt: skip

    # ---------------------------------------------------------------- harmless variations
    add(Case("bom-added", "arena", b"\xef\xbb\xbf" + arena, "same"))
    add(Case("crlf", "arena", arena.replace(b"\n", b"\r\n"), "same"))
    add(Case("gzip", "arena", gzip.compress(arena), "same", suffix=".csv.gz"))
    add(Case("bz2", "arena", bz2.compress(arena), "same", suffix=".csv.bz2"))
    header, rows, _ = table("arena")
    records = [dict(zip(header, r, strict=True)) for r in rows]
    add(Case("as-json", "arena", json.dumps(records).encode(), "same", suffix=".json"))
    add(Case("as-jsonl", "arena", "\n".join(json.dumps(r) for r in records).encode(), "same", suffix=".jsonl"))
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


CASES = build_cases()
