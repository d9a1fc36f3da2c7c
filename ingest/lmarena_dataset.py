"""LMArena's official leaderboard dataset (``lmarena-ai/leaderboard-dataset``): detect, parse, load.

One Parquet file per subset and split (``text/full-00000-of-00001.parquet``: every published
board since 2023-05-08). Columns (exact): ``model_name, organization, license, rating,
rating_lower, rating_upper, variance, vote_count (float), rank (float), category,
leaderboard_publish_date (string YYYY-MM-DD)``.

Every publish date is a snapshot of the Arena board: the ``overall`` category goes into
``scores`` (``arena_score`` with the Arena's own ``arena_rank``, the interval as ``ci_plus`` /
``ci_minus`` and ``votes``), so its history joins the older scrapes; every category, overall
included, is kept as published in ``arena_boards`` (one row of arrays per board). Dates already
stored are skipped, so a re-import or a nightly run only adds what is new. The whole import is
one transaction: a failure leaves the data as it was.

A full split has over a million rows: the file is read into columns (strings as dictionary
codes), the overall snapshots after the newest stored one are planned in one pass
(``db.writes.apply_snapshot_series``), and each board is one row.

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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core.boards import LMARENA
from core.errors import InputError, TrackerError
from db import writes
from db.arena import OVERALL, VALUE_COLUMNS, delete_date, ensure_categories, insert_boards, pack_board, stored_dates
from db.records import BoardEntry, ModelFacts, Rejection
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
    """A parsed dataset file: its valid rows as columns, sorted by (publish date, category, row),
    and the rows it rejected.

    Strings are integer codes into small tables (a full split has over a million rows but a
    few hundred names and dates and about thirty categories): ``name`` into ``names`` (the
    parsed display name), ``key`` into ``name_keys`` (the lower-case name: ids compare ignoring
    case), ``organization`` / ``license`` into their tables (None for a null), ``category`` into
    ``categories``, ``day`` into ``days`` (sorted). ``values`` holds the six numeric columns
    (float64, NaN for null). ``boards`` gives each (day, category) board's slice of the rows.
    """

    path: str
    sha256: str
    rows_read: int
    rejections: list[Rejection]
    names: list[str]
    name_keys: list[str]
    organizations: list
    licenses: list
    categories: list[str]
    days: list[dt.date]
    name: np.ndarray
    key: np.ndarray
    organization: np.ndarray
    license: np.ndarray
    category: np.ndarray
    day: np.ndarray
    row_number: np.ndarray
    values: dict[str, np.ndarray]

    @property
    def dates(self) -> list[dt.date]:
        return [self.days[i] for i in np.unique(self.day).tolist()]

    def boards(self) -> list[tuple[int, int, int, int]]:
        """(day code, category code, start, end) of every board, in (date, category) order."""
        n = len(self.day)
        if not n:
            return []
        change = np.flatnonzero((np.diff(self.day) != 0) | (np.diff(self.category) != 0)) + 1
        starts = np.concatenate(([0], change)).tolist()
        ends = [*starts[1:], n]
        return [(int(self.day[s]), int(self.category[s]), s, e) for s, e in zip(starts, ends, strict=True)]

    @property
    def rows(self) -> pd.DataFrame:
        """The valid rows as one frame (for inspection and tests; the importer uses the columns)."""
        pick = np.array
        return pd.DataFrame(
            {
                "name": pick(self.names, dtype=object)[self.name],
                "name_key": self.key,
                "organization": pick([*self.organizations, None], dtype=object)[self.organization],
                "license": pick([*self.licenses, None], dtype=object)[self.license],
                **self.values,
                "category": pick(self.categories, dtype=object)[self.category],
                "publish_date": pick(self.days, dtype=object)[self.day],
                "row_number": self.row_number,
            }
        )


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


_STRINGS = ("model_name", "organization", "license", "category", "leaderboard_publish_date")


def _read_table(path: Path, data: bytes):
    """The file's columns; string columns come dictionary-encoded straight from Parquet (a few
    hundred distinct values for a million rows: decoding them as strings cost more than the read)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data), columns=list(COLUMNS), use_threads=False, read_dictionary=_STRINGS)
        return table.unify_dictionaries()
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable leaderboard-dataset parquet file ({first})") from None


def _raw_rows(table, positions) -> list[str]:
    """The raw text of rows (by position), as stored in ``rejected_rows``."""
    if len(positions) == 0:
        return []
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


