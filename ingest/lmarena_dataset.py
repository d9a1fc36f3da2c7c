"""LMArena's official leaderboard dataset (``lmarena-ai/leaderboard-dataset``): detect, parse, load.

One Parquet file per subset and split (``text/full-00000-of-00001.parquet``: every published
board since 2023-05-08). Columns (exact): ``model_name, organization, license, rating,
rating_lower, rating_upper, variance, vote_count (float), rank (float), category,
leaderboard_publish_date (string YYYY-MM-DD)``.

Every publish date is a snapshot of the Arena board: the ``overall`` category goes into
``scores`` (``arena_score`` with the Arena's own ``arena_rank``, the interval as ``ci_plus`` /
``ci_minus`` and ``votes``), so its history joins the older scrapes; every category, overall
included, is kept as published in ``arena_ratings``. Dates already stored are skipped, so a
re-import or a nightly run only adds what is new. Each date is one transaction: a failure keeps
every date before it and leaves its own date untouched.

Traps handled here: NaN ratings (rejected with a reason), null intervals and votes (the 2023 Elo
era: stored as null), ``rank`` kept as the source's own, ``organization`` kept only as a board
fact (it is unreliable), names are display names (see ``ingest.aliases`` for Hub repo ids).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core.boards import LMARENA
from core.errors import InputError, TrackerError
from db import writes
from db.arena import OVERALL, delete_date, ensure_categories, stored_dates
from db.records import BoardEntry, ModelFacts, Rejection
from db.schema import ARENA_RATINGS
from ingest.normalize import BadValue, license_category, normalize_license, parse_display_id

log = logging.getLogger(__name__)

FORMAT = "lmarena/dataset"
COLUMNS = (
    "model_name",
    "organization",
    "license",
    "rating",
    "rating_lower",
    "rating_upper",
    "variance",
    "vote_count",
    "rank",
    "category",
    "leaderboard_publish_date",
)
# What ``ingest.formats.detect_format`` recognises the format by.
REQUIRED = frozenset({"model_name", "rating", "category", "leaderboard_publish_date"})
MAX_RATING = 4000.0
MAX_REJECTED_SHARE = 0.5


@dataclass
class DatasetFile:
    """A parsed dataset file: its valid rows (a frame) and the rows it rejected."""

    path: str
    sha256: str
    rows_read: int
    rows: pd.DataFrame  # COLUMNS, with publish_date (datetime.date) and name (the parsed name)
    rejections: list[Rejection] = field(default_factory=list)
    name_keys: list[str] = field(default_factory=list)  # rows' name_key -> the lower-case name

    @property
    def dates(self) -> list[dt.date]:
        return sorted(self.rows["publish_date"].unique())


def is_dataset_file(path: Path) -> bool:
    """True when ``path`` is a Parquet file with the leaderboard dataset's columns."""
    try:
        with path.open("rb") as fh:
            if fh.read(4) != b"PAR1":
                return False
        import pyarrow.parquet as pq

        return REQUIRED <= set(pq.read_schema(path).names)
    except Exception:  # unreadable or damaged: not this format (the general reader says why)
        return False


def _read_table(path: Path, data: bytes):
    import pyarrow.parquet as pq

    try:
        return pq.read_table(io.BytesIO(data), columns=list(COLUMNS), use_threads=False)
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable leaderboard-dataset parquet file ({first})") from None


def _raw_rows(table, positions) -> list[str]:
    """The raw text of rows (by position), as stored in ``rejected_rows``."""
    picked = table.take(np.asarray(positions, dtype=np.int64)).to_pylist()
    return [json.dumps(row, default=str, ensure_ascii=False)[:4000] for row in picked]


_NUMERIC = ("rating", "rating_lower", "rating_upper", "variance", "vote_count", "rank")


