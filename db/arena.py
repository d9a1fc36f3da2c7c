"""LMArena's categories: the Arena board's benchmarks, stored per publish date (``arena_boards``).

The category ``overall`` is the board's main benchmark ``arena_score`` and lives in ``scores``
like every board (so its history joins the older scrapes); every category, ``overall`` included,
is also kept as published in ``arena_boards`` with the Arena's own rank, interval and votes: one
row per published board (category x publish date) holding its models' ids and values as
columnar arrays (:func:`pack_board`, :func:`unpack_ids`, :func:`unpack_values`); a merged model
row's places move to the row it was merged into (:func:`move_model`).

Rules (pure functions, stated once):

- a category's task group: :func:`category_task`;
- the board of a category as of day D: its rows of the newest publish date on or before D
  (categories are published on their own dates: ``latest`` is the latest per category);
- ratings compare only within one publish date; the Arena's ``rank`` is its own (models whose
  intervals overlap share a rank), shown as published, never recomputed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from core.boards import LMARENA
from core.errors import NotFoundError
from db import history
from db.schema import ARENA_BOARDS, BENCHMARKS

OVERALL = "overall"

# Display names of the categories LMArena publishes (others get a title-cased name).
_NAMES = {
    "overall": "Overall",
    "hard_prompts": "Hard prompts",
    "hard_prompts_english": "Hard prompts (English)",
    "coding": "Coding",
    "math": "Math",
    "creative_writing": "Creative writing",
    "instruction_following": "Instruction following",
    "longer_query": "Longer query",
    "multi_turn": "Multi-turn",
    "exclude_short": "Exclude short queries",
    "exclude_ties": "Exclude ties",
    "exclude_refusal": "Exclude refusals",
    "english": "English",
}
_LANGUAGES = {
    "chinese",
    "french",
    "german",
    "japanese",
    "korean",
    "russian",
    "spanish",
    "italian",
    "portuguese",
    "arabic",
    "vietnamese",
    "polish",
    "dutch",
    "turkish",
    "indonesian",
    "hindi",
    "thai",
    "persian",
    "hebrew",
    "czech",
    "ukrainian",
    "swedish",
    "bengali",
}
# Categories the registry lists even before any is imported (the picker shows only stored ones).
KNOWN_CATEGORIES = (*_NAMES, *sorted(_LANGUAGES))


def category_task(category: str) -> str:
    """The agreed task group of an Arena category (pure; unknown categories are ``chat``)."""
    c = category.lower()
    if c == OVERALL:
        return "chat"
    if c in _LANGUAGES:
        return "multilingual"
    for words, task in (
        (("coding", "code", "webdev"), "coding"),
        (("math",), "math"),
        (("creative",), "creative writing"),
        (("instruction",), "instruction following"),
        (("hard_prompts", "hard"), "reasoning"),
    ):
        if any(w in c for w in words):
            return task
    return "chat"


def category_name(category: str) -> str:
    return _NAMES.get(category) or category.replace("_", " ").capitalize()


def category_benchmark(category: str) -> str:
    """The benchmark key of a category on the Arena board (``overall`` is ``arena_score``)."""
    return "arena_score" if category == OVERALL else category


def ensure_categories(conn: Connection, extra: tuple[str, ...] = ()) -> None:
    """Register every known (and every ``extra``) category as a benchmark of the Arena board."""
    existing = set(
        conn.execute(select(BENCHMARKS.c.key).where(BENCHMARKS.c.leaderboard_key == LMARENA)).scalars().all()
    )
    start = 100  # after the board's own columns
    for position, category in enumerate(dict.fromkeys((*KNOWN_CATEGORIES, *extra))):
        key = category_benchmark(category)
        if key in existing:
            continue
        conn.execute(
            BENCHMARKS.insert().values(
                leaderboard_key=LMARENA,
                key=key,
                display_name=category_name(category),
                description=f"LMArena category '{category}' (rating per publish date; arena_boards)",
                higher_is_better=True,
                scale="elo",
                min_value=0.0,
                max_value=4000.0,
                task_group=category_task(category),
                position=start + position,
            )
        )
        existing.add(key)


# --------------------------------------------------------------------------- storage

# The value arrays of a stored board, in ``arena_boards``' column order (``model_ids`` aside).
VALUE_COLUMNS = ("rating", "rating_lower", "rating_upper", "variance", "vote_count", "rank")
_IDS, _FLOATS = np.dtype("<i8"), np.dtype("<f8")


def pack_board(model_ids, values: dict) -> dict:
    """The stored form of one board: ``models``, ``model_ids`` (int64) and each of
    :data:`VALUE_COLUMNS` (float64, NaN for a missing value) as little-endian bytes."""
    ids = np.asarray(model_ids, dtype=_IDS)
    row = {"models": len(ids), "model_ids": ids.tobytes()}
    for name in VALUE_COLUMNS:
        column = np.asarray(values[name], dtype=_FLOATS)
        if len(column) != len(ids):
            raise ValueError(f"{name}: {len(column)} values for {len(ids)} models")
        row[name] = column.tobytes()
    return row


def unpack_ids(blob) -> np.ndarray:
    return np.frombuffer(blob, dtype=_IDS)


def unpack_values(blob) -> np.ndarray:
    return np.frombuffer(blob, dtype=_FLOATS)


# --------------------------------------------------------------------------- reads

_BOARD = (ARENA_BOARDS.c.leaderboard_key, ARENA_BOARDS.c.category)


def categories(conn: Connection, leaderboard: str = LMARENA) -> list[str]:
    """Categories stored for a board, ``overall`` first, then by name."""
    found = (
        conn.execute(select(ARENA_BOARDS.c.category).where(ARENA_BOARDS.c.leaderboard_key == leaderboard).distinct())
        .scalars()
        .all()
    )
    return sorted(found, key=lambda c: (c != OVERALL, c))


def publish_dates(conn: Connection, category: str, leaderboard: str = LMARENA) -> list[dt.date]:
    return list(
        conn.execute(
            select(ARENA_BOARDS.c.publish_date)
            .where(_BOARD[0] == leaderboard, _BOARD[1] == category)
            .order_by(ARENA_BOARDS.c.publish_date)
        ).scalars()
    )


def stored_dates(conn: Connection, leaderboard: str = LMARENA, source: str | None = None) -> set[dt.date]:
    """Every publish date with a stored board (any category; from ``source`` if given).

    ``source`` compares up to the first "@" (a repo's boards at any revision count).
    """
    query = select(ARENA_BOARDS.c.publish_date).where(ARENA_BOARDS.c.leaderboard_key == leaderboard)
    if source is not None:
        base = source.split("@")[0]
        query = query.where((ARENA_BOARDS.c.source == base) | ARENA_BOARDS.c.source.like(base + "@%"))
    return set(conn.execute(query.distinct()).scalars())


def delete_date(conn: Connection, day: dt.date, leaderboard: str = LMARENA) -> int:
    """Drop every category's board of one publish date (before a better source replaces them)."""
    from sqlalchemy import delete

    return conn.execute(
        delete(ARENA_BOARDS).where(ARENA_BOARDS.c.leaderboard_key == leaderboard, ARENA_BOARDS.c.publish_date == day)
    ).rowcount


# In the table's column order (the compiled insert's): rows need no reordering.
_STORED = ("leaderboard_key", "category", "publish_date", "models", "model_ids", *VALUE_COLUMNS, "source")


def insert_boards(conn: Connection, boards: list[dict]) -> int:
    """Store boards (``leaderboard_key, category, publish_date, source`` and :func:`pack_board`'s
    columns) in one executemany; returns how many models they list."""
    from db.writes import insert_tuples

    # The arrays go as bytes (every driver takes bytes for a binary column); dates through the
    # dialect's own processor, once per date.
    to_db = ARENA_BOARDS.c.publish_date.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    days = {b["publish_date"] for b in boards}
    stamp = {d: to_db(d) if to_db is not None else d for d in days}
    rows = [tuple(stamp[b[c]] if c == "publish_date" else b[c] for c in _STORED) for b in boards]
    insert_tuples(conn, ARENA_BOARDS, _STORED, rows)
    return sum(b["models"] for b in boards)


def move_model(conn: Connection, old_pk: int, new_pk: int) -> int:
    """Give ``old_pk``'s places on every stored board to ``new_pk`` (a model row merged into
    another, :func:`db.writes.rename_model`); on a board that lists both, ``new_pk``'s own row
    wins and ``old_pk``'s goes, as :func:`db.history.plan_merge` does for scores. Returns how
    many boards changed. Reads every board's ids: a rename is rare, a dangling id would be wrong."""
    from sqlalchemy import update

    changed = 0
    key = (ARENA_BOARDS.c.leaderboard_key, ARENA_BOARDS.c.category, ARENA_BOARDS.c.publish_date)
    for row in conn.execute(select(*key, ARENA_BOARDS.c.model_ids)).all():
        ids = unpack_ids(row.model_ids)
        at = np.flatnonzero(ids == old_pk)
        if not len(at):
            continue
        if (ids == new_pk).any():
            stored = conn.execute(select(*(ARENA_BOARDS.c[c] for c in VALUE_COLUMNS)).where(*_same(key, row))).one()
            keep = ids != old_pk
            values = {c: unpack_values(blob)[keep] for c, blob in zip(VALUE_COLUMNS, stored, strict=True)}
            packed = pack_board(ids[keep], values)
        else:
            moved = ids.copy()
            moved[at] = new_pk
            packed = {"model_ids": moved.astype(_IDS).tobytes()}
        conn.execute(update(ARENA_BOARDS).where(*_same(key, row)).values(**packed))
        changed += 1
    return changed


def _same(key, row) -> list:
    return [column == row[i] for i, column in enumerate(key)]


def check_category(conn: Connection, category: str, leaderboard: str = LMARENA) -> None:
    stored = categories(conn, leaderboard)
    if category not in stored:
        choices = ", ".join(stored) if stored else "none imported yet (python -m ingest run lmarena)"
        raise NotFoundError(f"unknown Arena category {category!r}; choose one of: {choices}")


RATING_COLUMNS = ["model_pk", "rating", "rating_lower", "rating_upper", "vote_count", "arena_rank", "published"]
_SHOWN = ("rating", "rating_lower", "rating_upper", "vote_count", "rank")


def category_rows(
    conn: Connection, category: str, as_of: dt.date | None = None, leaderboard: str = LMARENA
) -> pd.DataFrame:
    """The category's rows of its newest publish date on or before ``as_of`` (columns RATING_COLUMNS)."""
    query = select(ARENA_BOARDS.c.publish_date, ARENA_BOARDS.c.model_ids, *[ARENA_BOARDS.c[c] for c in _SHOWN]).where(
        _BOARD[0] == leaderboard, _BOARD[1] == category
    )
    if as_of is not None:
        query = query.where(ARENA_BOARDS.c.publish_date <= as_of)
    row = conn.execute(query.order_by(ARENA_BOARDS.c.publish_date.desc()).limit(1)).first()
    if row is None:
        return pd.DataFrame(columns=RATING_COLUMNS)
    frame = pd.DataFrame({"model_pk": unpack_ids(row[1]).astype(np.int64)})
    for name, blob in zip(RATING_COLUMNS[1:6], row[2:], strict=True):
        frame[name] = unpack_values(blob)
    frame["published"] = row[0]
    return frame


def _models(conn: Connection, pks) -> pd.DataFrame:
    from db.queries import MODEL_COLUMNS, _models_frame

    frame = _models_frame(conn, pks)
    return frame if not frame.empty else pd.DataFrame(columns=["model_pk", *MODEL_COLUMNS])


def category_board(conn: Connection, category: str, as_of: dt.date | None = None, flt=None) -> pd.DataFrame:
    """A category's board as of a day: rank (position after filters), model_id, score (rating),
    board_rank (the Arena's own rank), the interval as half-widths, votes, the publish date shown,
    and the model columns. Ordered by rating, ties to the id first alphabetically ignoring case.
    """
    from db.queries import ModelFilter, filter_models

    rows = category_rows(conn, category, as_of)
    models = _models(conn, rows["model_pk"].unique().tolist())
    frame = rows.merge(models, on="model_pk", how="inner")  # a model row gone takes its ratings with it
    frame = filter_models(frame, flt or ModelFilter())
    frame = frame.assign(_k=frame["repo_id"].str.lower()).sort_values(
        ["rating", "_k"], ascending=[False, True], kind="mergesort"
    )
    frame = frame.drop(columns="_k").rename(columns={"repo_id": "model_id"})
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame["score"] = frame["rating"]
    frame["board_rank"] = frame["arena_rank"]
    frame["ci_plus"] = frame["rating_upper"] - frame["rating"]
    frame["ci_minus"] = frame["rating"] - frame["rating_lower"]
    frame["votes"] = frame["vote_count"]
    return frame.reset_index(drop=True)


def daily_leaders(conn: Connection, category: str, flt=None, leaderboard: str = LMARENA) -> pd.DataFrame:
    """The #1 of a category on each of its publish dates: date, model_pk, model_id, value.

    Best rating that date; ties go to the id first in alphabetical order ignoring case.
    """
    from db.queries import ModelFilter, filter_models

    dates, ids, values = [], [], []
    for day, blob, rating in conn.execute(
        select(ARENA_BOARDS.c.publish_date, ARENA_BOARDS.c.model_ids, ARENA_BOARDS.c.rating).where(
            _BOARD[0] == leaderboard, _BOARD[1] == category
        )
    ):
        pks = unpack_ids(blob)
        dates.append(np.full(len(pks), day, dtype=object))
        ids.append(pks)
        values.append(unpack_values(rating))
    frame = pd.DataFrame(
        {
            "date": np.concatenate(dates) if dates else np.array([], dtype=object),
            "model_pk": np.concatenate(ids).astype(np.int64) if ids else np.array([], dtype=np.int64),
            "value": np.concatenate(values) if values else np.array([], dtype=float),
        }
    )
    if frame.empty:
        return pd.DataFrame(columns=["date", "model_pk", "model_id", "value"])
    models = _models(conn, frame["model_pk"].unique().tolist())
    flt = flt or ModelFilter()
    if not flt.is_empty():
        frame = frame[frame["model_pk"].isin(set(filter_models(models, flt)["model_pk"]))]
    names = models.set_index("model_pk")["repo_id"]
    frame = frame.assign(model_id=frame["model_pk"].map(names)).dropna(subset=["model_id"])  # a model gone
    frame = frame.assign(_k=frame["model_id"].str.lower()).sort_values(
        ["date", "value", "_k"], ascending=[True, False, True], kind="mergesort"
    )
    leaders = frame.drop_duplicates("date", keep="first")
    return leaders[["date", "model_pk", "model_id", "value"]].reset_index(drop=True)


def tenure_from_leaders(leaders: pd.DataFrame, dates: list[dt.date]) -> pd.DataFrame:
    """Reigns at #1 from the leader of each date, by the one reign rule (:func:`db.history.reigns`)."""
    columns = ["model_id", "start", "end", "days", "model_pk", "value", "gap_days"]
    if leaders.empty or not dates:
        return pd.DataFrame(columns=columns)
    by_date = {
        d: (pk, mid, v) for d, pk, mid, v in leaders[["date", "model_pk", "model_id", "value"]].itertuples(False)
    }
    found = history.reigns(dates, by_date, identity=lambda leader: leader[0])
    rows = [
        {
            "model_id": r["leader"][1],
            "start": r["start"],
            "end": r["end"],
            "days": r["days"],
            "model_pk": r["leader"][0],
            "value": r["leader"][2],
            "gap_days": r["gap_days"],
        }
        for r in found
    ]
    return pd.DataFrame(rows, columns=columns)


def category_tenure(conn: Connection, category: str, flt=None) -> pd.DataFrame:
    """Reigns at #1 of one category over its publish dates."""
    check_category(conn, category)
    return tenure_from_leaders(daily_leaders(conn, category, flt), publish_dates(conn, category))


def overall_board(conn: Connection, as_of: dt.date | None = None, flt=None, limit: int | None = None) -> pd.DataFrame:
    """The overall board (``scores``: every source merged) with the Arena's own rank and hub ids."""
    from db import queries

    frame = queries.board(conn, LMARENA, as_of, flt=flt or queries.ModelFilter(), limit=limit)
    frame["board_rank"] = frame["arena_rank"] if "arena_rank" in frame.columns else np.nan
    dates = [d for d in queries.snapshot_dates(conn, LMARENA) if as_of is None or d <= as_of]
    frame["published"] = dates[-1] if dates else None
    return frame


def board(
    conn: Connection,
    category: str | None = None,
    as_of: dt.date | None = None,
    flt=None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The Arena board of a category (``overall`` by default) with a ``hub_id`` column."""
    from db.aliases import add_hub_ids

    if category in (None, OVERALL):
        frame = overall_board(conn, as_of, flt, limit)
    else:
        check_category(conn, category)
        frame = category_board(conn, category, as_of, flt)
        if limit is not None:
            frame = frame.head(limit)
    if "model_type" in frame.columns:
        frame["type"] = frame["model_type"]
    return add_hub_ids(conn, frame, LMARENA)


def model_category_ratings(conn: Connection, model_pk: int, leaderboard: str = LMARENA) -> pd.DataFrame:
    """A model's newest row in every category: category, rating, interval, votes, rank, date.

    Boards are read newest first, ids only, until every category has one that lists the model
    (a model on the current boards costs one board per category).
    """
    columns = ["category", "published", "rating", "rating_lower", "rating_upper", "votes", "arena_rank"]
    todo = set(categories(conn, leaderboard))
    found: dict[str, tuple[dt.date, int]] = {}
    newest_first = conn.execute(
        select(ARENA_BOARDS.c.category, ARENA_BOARDS.c.publish_date, ARENA_BOARDS.c.model_ids)
        .where(ARENA_BOARDS.c.leaderboard_key == leaderboard)
        .order_by(ARENA_BOARDS.c.publish_date.desc())
    )
    try:
        for category, day, blob in newest_first:
            if category in found:
                continue
            at = np.flatnonzero(unpack_ids(blob) == model_pk)
            if len(at):
                found[category] = (day, int(at[0]))
                if len(found) == len(todo):
                    break
    finally:
        newest_first.close()
    rows = []
    for category, (day, at) in found.items():
        row = conn.execute(
            select(*[ARENA_BOARDS.c[c] for c in _SHOWN]).where(
                _BOARD[0] == leaderboard, _BOARD[1] == category, ARENA_BOARDS.c.publish_date == day
            )
        ).one()
        values = [float(unpack_values(blob)[at]) for blob in row]
        rows.append((category, day, *values))
    frame = pd.DataFrame.from_records(rows, columns=columns)
    if frame.empty:
        return frame
    order = frame["category"].map(lambda c: (c != OVERALL, c))
    return frame.assign(_o=order).sort_values("_o").drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------- the CLI contract

# ``python -m db leaderboard --leaderboard lmarena``: ``rank`` is the Arena's own rank (empty
# where the source has none, as in 2023; also as ``board_rank``, the name the cross-board task
# view uses), ``position`` the place after filters by rating.
REPORT_COLUMNS = [
    "rank",
    "position",
    "board_rank",
    "model_id",
    "score",
    "ci_minus",
    "ci_plus",
    "votes",
    "published",
    "hub_id",
    "params_b",
    "license",
    "license_category",
    "type",
]


def _only_arena(leaderboard: str) -> None:
    if leaderboard != LMARENA:
        raise NotFoundError(f"--category applies to the Arena only (--leaderboard {LMARENA}), not {leaderboard}")


def report_board(conn: Connection, leaderboard: str, category, as_of, flt, limit) -> pd.DataFrame:
    _only_arena(leaderboard)
    frame = board(conn, category, as_of, flt, limit)
    frame["position"] = frame["rank"]
    frame["rank"] = frame["board_rank"] = frame["board_rank"].astype("Float64").round().astype("Int64")
    if "votes" in frame.columns:  # a count: a whole number (the dataset stores it as a float)
        frame["votes"] = pd.to_numeric(frame["votes"], errors="coerce").round().astype("Int64")
    return frame.reindex(columns=REPORT_COLUMNS)


def report_tenure(conn: Connection, leaderboard: str, category: str, rank_by, flt) -> pd.DataFrame:
    from db import queries

    _only_arena(leaderboard)
    if rank_by:
        raise NotFoundError("--rank-by and --category are two ways to choose the ranking: give one")
    if category == OVERALL:
        return queries.tenure(conn, LMARENA, None, flt)
    return category_tenure(conn, category, flt)