def _codes(path: Path, table, column: str) -> tuple[np.ndarray, list]:
    """(codes, distinct values) of a string column; a null gets the code ``len(values)``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = table.column(column)
    try:
        if pa.types.is_dictionary(values.type):  # one dictionary for every chunk (unify_dictionaries)
            encoded = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
            kind = encoded.dictionary.type
            if not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
                values = pc.cast(values.cast(kind), pa.string())  # binary: decoded as text
                encoded = pc.dictionary_encode(values).combine_chunks()
        else:
            if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
                values = pc.cast(values, pa.string())
            encoded = pc.dictionary_encode(values).combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: column {column!r} is not text ({first})") from None
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
        schema_names = pq.read_schema(io.BytesIO(data)).names
    except Exception as exc:
        raise InputError(f"{path}: damaged parquet file ({str(exc).splitlines()[0][:200]})") from None
    missing = [c for c in COLUMNS if c not in schema_names]
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
    day_codes, day_values = _codes(path, table, "leaderboard_publish_date")
    parsed_days = [_iso_date(v) for v in day_values]
    reject(
        ~np.array([d is not None for d in parsed_days] + [False])[day_codes],
        "leaderboard_publish_date is not a YYYY-MM-DD date",
    )
    name_codes, name_values = _codes(path, table, "model_name")
    parsed_names: list = []
    name_errors: list = []
    for value in [*name_values, None]:
        try:
            parsed_names.append(parse_display_id(value if isinstance(value, str) else None, "model_name"))
            name_errors.append(None)
        except BadValue as exc:
            parsed_names.append(None)
            name_errors.append(str(exc))
    for code in [i for i, e in enumerate(name_errors) if e is not None]:
        reject(name_codes == code, name_errors[code])
    cat_codes, cat_values = _codes(path, table, "category")
    plain = np.array([_plain_category(c) for c in cat_values] + [False])
    reject(~plain[cat_codes], "category is empty or not a plain name")
    org_codes, org_values = _codes(path, table, "organization")
    lic_codes, lic_values = _codes(path, table, "license")
    # Ids compare ignoring case: one integer per lower-case name, for the duplicate check and
    # the look-up of model ids (both on integers instead of a million strings).
    lowered = [n.lower() if isinstance(n, str) else "" for n in parsed_names]
    name_keys = list(dict.fromkeys(lowered))
    position = {k: i for i, k in enumerate(name_keys)}
    key_of_name = np.array([position[k] for k in lowered], dtype=np.int64)
    # Publish dates as positions in date order (so that rows sort by date).
    days = sorted({d for d in parsed_days if d is not None})
    at_day = {d: i for i, d in enumerate(days)}
    day_of_code = np.array([at_day.get(d, -1) if d is not None else -1 for d in parsed_days] + [-1], dtype=np.int64)
    keep = np.flatnonzero(~bad)
    keys = key_of_name[name_codes[keep]]
    cats = cat_codes[keep]
    dayc = day_of_code[day_codes[keep]]
    # One row per (model, category, date): of duplicates the higher rating is kept.
    combined = (keys * (len(cat_values) + 1) + cats) * (len(days) + 1) + dayc
    dup = pd.Series(combined).duplicated(keep=False).to_numpy()
    positions = np.flatnonzero(bad)
    rejections = [
        Rejection(int(i) + 1, str(reasons[i]), raw)
        for i, raw in zip(positions, _raw_rows(table, positions), strict=True)
    ]
    if dup.any():
        twice = np.flatnonzero(dup)
        # Best first within a key: the higher rating, then the earlier row.
        order = twice[np.lexsort((keep[twice], -rating[keep[twice]], combined[twice]))]
        first = np.concatenate(([True], combined[order][1:] != combined[order][:-1]))
        winner_of: dict[int, int] = {}
        losers = []
        for at, is_first in zip(order.tolist(), first.tolist(), strict=True):
            if is_first:
                winner_of[int(combined[at])] = at
            else:
                losers.append(at)
        raws = _raw_rows(table, keep[losers])
        for at, raw in zip(losers, raws, strict=True):
            won = winner_of[int(combined[at])]
            rejections.append(
                Rejection(
                    int(keep[at]) + 1,
                    f"duplicate of row {int(keep[won]) + 1} for {parsed_names[name_codes[keep[at]]]} in "
                    f"{cat_values[cats[at]]} (kept the higher rating)",
                    raw,
                )
            )
        survivors = np.ones(len(keep), dtype=bool)
        survivors[losers] = False
        keep, keys, cats, dayc = keep[survivors], keys[survivors], cats[survivors], dayc[survivors]
    if len(keep) == 0:
        rejections.sort(key=lambda r: r.row_number or 0)
        raise InputError(f"{path}: no valid rows (all {total} rejected; first: {rejections[0].reason})")
    if len(rejections) / total > MAX_REJECTED_SHARE:
        rejections.sort(key=lambda r: r.row_number or 0)
        raise InputError(
            f"{path}: {len(rejections)} of {total} rows are bad (first: {rejections[0].reason}); "
            "refusing a dataset that would drop entries from the board"
        )
    rejections.sort(key=lambda r: r.row_number or 0)
    # Rows by (date, category, file order): each board is one slice (the real file is in that
    # order already: then nothing is moved).
    board = dayc * (len(cat_values) + 1) + cats
    if len(board) < 2 or bool((board[1:] >= board[:-1]).all()):
        order = slice(None)
    else:
        order = np.lexsort((keep, cats, dayc))
    rows = keep[order]
    whole = isinstance(order, slice) and len(keep) == total  # none rejected, none moved: the columns as read
    return DatasetFile(
        path=str(path),
        sha256=digest,
        rows_read=total,
        rejections=rejections,
        names=parsed_names,
        name_keys=name_keys,
        organizations=org_values,
        licenses=lic_values,
        categories=cat_values,
        days=days,
        name=name_codes if whole else name_codes[rows],
        key=keys[order],
        organization=org_codes if whole else org_codes[rows],
        license=lic_codes if whole else lic_codes[rows],
        category=cats[order],
        day=dayc[order],
        row_number=rows + 1,
        values={column: numeric[column] if whole else numeric[column][rows] for column in _NUMERIC},
    )


# --------------------------------------------------------------------------- load


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
    converted history) is replaced by this one. ``extra`` goes into the run's detail. The whole
    import is one transaction: a failure leaves the data as it was. Never raises for bad input:
    ``error`` is set (and the run recorded as failed) when the file is refused or the import fails.
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
    new_days: list[dt.date] = []
    try:
        if parsed is None:
            raise InputError(result.error or f"{path}: unreadable")
        result.rows_read, result.rows_rejected = parsed.rows_read, len(parsed.rejections)
        new_days = [day for day in parsed.dates if day not in have]
        with engine.begin() as conn:
            writes.begin_write(conn)
            ensure_categories(conn, tuple(parsed.categories[c] for c in np.unique(parsed.category).tolist()))
            if parsed.rejections:
                writes.record_rejections(conn, run_id, name, parsed.rejections)
            load = _Load(conn, parsed, leaderboard, run_id, name, origin, set(new_days), progress)
            result.rows_written = load.run(replace={day for day in new_days if day in elsewhere})
        result.dates_imported = new_days
        result.dates_skipped = len(parsed.dates) - len(new_days)
        from ingest.aliases import sync_aliases

        sync_aliases(engine, leaderboard)
    except TrackerError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug or a database failure: recorded, the data as it was
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


class _Load:
    """The new publish dates of a parsed file, written in the caller's transaction.

    1. Models: each date's facts in date order (as a series of snapshot imports: the series
       cache of ``db.writes`` skips what did not change). A model's facts on a date come from
       its ``overall`` row, else its first row of the day.
    2. The ``overall`` boards as snapshots of the Arena board (``scores``): the dates after the
       newest stored snapshot in one pass (``db.writes.apply_snapshot_series``), any earlier one
       (a held-out day, a date of another origin being replaced) one by one (``apply_snapshot``).
    3. Every board, each as one row of arrays (``arena_boards``), after the replaced dates'
       boards are dropped.
    """

    def __init__(self, conn, parsed: DatasetFile, leaderboard: str, run_id, name, origin, new_days, progress):
        self.conn, self.parsed, self.leaderboard = conn, parsed, leaderboard
        self.run_id, self.name, self.origin, self.progress = run_id, name, origin, progress
        self.new_codes = {i for i, day in enumerate(parsed.days) if day in new_days}
        self.boards = [b for b in parsed.boards() if b[0] in self.new_codes]
        self.overall = parsed.categories.index(OVERALL) if OVERALL in parsed.categories else -1
        self.written = 0

    def run(self, replace: set[dt.date]) -> int:
        index = self._models()
        pks = np.array([index.get(key, -1) for key in self.parsed.name_keys], dtype=np.int64)[self.parsed.key]
        if any((pks[start:end] < 0).any() for _, _, start, end in self.boards):  # every listed model was upserted
            raise RuntimeError("a model of a new date has no row")
        self._snapshots(pks)
        for day in sorted(replace):
            delete_date(self.conn, day, self.leaderboard)
        self.written += self._boards(pks)
        return self.written

    # 1. models
    def _day_facts(self) -> dict[int, list[tuple[int, tuple, ModelFacts]]]:
        """Each new date's models as (name key, fact codes, facts): from the overall row, else
        the first row of the day."""
        p = self.parsed
        # The row chosen for each (date, name key): the least of (not overall, row number).
        span = p.rows_read + 1
        rank = (p.category != self.overall).astype(np.int64) * span + p.row_number
        cell = p.day.astype(np.int64) * len(p.name_keys) + p.key
        best = np.full(len(p.days) * len(p.name_keys), 2 * span, dtype=np.int64)
        np.minimum.at(best, cell, rank)
        position = np.empty(span, dtype=np.int64)
        position[p.row_number] = np.arange(len(p.row_number))
        chosen = best[best < 2 * span]
        first = position[chosen % span]  # in (date, name key) order
        memo: dict[tuple, ModelFacts] = {}
        out: dict[int, list[tuple[int, tuple, ModelFacts]]] = {}
        orgs, lics = [*p.organizations, None], [*p.licenses, None]
        for d, k, n, o, lic in zip(
            p.day[first].tolist(),
            p.key[first].tolist(),
            p.name[first].tolist(),
            p.organization[first].tolist(),
            p.license[first].tolist(),
            strict=True,
        ):
            if d not in self.new_codes:
                continue
            facts = memo.get((n, o, lic))
            if facts is None:
                facts = memo[(n, o, lic)] = _facts(p.names[n], orgs[o], lics[lic])
            out.setdefault(d, []).append((k, (n, o, lic), facts))
        return out

    def _models(self, *, skip_unchanged: bool = True) -> dict[str, int]:
        """Each date's facts in date order, as ``upsert_models`` calls of a series (one cache).

        ``skip_unchanged``: a model is left out of a date's call when it has the same facts as
        on its previous date in this file and its row holds this board's facts as that call
        left it: ``upsert_models`` would change nothing (a board's same facts again record no
        new listing), so only first listings and changes are sent.
        """
        by_day = self._day_facts()
        cache = writes.ApplyCache()  # consecutive dates of one file: as a series of snapshot files
        index: dict[str, int] = {}
        last: dict[int, tuple] = {}  # name key -> fact codes of its previous date
        settled: set[int] = set()  # name keys whose row holds this board's facts as we left it
        steps = sorted(by_day)
        if self.progress and len(steps) > 1:
            from tqdm import tqdm

            steps = tqdm(steps, unit="date", desc=f"import {self.leaderboard}")
        for code in steps:
            todo = [
                item
                for item in by_day[code]
                if not (skip_unchanged and item[0] in settled and last.get(item[0]) == item[1])
            ]
            for key, codes, _ in by_day[code]:
                last[key] = codes
            if not todo:
                continue
            cache.check(self.conn)
            index, inserted, updated = writes.upsert_models(
                self.conn,
                [facts for _, _, facts in todo],
                source=self.leaderboard,
                as_of=self.parsed.days[code],
                board=True,
                cache=cache,
            )
            cache.seal(self.conn)
            self.written += inserted + updated
            for key, _, _ in todo:
                pk = index.get(self.parsed.name_keys[key])
                if pk is not None and cache.facts_source(pk) == self.leaderboard:
                    settled.add(key)
                else:
                    settled.discard(key)
        return index or writes.load_model_index(self.conn)

    # 2. the overall snapshots
    def _snapshots(self, pks: np.ndarray) -> None:
        overall = [(self.parsed.days[d], s, e) for d, c, s, e in self.boards if c == self.overall]
        if not overall:
            return
        newest = writes.newest_snapshot(self.conn, self.leaderboard)
        older = [b for b in overall if newest is not None and b[0] <= newest]
        later = [b for b in overall if newest is None or b[0] > newest]
        for day, start, end in older:
            stats = writes.apply_snapshot(
                self.conn,
                self.leaderboard,
                day,
                self._entries(start, end),
                model_index=self._index_of(pks, start, end),
                run_id=self.run_id,
                source_file=f"{self.name}#{day.isoformat()}",
                sha256=self.parsed.sha256,
            )
            self.written += stats.rows_written
        if later:
            series = [self._series(day, pks, start, end) for day, start, end in later]
            stats = writes.apply_snapshot_series(self.conn, self.leaderboard, series, run_id=self.run_id)
            if stats is None:  # cannot be: every date is after the newest stored one
                raise RuntimeError(f"{later[0][0]} is not after the newest stored snapshot {newest}")
            self.written += stats.rows_written

    def _columns(self, start: int, end: int):
        v = self.parsed.values
        return (
            v["rating"][start:end].tolist(),
            v["rating_lower"][start:end].tolist(),
            v["rating_upper"][start:end].tolist(),
            v["vote_count"][start:end].tolist(),
            v["rank"][start:end].tolist(),
        )

    def _index_of(self, pks: np.ndarray, start: int, end: int) -> dict[str, int]:
        p = self.parsed
        return {
            p.names[n].lower(): pk for n, pk in zip(p.name[start:end].tolist(), pks[start:end].tolist(), strict=True)
        }

    def _entries(self, start: int, end: int) -> list[BoardEntry]:
        """One overall board as board entries (for ``apply_snapshot``)."""
        p = self.parsed
        orgs, lics = [*p.organizations, None], [*p.licenses, None]
        entries = []
        names = p.name[start:end].tolist()
        meta = zip(names, p.organization[start:end].tolist(), p.license[start:end].tolist(), strict=True)
        for (n, o, lic), scores in zip(meta, self._scores(start, end), strict=True):
            entries.append(BoardEntry(facts=_facts(p.names[n], orgs[o], lics[lic]), scores=scores))
        return entries

    def _scores(self, start: int, end: int) -> list[dict[str, float]]:
        """Each row's scores (:func:`_row_scores`)."""
        return [dict(_row_scores(*row)) for row in zip(*self._columns(start, end), strict=True)]

    def _series(self, day: dt.date, pks: np.ndarray, start: int, end: int) -> writes.SeriesSnapshot:
        ids = pks[start:end].tolist()
        wanted: dict[tuple, tuple] = {}
        for pk, *row in zip(ids, *self._columns(start, end), strict=True):
            for bench, value in _row_scores(*row):
                wanted[(pk, "", bench)] = (value, None, None)
        return writes.SeriesSnapshot(
            day,
            wanted,
            {(pk, "") for pk in ids},
            entries=len(ids),
            source_file=f"{self.name}#{day.isoformat()}",
            sha256=self.parsed.sha256,
        )

    # 3. the boards
    def _boards(self, pks: np.ndarray) -> int:
        p, v = self.parsed, self.parsed.values
        rows = []
        for d, c, start, end in self.boards:
            rows.append(
                {
                    "leaderboard_key": self.leaderboard,
                    "category": p.categories[c],
                    "publish_date": p.days[d],
                    "source": self.origin,
                    **pack_board(pks[start:end], {name: v[name][start:end] for name in VALUE_COLUMNS}),
                }
            )
        return insert_boards(self.conn, rows)


