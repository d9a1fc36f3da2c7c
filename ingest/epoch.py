"""Source ``epoch``: Epoch AI's Benchmarking Hub (``benchmark_data.zip``, CC BY 4.0).

extract (a zip, an unpacked folder or single CSV files) -> normalise (every CSV is one benchmark
of the ``epoch`` board, its key the file's stem; the score column is found from the header)
-> load (the ordinary snapshot path, with each score's provenance beside it in
``score_provenance``).

Three shapes, told apart by their header:

- Epoch's own runs (``gpqa_diamond.csv``, ...): ``mean_score`` (a fraction), ``stderr``,
  ``Log viewer``/``Logs``, ``Started at`` and the run ``id``: provenance ``measured``, one
  variant per run (a model may have several runs; boards rank its best);
- external results (``mmlu_external.csv``, ...): one score column named by the benchmark
  (``EM``, ``Global average``, ...) with ``Source``, ``Source link`` (``Shots``, ``Notes``):
  provenance ``external``, one variant per record ``id``;
- the Epoch Capabilities Index (``ECI Score``): provenance ``measured``, no run date.

History: an Epoch run is valid from its ``Started at`` day, so the board "as of" any day shows
what had been measured by then; rows without a date of their own (external results, the index,
a run without ``Started at``) are valid from the first snapshot that listed them (stored in
``score_provenance.first_seen``). One import writes a snapshot on every such day (the board as
this file knows it on that day) and on the import day, each skipped when it is already stored
with the same content: importing the same zip again changes nothing.

``python -m ingest run epoch`` downloads the zip through the bounded HTTP session
(:mod:`ingest.http`) with ``If-None-Match`` and the stored ETag, and imports only when it changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from core.boards import EPOCH, BenchmarkDef, task_of
from core.config import Settings
from core.errors import HubError, InputError, TrackerError
from db import provenance, writes
from db.records import BoardEntry, ModelFacts, Rejection
from db.registry import register_benchmarks
from ingest.formats import read_bytes
from ingest.normalize import optional_date
from ingest.sizes import params_from_name

log = logging.getLogger(__name__)

SOURCE_NAME = "Epoch AI Benchmarking Hub"
SOURCE_URL = "https://epoch.ai/benchmarks"
CITATION = (
    "Epoch AI, 'AI Benchmarking Hub'. Published online at epoch.ai. "
    "Retrieved from 'https://epoch.ai/benchmarks' [online resource]."
)
LICENSE = "CC BY 4.0"
STATE_ETAG = "etag"
STATE_CHANGED = "last_change"
MAX_ZIP_BYTES = 200 * 1024 * 1024  # the real zip is about 2.3 MB
MAX_MEMBER_BYTES = 100 * 1024 * 1024

RUNS, EXTERNAL, INDEX = "runs", "external", "index"
# Columns that describe a model or a result, never the score itself.
_META = {
    "model version",
    "release date",
    "organization",
    "country",
    "training compute (flop)",
    "training compute notes",
    "name",
    "shots",
    "source",
    "source link",
    "notes",
    "id",
    "model accessibility",
    "confidence",
    "model name",
    "description",
    "display name",
    "parameters",
    "number of parameters",
    "date",
    "log viewer",
    "logs",
    "started at",
    "stderr",
    "best score (across scorers)",
    "mean_score",
    "country (from organization)",
    "organization categorization",
}
_ACRONYMS = {
    "gpqa",
    "mmlu",
    "swe",
    "aime",
    "hle",
    "otis",
    "gsm8k",
    "eci",
    "arc",
    "agi",
    "bbh",
    "ifeval",
    "gso",
    "wmt",
    "qa",
}


@dataclass(frozen=True)
class EpochRow:
    """One score of one CSV row, normalised."""

    model: str
    variant: str
    benchmark: str
    value: float
    provenance: str
    run_date: dt.date | None = None
    stderr: float | None = None
    log_url: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    notes: str | None = None


@dataclass
class EpochFile:
    name: str
    benchmark: BenchmarkDef
    shape: str
    rows: list[EpochRow] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0


# --------------------------------------------------------------------------- extract


def read_sources(paths: Sequence[str | Path]) -> list[tuple[str, bytes]]:
    """(file name, content) of every CSV in ``paths``: zips, folders and single CSV files."""
    found: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            csvs = sorted(p for p in path.iterdir() if _csv_name(p.name) and p.is_file())
            if not csvs:
                raise InputError(f"{path}: no CSV file in the folder")
            found.extend((_csv_name(p.name), read_bytes(p)) for p in csvs)
        elif not path.exists():
            raise InputError(f"{path}: no such file")
        elif zipfile.is_zipfile(path):
            found.extend(read_zip(path.read_bytes(), str(path)))
        elif _csv_name(path.name):
            found.append((_csv_name(path.name), read_bytes(path)))
        else:
            raise InputError(f"{path}: not a zip, a folder or a CSV file")
    names = [n for n, _ in found]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"the same benchmark file given twice: {', '.join(dupes)}")
    return found


def _csv_name(name: str) -> str | None:
    """``x.csv`` (also ``x.csv.xz``, ``x.csv.gz``: the seed's compressed copies) -> ``x.csv``."""
    lower = name.lower()
    for suffix in ("", ".xz", ".gz", ".bz2"):
        if lower.endswith(".csv" + suffix):
            return name[: len(name) - len(suffix)] if suffix else name
    return None


def read_zip(data: bytes, label: str = "benchmark_data.zip") -> list[tuple[str, bytes]]:
    """The CSV members of a zip (any folder inside; macOS metadata skipped), size-checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"{label}: not a readable zip ({exc})") from None
    out = []
    with archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or not name.lower().endswith(".csv") or "__MACOSX" in info.filename:
                continue
            if name.startswith("."):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputError(f"{label}: {name} is too large ({info.file_size} bytes)")
            try:
                out.append((name, archive.read(info)))
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputError(f"{label}: {name} cannot be read ({exc})") from None
    if not out:
        raise InputError(f"{label}: no CSV file in the zip")
    return sorted(out)


# --------------------------------------------------------------------------- normalise


def display_name(stem: str) -> str:
    """``gpqa_diamond`` -> ``GPQA Diamond``."""
    words = re.split(r"[_\s]+", stem.strip())
    return " ".join(w.upper() if w.lower() in _ACRONYMS else w.capitalize() for w in words if w)


def _number(text: str | None) -> float | None:
    """A finite number; ``45.2%`` is 45.2 (the file's own scale is kept)."""
    if text is None or str(text).strip() == "":
        return None
    try:
        value = float(str(text).strip().removesuffix("%").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def detect_shape(name: str, header: Sequence[str], records: Sequence[dict] = ()) -> tuple[str, str]:
    """(shape, score column) from a CSV header; :class:`InputError` naming the file otherwise.

    Epoch's files put the score right after ``Model version`` (``mean_score``, ``ECI Score``,
    ``EM``, ``Global average``, ...), followed by descriptive columns and sometimes more scores
    (LiveBench's category averages): the column after ``Model version`` is the score when its
    values are numbers; otherwise the only numeric column that is not descriptive.
    """
    columns = [c.strip() for c in header]
    present = set(columns)
    if "Model version" in present and "mean_score" in present and ("Started at" in present or "stderr" in present):
        return RUNS, "mean_score"
    if "Model version" in present and "ECI Score" in present:
        return INDEX, "ECI Score"
    if "Model version" in present and {"Source", "Source link"} & present:
        after = columns.index("Model version") + 1
        if after < len(columns) and columns[after].lower() not in _META and _numeric(records, columns[after]):
            return EXTERNAL, columns[after]
        candidates = [c for c in columns if c and c.lower() not in _META and _numeric(records, c)]
        if len(candidates) == 1:
            return EXTERNAL, candidates[0]
        what = ", ".join(candidates) if candidates else "none"
        raise InputError(f"{name}: unknown Epoch shape: no score column after 'Model version' (numeric: {what})")
    raise InputError(
        f"{name}: unknown Epoch shape (header: {', '.join(columns[:8])}{', ...' if len(columns) > 8 else ''})"
    )


def _numeric(records: Sequence[dict], column: str) -> bool:
    """True when most non-empty values of ``column`` are numbers (a score column)."""
    values = [str(r.get(column) or "").strip() for r in records]
    values = [v for v in values if v]
    if not values:
        return not records  # a header without rows: judged by the header alone
    return sum(_number(v) is not None for v in values) >= 0.8 * len(values)


def parse_csv(name: str, data: bytes) -> EpochFile:
    """One Epoch CSV -> its benchmark and rows; bad rows are rejected with a reason."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    except csv.Error as exc:
        raise InputError(f"{name}: not a CSV file ({exc})") from None
    stem = Path(name).stem
    if len(stem) > 60:
        raise InputError(f"{name}: the file name is too long for a benchmark key (at most 60 characters)")
    columns = [c.strip() for c in header]
    records = []
    try:
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            records.append(dict(zip(columns, line, strict=False)))
    except csv.Error as exc:
        raise InputError(f"{name}: broken CSV ({exc})") from None
    shape, score_col = detect_shape(name, header, records)
    result = EpochFile(name=name, benchmark=_benchmark(stem, shape, score_col, records), shape=shape)
    result.rows_read = len(records)
    best: dict[tuple[str, str], int] = {}
    for number, rec in enumerate(records, start=2):
        row, reason = _row(stem, shape, score_col, rec)
        if row is None:
            result.rejections.append(Rejection(number, f"{name}: {reason}", _raw(rec)))
            continue
        key = (row.model.lower(), row.variant)
        if key in best:
            kept = result.rows[best[key]]
            loser = row if row.value <= kept.value else kept
            if loser is kept:
                result.rows[best[key]] = row
            result.rejections.append(
                Rejection(
                    number, f"{name}: duplicate {row.model} {row.variant or '(no id)'}: the best value kept", _raw(rec)
                )
            )
            continue
        best[key] = len(result.rows)
        result.rows.append(row)
    return result


def _raw(rec: dict) -> str:
    import json

    return json.dumps({k: v for k, v in rec.items() if v}, ensure_ascii=False)[:4000]


def _benchmark(stem: str, shape: str, score_col: str, records: list[dict]) -> BenchmarkDef:
    task = task_of(stem)
    if shape == RUNS:
        return BenchmarkDef(
            stem,
            display_name(stem),
            task,
            f"Epoch AI's own runs ({score_col}, a fraction; stderr as +/-)",
            scale="fraction",
            min_value=0.0,
            max_value=1.0,
        )
    if shape == INDEX:
        return BenchmarkDef(
            stem,
            "Epoch Capabilities Index",
            task,
            "Epoch AI's index of capabilities across benchmarks (ECI Score, its own scale)",
            scale="index",
            min_value=None,
            max_value=None,
        )
    values = [v for v in (_number(r.get(score_col)) for r in records) if v is not None]
    fraction = bool(values) and all(0.0 <= v <= 1.0 for v in values)
    return BenchmarkDef(
        stem,
        display_name(stem),
        task,
        f"External results curated by Epoch AI ({score_col})",
        scale="fraction" if fraction else "score",
        min_value=0.0 if fraction else None,
        max_value=1.0 if fraction else None,
    )


def _row(stem: str, shape: str, score_col: str, rec: dict) -> tuple[EpochRow | None, str]:
    model = _clean(rec.get("Model version"))
    notes = []
    if model is None and shape == EXTERNAL:
        model = _clean(rec.get("Name"))
        if model is not None:
            notes.append("no Model version: Epoch's display name")
    if model is None:
        return None, "no Model version"
    if len(model) > 400 or any(ord(c) < 32 for c in model):
        return None, f"unusable model name {model[:60]!r}"
    raw_value = rec.get(score_col)
    value = _number(raw_value)
    if value is None:
        return None, f"{model}: no {score_col}" if not (
            raw_value or ""
        ).strip() else f"{model}: {score_col} is not a number"
    if shape == RUNS:
        if not 0.0 <= value <= 1.0:
            return None, f"{model}: {score_col} {value} is not a fraction in [0, 1]"
        run_id = _clean(rec.get("id"))
        if run_id is None:
            return None, f"{model}: no run id"
        stderr = _number(rec.get("stderr"))
        if stderr is not None and stderr < 0:
            stderr = None
        return (
            EpochRow(
                model=model,
                variant=run_id[:300],
                benchmark=stem,
                value=value,
                provenance=provenance.MEASURED,
                run_date=optional_date(rec.get("Started at")),
                stderr=stderr,
                log_url=_clean(rec.get("Log viewer")) or _clean(rec.get("Logs")),
                source_name=SOURCE_NAME,
                source_url=SOURCE_URL,
                notes=None
                if optional_date(rec.get("Started at"))
                else "no run date: valid from the first snapshot listing it",
            ),
            "",
        )
    if shape == INDEX:
        return (
            EpochRow(
                model=model,
                variant="",
                benchmark=stem,
                value=value,
                provenance=provenance.MEASURED,
                source_name=f"{SOURCE_NAME} (Epoch Capabilities Index)",
                source_url=SOURCE_URL,
                notes=_clean(rec.get("Confidence")) and f"confidence: {rec['Confidence'].strip()}",
            ),
            "",
        )
    shots = _number(rec.get("Shots"))
    if shots is not None:
        notes.append(f"{int(shots)}-shot" if shots == int(shots) else f"{shots}-shot")
    if _clean(rec.get("Notes")):
        notes.append(rec["Notes"].strip())
    record_id = _clean(rec.get("id")) or hashlib.sha256(_raw(rec).encode()).hexdigest()[:16]
    return (
        EpochRow(
            model=model,
            variant=record_id[:300],
            benchmark=stem,
            value=value,
            provenance=provenance.EXTERNAL,
            source_name=_clean(rec.get("Source")),
            source_url=_clean(rec.get("Source link")),
            notes="; ".join(notes) or None,
        ),
        "",
    )


# --------------------------------------------------------------------------- plan (pure)


def snapshot_plan(
    rows: Sequence[EpochRow], day: dt.date, first_seen: dict[tuple[str, str, str], dt.date]
) -> dict[dt.date, list[EpochRow]]:
    """The board on each day this data knows of: runs from their run day, every other row
    from its first listing (``first_seen``, else ``day``). Days after ``day`` are not planned."""
    start = {id(r): valid_from(r, day, first_seen) for r in rows}
    days = sorted({d for d in start.values() if d <= day} | {day})
    return {d: [r for r in rows if start[id(r)] <= d] for d in days}


def valid_from(row: EpochRow, day: dt.date, first_seen: dict[tuple[str, str, str], dt.date]) -> dt.date:
    if row.provenance == provenance.MEASURED and row.run_date is not None:
        return row.run_date
    seen = first_seen.get((row.model.lower(), row.variant, row.benchmark))
    return min(seen, day) if seen is not None else day


def state_digest(rows: Sequence[EpochRow]) -> str:
    """A digest of the board's content on one day (order-independent)."""
    lines = sorted(f"{r.model.lower()}\t{r.variant}\t{r.benchmark}\t{r.value!r}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def entries_of(rows: Sequence[EpochRow]) -> list[BoardEntry]:
    by_key: dict[tuple[str, str], BoardEntry] = {}
    for r in rows:
        key = (r.model.lower(), r.variant)
        entry = by_key.get(key)
        if entry is None:
            entry = by_key[key] = BoardEntry(facts=ModelFacts(repo_id=r.model), variant=r.variant)
        entry.scores[r.benchmark] = r.value
    return list(by_key.values())


# --------------------------------------------------------------------------- load


@dataclass
class EpochReport:
    files: list[EpochFile] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per refused file
    snapshots_written: list[dt.date] = field(default_factory=list)
    rows_written: int = 0
    run_id: int | None = None

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(len(f.rejections) for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.snapshots_written) or self.rows_written > 0


def parse_sources(sources: Sequence[tuple[str, bytes]]) -> tuple[list[EpochFile], list[str]]:
    files, failed = [], []
    for name, data in sources:
        try:
            files.append(parse_csv(name, data))
        except InputError as exc:
            failed.append(str(exc))
    return files, failed


def import_epoch(
    engine: Engine,
    paths: Sequence[str | Path] = (),
    *,
    day: dt.date | None = None,
    sources: Sequence[tuple[str, bytes]] | None = None,
    label: str | None = None,
    detail: dict | None = None,
) -> EpochReport:
    """Import Epoch files (``paths``, or ``sources`` already read) as the board on ``day``.

    All or nothing: one transaction. A file of an unknown shape is refused (``report.failed``,
    and a rejected row naming it); the others go in. Raises :class:`InputError` when no file is
    usable.
    """
    if sources is None:
        sources = read_sources(paths)
    if day is None:
        from ingest.formats import date_from_name

        named = [date_from_name(Path(p)) for p in paths]
        day = next((d for d in named if d is not None), None) or dt.datetime.now(dt.UTC).date()
    report = EpochReport()
    report.files, report.failed = parse_sources(sources)
    label = label or ", ".join(Path(p).name for p in paths) or "benchmark_data.zip"
    if not any(f.rows for f in report.files):
        first = report.failed[0] if report.failed else "no valid rows"
        raise InputError(f"{label}: nothing to import ({first})")
    rows = [r for f in report.files for r in f.rows]
    with engine.connect() as conn:
        first_seen = provenance.first_seen_by_key(conn, EPOCH)
    plan = snapshot_plan(rows, day, first_seen)
    with engine.connect() as conn:
        todo = {d: snap for d, snap in plan.items() if writes.stored_snapshot_sha(conn, EPOCH, d) != state_digest(snap)}
        prov_items = _provenance_items(rows)
        prov_changes = _provenance_would_change(conn, prov_items, rows, day, first_seen)
    if not todo and not prov_changes and not report.failed:
        return report  # the very same data: nothing to do, nothing recorded
    run_id = writes.start_run(engine, EPOCH, {"file": label, "snapshot_date": day.isoformat(), **(detail or {})})
    report.run_id = run_id
    try:
        with engine.begin() as conn:
            writes.begin_write(conn)
            register_benchmarks(conn, EPOCH, [f.benchmark for f in report.files if f.rows])
            facts = _facts(rows)
            index, inserted, updated = writes.upsert_models(conn, facts, source=EPOCH, as_of=day, board=False)
            written = inserted + updated
            for snap_day in sorted(todo):
                stats = writes.apply_snapshot(
                    conn,
                    EPOCH,
                    snap_day,
                    entries_of(todo[snap_day]),
                    model_index=index,
                    run_id=run_id,
                    source_file=label,
                    sha256=state_digest(todo[snap_day]),
                )
                written += stats.rows_written
            seen = {(r.model.lower(), r.variant, r.benchmark): valid_from(r, day, first_seen) for r in rows}
            written += provenance.upsert(conn, EPOCH, prov_items, index, day, first_seen=seen)
            for f in report.files:
                writes.record_rejections(conn, run_id, f.name, f.rejections)
            writes.record_rejections(conn, run_id, label, [Rejection(None, line) for line in report.failed])
    except TrackerError as exc:
        writes.finish_run(engine, run_id, "failed", rows_read=report.rows_read, error=str(exc)[:500])
        raise
    except BaseException as exc:
        writes.finish_run(engine, run_id, "failed", rows_read=report.rows_read, error=_one_line(exc))
        raise
    report.snapshots_written = sorted(todo)
    report.rows_written = written
    writes.finish_run(
        engine,
        run_id,
        "succeeded",
        rows_read=report.rows_read,
        rows_written=written,
        rows_rejected=report.rows_rejected + len(report.failed),
        detail={
            "file": label,
            "snapshot_date": day.isoformat(),
            "benchmarks": len([f for f in report.files if f.rows]),
            "snapshots_written": len(todo),
            "refused_files": report.failed,
            **(detail or {}),
        },
    )
    return report


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {(text.splitlines()[0] if text else '')[:400]}"


def _facts(rows: Sequence[EpochRow]) -> list[ModelFacts]:
    seen: dict[str, ModelFacts] = {}
    for r in rows:
        key = r.model.lower()
        if key in seen:
            continue
        estimate = params_from_name(r.model)
        seen[key] = ModelFacts(
            repo_id=r.model,
            params_b=estimate,
            params_source="name (estimate)" if estimate is not None else None,
            params_is_estimate=estimate is not None,
        )
    return list(seen.values())


def _provenance_items(rows: Sequence[EpochRow]) -> list[provenance.Provenance]:
    return [
        provenance.Provenance(
            model=r.model.lower(),
            variant=r.variant,
            benchmark=r.benchmark,
            provenance=r.provenance,
            source_name=r.source_name,
            source_url=r.source_url,
            stderr=r.stderr,
            log_url=r.log_url,
            run_date=r.run_date,
            notes=r.notes,
        )
        for r in rows
    ]


def _provenance_would_change(conn, items, rows, day, first_seen) -> bool:
    """True when storing ``items`` would change a provenance row (a new key, another value)."""
    from sqlalchemy import select

    from db.schema import MODELS

    stored = provenance.stored(conn, EPOCH)
    if len(stored) < len(items):
        return True
    ids = {r.repo_id_lower: r.id for r in conn.execute(select(MODELS.c.id, MODELS.c.repo_id_lower))}
    for item in items:
        model_id = ids.get(item.model)
        row = stored.get((model_id, item.variant, item.benchmark)) if model_id is not None else None
        if row is None:
            return True
        if any(not provenance._same(row.get(k), v) for k, v in item.values().items()):
            return True
        if row.get("last_seen") is None or row["last_seen"] < day:
            return True
    return False


# --------------------------------------------------------------------------- live


def run_epoch(engine: Engine, settings: Settings, budget, *, day: dt.date) -> tuple[str, dict]:
    """Download the zip when its ETag changed and import it; returns (status, detail)."""
    import httpx2

    from ingest.http import BoundedTransport

    url = settings.epoch_url
    with engine.connect() as conn:
        etag = writes.get_state(conn, EPOCH, STATE_ETAG)
    headers = {"User-Agent": "slm-tracker (+https://github.com/)", "Accept": "application/zip"}
    if etag:
        headers["If-None-Match"] = etag
    try:
        with httpx2.Client(
            transport=BoundedTransport(budget), follow_redirects=True, timeout=budget.timeout_s
        ) as client:
            response = client.get(url, headers=headers)
    except TrackerError as exc:
        _failed_run(engine, url, str(exc))
        raise
    except Exception as exc:  # a transport failure the bounded session did not turn into HubError
        _failed_run(engine, url, _one_line(exc))
        raise HubError(f"{url}: {_one_line(exc)}") from None
    if response.status_code == 304:
        writes.record_run(engine, EPOCH, "skipped", detail={"url": url, "etag": etag, "reason": "ETag unchanged"})
        log.info("epoch: %s unchanged (ETag %s)", url, etag)
        return "skipped", {"etag": etag}
    if response.status_code != 200:
        message = f"{url} answered HTTP {response.status_code}"
        _failed_run(engine, url, message)
        raise HubError(message)
    body = response.content
    if len(body) > MAX_ZIP_BYTES:
        _failed_run(engine, url, f"{url}: the zip is too large ({len(body)} bytes)")
        raise HubError(f"{url}: the zip is too large ({len(body)} bytes)")
    new_etag = response.headers.get("etag")
    try:
        sources = read_zip(body, Path(url).name or "benchmark_data.zip")
    except InputError as exc:
        _failed_run(engine, url, str(exc))
        raise
    _keep_copy(settings, body, day)
    report = import_epoch(engine, sources=sources, day=day, label=Path(url).name, detail={"url": url, "etag": new_etag})
    sync_epoch_aliases(engine)
    with engine.begin() as conn:
        writes.set_state(conn, EPOCH, STATE_ETAG, new_etag)
        if report.changed:
            writes.set_state(conn, EPOCH, STATE_CHANGED, day.isoformat())
    if report.failed:
        log.warning("epoch: %d file(s) refused: %s", len(report.failed), "; ".join(report.failed))
    detail = {
        "etag": new_etag,
        "benchmarks": len(report.files),
        "snapshots_written": len(report.snapshots_written),
        "rows_rejected": report.rows_rejected,
    }
    if report.run_id is None:
        writes.record_run(
            engine, EPOCH, "skipped", detail={"url": url, "etag": new_etag, "reason": "content unchanged"}
        )
        return "skipped", detail
    return "succeeded", detail


def sync_epoch_aliases(engine: Engine) -> None:
    """Epoch's slugs -> Hub repo ids (``data/aliases/epoch.csv``), so Epoch rows get sizes and licenses."""
    from ingest.aliases import sync_aliases

    sync_aliases(engine, EPOCH)


def _failed_run(engine: Engine, url: str, error: str) -> None:
    writes.record_run(engine, EPOCH, "failed", detail={"url": url}, error=error[:500])


def _keep_copy(settings: Settings, body: bytes, day: dt.date) -> None:
    """Keep the downloaded zip in the cache (written aside and renamed: never a half file)."""
    try:
        folder = settings.cache_dir / "epoch"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"benchmark_data-{day.isoformat()}.zip"
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        partial.write_bytes(body)
        os.replace(partial, target)
    except OSError as exc:
        log.warning("epoch: could not keep a copy of the zip: %s", exc)


def cli_import(engine: Engine, args, settings=None) -> int:
    """``python -m ingest import epoch PATH...`` (``core.boards``' importer): one line of figures;
    1 when a file was refused."""
    import sys

    report = import_epoch(engine, args.paths, day=args.as_of)
    sync_epoch_aliases(engine)
    for line in report.failed:
        print(f"error: {line}", file=sys.stderr)
    if report.run_id is None:
        print(f"epoch: {len(report.files)} benchmark file(s): already imported, unchanged")
    else:
        print(
            f"epoch: {len(report.files)} benchmark file(s), {report.rows_read} rows read, "
            f"{report.rows_written} written, {report.rows_rejected} rejected, "
            f"{len(report.snapshots_written)} snapshot day(s) written"
        )
    return 1 if report.failed else 0


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run epoch`` (``core.boards.LIVE``)."""
    return run_epoch(ctx.engine, ctx.settings, ctx.budget, day=ctx.day)