def _floats(path: Path, table, column: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    values = table.column(column)
    if not pa.types.is_floating(values.type):
        try:
            values = pc.cast(values, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InputError(f"{path}: column {column!r} is {values.type}, not a number") from None
    return values.to_numpy().astype(float, copy=False)


def _codes(table, column: str) -> tuple[np.ndarray, list]:
    """(codes, distinct values) of a string column; a null gets the code ``len(values)``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = table.column(column)
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    encoded = pc.dictionary_encode(values).combine_chunks()
    distinct = encoded.dictionary.to_pylist()
    codes = pc.fill_null(encoded.indices, len(distinct)).to_numpy().astype(np.int64, copy=False)
    return codes, distinct


def _iso_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _plain_category(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 60 and value.strip() == value and value.isprintable()


def parse_dataset(path: Path, data: bytes | None = None) -> DatasetFile:
    """Read and check every row (vectorised: a full split has over a million rows)."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if data[:4] != b"PAR1":
        raise InputError(f"{path}: not a parquet file (the leaderboard dataset is parquet)")
    digest = hashlib.sha256(data).hexdigest()
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(io.BytesIO(data)).names
    except Exception as exc:
        raise InputError(f"{path}: damaged parquet file ({str(exc).splitlines()[0][:200]})") from None
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InputError(f"{path}: not LMArena's leaderboard dataset: no column {', '.join(missing)}")
    table = _read_table(path, data)
    total = table.num_rows
    if total == 0:
        raise InputError(f"{path}: has a header but no data rows")
    bad = np.zeros(total, dtype=bool)
    reasons = np.empty(total, dtype=object)

    def reject(mask, reason) -> None:
        new = np.asarray(mask, dtype=bool) & ~bad
        if new.any():
            reasons[new] = reason
            bad[new] = True

    # Numbers: float64 in the real schema (NaN for null); another numeric type is converted.
    numeric = {column: _floats(path, table, column) for column in _NUMERIC}
    rating = numeric["rating"]
    reject(np.isnan(rating), "rating is missing (NaN)")
    reject(~np.isfinite(rating) | (rating < 0) | (rating > MAX_RATING), f"rating is outside 0..{MAX_RATING:g}")
    lower, upper = numeric["rating_lower"], numeric["rating_upper"]
    with np.errstate(invalid="ignore"):
        reject(np.isinf(lower) | np.isinf(upper), "interval bound is infinite")
        reject(~np.isnan(lower) & (lower > rating + 1e-9), "rating_lower is above the rating")
        reject(~np.isnan(upper) & (upper < rating - 1e-9), "rating_upper is below the rating")
        votes = numeric["vote_count"]
        reject(~np.isnan(votes) & ((votes < 0) | np.isinf(votes)), "vote_count is negative or infinite")
        rank = numeric["rank"]
        reject(~np.isnan(rank) & ((rank < 1) | np.isinf(rank)), "rank is below 1 or infinite")
    # Strings: dictionary-encoded, so each distinct value is checked once (a few hundred names,
    # a few hundred dates, about thirty categories for over a million rows).
    day_codes, day_values = _codes(table, "leaderboard_publish_date")
    days = np.array([_iso_date(v) for v in day_values] + [None], dtype=object)[day_codes]
    reject(pd.isna(days), "leaderboard_publish_date is not a YYYY-MM-DD date")
    name_codes, name_values = _codes(table, "model_name")
    parsed_names, name_errors = [], []
    for value in [*name_values, None]:
        try:
            parsed_names.append(parse_display_id(value if isinstance(value, str) else None, "model_name"))
            name_errors.append(None)
        except BadValue as exc:
            parsed_names.append(None)
            name_errors.append(str(exc))
    names = np.array(parsed_names, dtype=object)[name_codes]
    errors = np.array(name_errors, dtype=object)[name_codes]
    mask = pd.notna(errors) & ~bad
    reasons[mask] = errors[mask]
    bad |= mask
    cat_codes, cat_values = _codes(table, "category")
    plain = np.array([_plain_category(c) for c in cat_values] + [False])
    reject(~plain[cat_codes], "category is empty or not a plain name")
    categories = np.array([*cat_values, None], dtype=object)[cat_codes]
    org_codes, org_values = _codes(table, "organization")
    lic_codes, lic_values = _codes(table, "license")
    keep = ~bad
    # Ids compare ignoring case: one integer per lower-case name, for the duplicate check and
    # the look-up of model ids (both on integers instead of a million strings).
    lowered = pd.Series([n.lower() if isinstance(n, str) else None for n in parsed_names], dtype=object)
    lower_codes, lower_values = pd.factorize(lowered)
    good = pd.DataFrame(
        {
            "name": names[keep],
            "name_key": lower_codes[name_codes[keep]],
            "organization": np.array([*org_values, None], dtype=object)[org_codes[keep]],
            "license": np.array([*lic_values, None], dtype=object)[lic_codes[keep]],
            "rating": rating[keep],
            "rating_lower": lower[keep],
            "rating_upper": upper[keep],
            "variance": numeric["variance"][keep],
            "vote_count": votes[keep],
            "rank": rank[keep],
            "category": categories[keep],
            "publish_date": days[keep],
            "row_number": np.flatnonzero(keep) + 1,
        }
    )
    # One row per (model, category, date): of duplicates the higher rating is kept.
    key = (good["name_key"].to_numpy(dtype=np.int64) * (len(cat_values) + 1) + cat_codes[keep]) * (
        len(day_values) + 1
    ) + day_codes[keep]
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    positions = np.flatnonzero(bad)
    rejections = [
        Rejection(int(i) + 1, str(reasons[i]), raw)
        for i, raw in zip(positions, _raw_rows(table, positions), strict=True)
    ]
    if dup.any():
        good["_k"] = good["name"].str.lower()
        twice = good[dup].sort_values(["rating", "row_number"], ascending=[False, True], kind="mergesort")
        kept = twice.drop_duplicates(["_k", "category", "publish_date"], keep="first")
        losers = twice.drop(kept.index)
        kept_row = kept.set_index(["_k", "category", "publish_date"])["row_number"].to_dict()
        raws = _raw_rows(table, losers["row_number"].to_numpy() - 1)
        for (key, cat, day, name, number), raw in zip(
            losers[["_k", "category", "publish_date", "name", "row_number"]].itertuples(index=False), raws, strict=True
        ):
            rejections.append(
                Rejection(
                    int(number),
                    f"duplicate of row {kept_row[(key, cat, day)]} for {name} in {cat} (kept the higher rating)",
                    raw,
                )
            )
        good = good.drop(losers.index)
    good = good.drop(columns="_k", errors="ignore").reset_index(drop=True)
    if good.empty:
        raise InputError(f"{path}: no valid rows (all {total} rejected; first: {rejections[0].reason})")
    if len(rejections) / total > MAX_REJECTED_SHARE:
        raise InputError(
            f"{path}: {len(rejections)} of {total} rows are bad (first: {rejections[0].reason}); "
            "refusing a dataset that would drop entries from the board"
        )
    rejections.sort(key=lambda r: r.row_number or 0)
    return DatasetFile(
        path=str(path),
        sha256=digest,
        rows_read=total,
        rows=good,
        rejections=rejections,
        name_keys=list(lower_values),
    )


# --------------------------------------------------------------------------- load


def _num(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def overall_entries(rows: pd.DataFrame) -> list[BoardEntry]:
    """The overall rows of one date as board entries (rating, Arena rank, interval, votes)."""
    entries = []
    for name, org, lic, rating, lower, upper, votes, rank in rows[
        ["name", "organization", "license", "rating", "rating_lower", "rating_upper", "vote_count", "rank"]
    ].itertuples(index=False):
        scores = {"arena_score": float(rating)}
        if not math.isnan(rank):
            scores["arena_rank"] = float(rank)
        if not math.isnan(votes):
            scores["votes"] = float(votes)
        if not math.isnan(upper):
            scores["ci_plus"] = float(upper) - float(rating)
        if not math.isnan(lower):
            scores["ci_minus"] = float(rating) - float(lower)
        entries.append(BoardEntry(facts=_facts(name, org, lic), scores=scores))
    return entries


def _facts(name: str, org, lic) -> ModelFacts:
    license_id = normalize_license(lic)
    org_text = (" ".join(org.split())[:100] or None) if isinstance(org, str) else None
    return ModelFacts(repo_id=name, org=org_text, license=license_id, license_category=license_category(license_id))


@dataclass
class DatasetImport:
    path: str
    run_id: int | None
    rows_read: int = 0
    rows_rejected: int = 0
    dates_imported: list[dt.date] = field(default_factory=list)
    dates_skipped: int = 0
    rows_written: int = 0
    error: str | None = None


def import_dataset(
    engine: Engine,
    path: Path,
    *,
    leaderboard: str = LMARENA,
    data: bytes | None = None,
    source_name: str | None = None,
    origin: str | None = None,
    extra: dict | None = None,
    progress: bool = False,
) -> DatasetImport:
    """Import every publish date of a dataset file not stored yet from the same ``origin``.

    ``origin`` names where the rows come from (default ``lmarena-ai/leaderboard-dataset``: a file
    of that dataset; a live run adds ``@<sha>``): a date stored from another origin (the seed's
    converted history) is replaced by this one. ``extra`` goes into the run's detail. Never raises for bad input: ``error`` is set
    (and the run recorded as failed) when the file is refused or a date fails (the dates before
    it stay imported).
    """
    name = source_name or path.name
    origin = origin or REPO
    result = DatasetImport(path=str(path), run_id=None)
    parsed: DatasetFile | None = None
    try:
        parsed = parse_dataset(path, data)
    except TrackerError as exc:
        result.error = str(exc)
    if parsed is not None:
        with engine.connect() as conn:
            have = stored_dates(conn, leaderboard, origin)
            elsewhere = stored_dates(conn, leaderboard) - have
        if set(parsed.dates) <= have:  # the same file again: nothing to do, nothing recorded
            result.rows_read, result.dates_skipped = parsed.rows_read, len(parsed.dates)
            from ingest.aliases import sync_aliases

            # A run killed after its last date but before this step left the aliases behind.
            sync_aliases(engine, leaderboard)
            return result
    run_id = writes.start_run(engine, leaderboard, {"file": name, "format": FORMAT})
    result.run_id = run_id
    try:
        if parsed is None:
            raise InputError(result.error or f"{path}: unreadable")
        result.rows_read, result.rows_rejected = parsed.rows_read, len(parsed.rejections)
        with engine.begin() as conn:
            ensure_categories(conn, tuple(parsed.rows["category"].unique()))
            if parsed.rejections:
                writes.record_rejections(conn, run_id, name, parsed.rejections)
        by_date = parsed.rows.groupby("publish_date", sort=True)
        bar = None
        groups = list(by_date)
        if progress and len(groups) > 1:
            from tqdm import tqdm

            bar = tqdm(groups, unit="date", desc=f"import {leaderboard}")
            groups = bar
        cache = writes.ApplyCache()  # consecutive dates of one file: as a series of snapshot files
        for day, rows in groups:
            rows.attrs["name_keys"] = parsed.name_keys
            if day in have:
                result.dates_skipped += 1
                continue
            result.rows_written += _import_date(
                engine,
                leaderboard,
                day,
                rows,
                run_id,
                name,
                parsed.sha256,
                origin,
                replace=day in elsewhere,
                cache=cache,
            )
            result.dates_imported.append(day)
        if bar is not None:
            bar.close()
        from ingest.aliases import sync_aliases

        sync_aliases(engine, leaderboard)
    except TrackerError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug or a database failure: recorded, earlier dates kept
        log.debug("dataset import failed", exc_info=True)
        result.error = f"{path}: unexpected error: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    detail = {
        **(extra or {}),
        "file": name,
        "format": FORMAT,
        "dates_imported": len(result.dates_imported),
        "dates_skipped": result.dates_skipped,
        "first_date": result.dates_imported[0].isoformat() if result.dates_imported else None,
        "last_date": result.dates_imported[-1].isoformat() if result.dates_imported else None,
    }
    writes.finish_run(
        engine,
        run_id,
        "failed" if result.error else "succeeded",
        rows_read=result.rows_read,
        rows_written=result.rows_written,
        rows_rejected=result.rows_rejected,
        error=result.error,
        detail=detail,
    )
    return result


def _import_date(
    engine: Engine,
    leaderboard: str,
    day: dt.date,
    rows: pd.DataFrame,
    run_id: int,
    name: str,
    sha256: str,
    origin: str,
    *,
    replace: bool = False,
    cache: writes.ApplyCache | None = None,
) -> int:
    """One publish date in one transaction: models, the overall snapshot, every category's rows."""
    overall = rows[rows["category"] == OVERALL]
    # Facts of each model from its overall row, else its first row of the day.
    firsts = pd.concat([overall, rows]).drop_duplicates("name", keep="first")
    facts = [_facts(n, o, lic) for n, o, lic in firsts[["name", "organization", "license"]].itertuples(index=False)]
    written = 0
    try:
        with engine.begin() as conn:
            writes.begin_write(conn)
            if cache is not None:
                cache.check(conn)
            index, inserted, updated = writes.upsert_models(
                conn, facts, source=leaderboard, as_of=day, board=True, cache=cache
            )
            written += inserted + updated
            if not overall.empty:
                stats = writes.apply_snapshot(
                    conn,
                    leaderboard,
                    day,
                    overall_entries(overall),
                    model_index=index,
                    run_id=run_id,
                    source_file=f"{name}#{day.isoformat()}",
                    sha256=sha256,
                    # No cache here: every rating of a new date differs, and the series path
                    # (built for boards that barely change) cost seven times as much here.
                )
                written += stats.rows_written
            if replace:
                delete_date(conn, day, leaderboard)
            written += _insert_ratings(conn, leaderboard, day, rows, index, origin)
            if cache is not None:
                cache.seal(conn)
    except BaseException:
        if cache is not None:
            cache.reset()  # the transaction rolled back: what the cache remembers is not stored
        raise
    return written


_RATING_COLUMNS = (
    "leaderboard_key",
    "category",
    "publish_date",
    "model_id",
    "rating",
    "rating_lower",
    "rating_upper",
    "variance",
    "vote_count",
    "rank",
    "source",
)


def _insert_ratings(conn, leaderboard: str, day: dt.date, rows: pd.DataFrame, index: dict, origin: str) -> int:
    """One date's rows into ``arena_ratings`` with one ``executemany`` of plain tuples.

    A full split has over a million rows: SQLAlchemy's per-row processing of dicts cost more than
    the database's own work, so the rows go to the driver as tuples (NaN as NULL), portable
    through the dialect's parameter style.
    """
    n = len(rows)
    lowered = rows.attrs.get("name_keys")
    if lowered is not None:  # one look-up per distinct name, then an array take
        by_key = np.array([index.get(name, -1) for name in lowered], dtype=np.int64)
        pks = by_key[rows["name_key"].to_numpy(dtype=np.int64)].tolist()
    else:
        pks = rows["name"].str.lower().map(index).astype("int64").tolist()
    # SQLite stores a Date as its ISO text (as SQLAlchemy does); PostgreSQL takes the date.
    stamp = day  # a date: the Core statement binds it for every dialect

    sqlite = conn.dialect.name == "sqlite"

    def col(name: str) -> list:
        values = rows[name].to_numpy(dtype=float)
        if sqlite:  # SQLite stores a bound NaN as NULL
            return values.tolist()
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out.tolist()

    columns = [
        [leaderboard] * n,
        rows["category"].tolist(),
        [stamp] * n,
        pks,
        rows["rating"].astype(float).tolist(),
        col("rating_lower"),
        col("rating_upper"),
        col("variance"),
        col("vote_count"),
        col("rank"),
        [origin] * n,
    ]
    # One Core executemany (SQLAlchemy's own statement; no SQL text built here).
    conn.execute(
        ARENA_RATINGS.insert(), [dict(zip(_RATING_COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]
    )
    return n


def refuse_dataset_files(paths: list[Path], source: str) -> list[Path]:
    """The dataset files among ``paths``; :class:`InputError` when they are named as another board's."""
    found = [p for p in paths if is_dataset_file(p)]
    if found and source != LMARENA:
        raise InputError(f"{found[0]}: this is LMArena's leaderboard dataset (lmarena), not {source}")
    return found


def import_dataset_paths(engine: Engine, args, settings=None) -> int | None:
    """``ingest import lmarena FILE.parquet``: import dataset files; ``None`` when none is one.

    Mixing dataset files with dated scrapes in one command is refused (they are imported
    differently: a dataset file holds every date, a scrape one).
    """
    import sys

    paths = [Path(p) for p in args.paths]
    found = refuse_dataset_files(paths, getattr(args, "source", LMARENA))
    if not found:
        return None
    if len(found) != len(paths):
        raise InputError("import LMArena dataset files on their own, not with dated scrape files")
    if getattr(args, "as_of", None) is not None:
        raise InputError("--as-of does not apply to LMArena's dataset: every row has its publish date")
    failed = 0
    for path in found:
        result = import_dataset(engine, path, progress=not getattr(args, "no_progress", False) and sys.stderr.isatty())
        dates = result.dates_imported
        span = f"{dates[0].isoformat()} to {dates[-1].isoformat()}" if dates else "no new dates"
        print(
            f"{path}: {result.rows_read} rows read, {len(dates)} publish dates imported ({span}), "
            f"{result.dates_skipped} already there, {result.rows_rejected} rows rejected"
        )
        if result.error:
            failed += 1
            print(f"error: {result.error}", file=sys.stderr)
    return 1 if failed else 0


# --------------------------------------------------------------------------- live: the Hub dataset

REPO = "lmarena-ai/leaderboard-dataset"
# The text arena without style control: the method the 2023-2025 history and the scrapes used.
FILE = "text/full-00000-of-00001.parquet"
STATE_SHA = "dataset_sha"
STATE_MODIFIED = "dataset_last_modified"


def run_arena_dataset(api, engine: Engine, settings, *, day: dt.date) -> tuple[str, dict]:
    """``ingest run lmarena``: the dataset at its current revision (sha pinned), when it changed.

    Reads the dataset's sha with ``dataset_info``; downloads ``text/full`` with ``hf_hub_download``
    at that revision only when the sha differs from the one last imported; imports only the publish
    dates not stored from the dataset yet. A failure is recorded and raised (nothing half-done:
    each date is one transaction, and the sha is stored only after every date went in).
    """
    from ingest.contents import _one_line, hf_cache

    try:
        info = api.dataset_info(REPO)
    except BaseException as exc:
        run_id = writes.start_run(engine, LMARENA, {"dataset": REPO})
        writes.finish_run(engine, run_id, "failed", error=f"reading {REPO}'s revision: {_one_line(exc)}")
        raise
    sha = info.sha
    modified = info.last_modified.isoformat() if getattr(info, "last_modified", None) else None
    with engine.connect() as conn:
        last = writes.get_state(conn, LMARENA, STATE_SHA)
    detail = {"dataset": REPO, "revision": sha, "file": FILE, "last_modified": modified}
    if sha is not None and sha == last:
        run_id = writes.start_run(engine, LMARENA, detail)
        writes.finish_run(engine, run_id, "skipped", detail={**detail, "reason": "revision unchanged"})
        log.info("%s: revision %s unchanged: nothing to download", REPO, (sha or "?")[:12])
        return "skipped", {"imported": 0, "revision": sha}
    try:
        path = Path(api.hf_hub_download(REPO, FILE, repo_type="dataset", revision=sha, cache_dir=hf_cache(settings)))
    except BaseException as exc:
        run_id = writes.start_run(engine, LMARENA, detail)
        writes.finish_run(engine, run_id, "failed", error=f"downloading {FILE}@{(sha or '?')[:12]}: {_one_line(exc)}")
        raise
    result = import_dataset(engine, path, source_name=f"{REPO}/{FILE}", origin=f"{REPO}@{sha}", extra=detail)
    if result.error:
        raise InputError(result.error)
    if result.run_id is None:  # every date already stored from the dataset
        run_id = writes.start_run(engine, LMARENA, detail)
        writes.finish_run(engine, run_id, "skipped", detail={**detail, "reason": "no new publish dates"})
    with engine.begin() as conn:
        writes.set_state(conn, LMARENA, STATE_SHA, sha)
        writes.set_state(conn, LMARENA, STATE_MODIFIED, modified)
    dates = [d.isoformat() for d in result.dates_imported]
    return ("succeeded" if dates else "skipped"), {"imported": len(dates), "revision": sha, "days": dates}


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run lmarena`` (``core.boards.LIVE``)."""
    return run_arena_dataset(ctx.api, ctx.engine, ctx.settings, day=ctx.day)


def cli_import(engine: Engine, args, settings) -> int:
    """``ingest import lmarena PATH...`` (``core.boards``' importer): dataset files, else the
    Arena's CSV scrapes through the shared format detection."""
    from ingest.loader import cli_import as import_scrapes

    handled = import_dataset_paths(engine, args, settings)
    return import_scrapes(engine, args, settings) if handled is None else handled