def _row_scores(rating: float, lower: float, upper: float, votes: float, rank: float):
    """One row's scores on the board: the rating, then the Arena's rank, the votes and the
    interval as half-widths, each when published (NaN: not)."""
    yield "arena_score", rating
    if rank == rank:  # not NaN
        yield "arena_rank", rank
    if votes == votes:
        yield "votes", votes
    if upper == upper:
        yield "ci_plus", upper - rating
    if lower == lower:
        yield "ci_minus", rating - lower


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
    the import is one transaction, and the sha is stored only after it committed).
    """
    from ingest.contents import _one_line, hf_cache

    try:
        info = api.dataset_info(REPO)
    except BaseException as exc:
        writes.record_run(
            engine, LMARENA, "failed", detail={"dataset": REPO}, error=f"reading {REPO}'s revision: {_one_line(exc)}"
        )
        raise
    sha = info.sha
    modified = info.last_modified.isoformat() if getattr(info, "last_modified", None) else None
    with engine.connect() as conn:
        last = writes.get_state(conn, LMARENA, STATE_SHA)
    detail = {"dataset": REPO, "revision": sha, "file": FILE, "last_modified": modified}
    if sha is not None and sha == last:
        writes.record_run(engine, LMARENA, "skipped", detail={**detail, "reason": "revision unchanged"})
        log.info("%s: revision %s unchanged: nothing to download", REPO, (sha or "?")[:12])
        return "skipped", {"imported": 0, "revision": sha}
    try:
        path = Path(api.hf_hub_download(REPO, FILE, repo_type="dataset", revision=sha, cache_dir=hf_cache(settings)))
    except BaseException as exc:
        writes.record_run(
            engine, LMARENA, "failed", detail=detail, error=f"downloading {FILE}@{(sha or '?')[:12]}: {_one_line(exc)}"
        )
        raise
    result = import_dataset(engine, path, source_name=f"{REPO}/{FILE}", origin=f"{REPO}@{sha}", extra=detail)
    if result.error:
        raise InputError(result.error)
    if result.run_id is None:  # every date already stored from the dataset
        writes.record_run(engine, LMARENA, "skipped", detail={**detail, "reason": "no new publish dates"})
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
