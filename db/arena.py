"""LMArena's categories: the Arena board's benchmarks, stored per publish date (``arena_ratings``).

The category ``overall`` is the board's main benchmark ``arena_score`` and lives in ``scores``
like every board (so its history joins the older scrapes); every category, ``overall`` included,
is also kept as published in ``arena_ratings`` with the Arena's own rank, interval and votes.

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
from sqlalchemy import Connection, func, select

from core.boards import LMARENA
from core.errors import NotFoundError
from db import history
from db.schema import ARENA_RATINGS, BENCHMARKS

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
                description=f"LMArena category '{category}' (rating per publish date; arena_ratings)",
                higher_is_better=True,
                scale="elo",
                min_value=0.0,
                max_value=4000.0,
                task_group=category_task(category),
                position=start + position,
            )
        )
        existing.add(key)


# --------------------------------------------------------------------------- reads


def categories(conn: Connection, leaderboard: str = LMARENA) -> list[str]:
    """Categories stored for a board, ``overall`` first, then by name."""
    found = (
        conn.execute(select(ARENA_RATINGS.c.category).where(ARENA_RATINGS.c.leaderboard_key == leaderboard).distinct())
        .scalars()
        .all()
    )
    return sorted(found, key=lambda c: (c != OVERALL, c))


def publish_dates(conn: Connection, category: str, leaderboard: str = LMARENA) -> list[dt.date]:
    return list(
        conn.execute(
            select(ARENA_RATINGS.c.publish_date)
            .where(ARENA_RATINGS.c.leaderboard_key == leaderboard, ARENA_RATINGS.c.category == category)
            .distinct()
            .order_by(ARENA_RATINGS.c.publish_date)
        ).scalars()
    )


def stored_dates(conn: Connection, leaderboard: str = LMARENA, source: str | None = None) -> set[dt.date]:
    """Every publish date with rows in ``arena_ratings`` (any category; from ``source`` if given).

    ``source`` compares up to the first "@" (a repo's rows at any revision count).
    """
    query = select(ARENA_RATINGS.c.publish_date).where(ARENA_RATINGS.c.leaderboard_key == leaderboard)
    if source is not None:
        base = source.split("@")[0]
        query = query.where((ARENA_RATINGS.c.source == base) | ARENA_RATINGS.c.source.like(base + "@%"))
    return set(conn.execute(query.distinct()).scalars())


def delete_date(conn: Connection, day: dt.date, leaderboard: str = LMARENA) -> int:
    """Drop every category's rows of one publish date (before a better source replaces them)."""
    from sqlalchemy import delete

    return conn.execute(
        delete(ARENA_RATINGS).where(ARENA_RATINGS.c.leaderboard_key == leaderboard, ARENA_RATINGS.c.publish_date == day)
    ).rowcount


def check_category(conn: Connection, category: str, leaderboard: str = LMARENA) -> None:
    stored = categories(conn, leaderboard)
    if category not in stored:
        choices = ", ".join(stored) if stored else "none imported yet (python -m ingest run lmarena)"
        raise NotFoundError(f"unknown Arena category {category!r}; choose one of: {choices}")


RATING_COLUMNS = ["model_pk", "rating", "rating_lower", "rating_upper", "vote_count", "arena_rank", "published"]


def category_rows(
    conn: Connection, category: str, as_of: dt.date | None = None, leaderboard: str = LMARENA
) -> pd.DataFrame:
    """The category's rows of its newest publish date on or before ``as_of`` (columns RATING_COLUMNS)."""
    newest = select(func.max(ARENA_RATINGS.c.publish_date)).where(
        ARENA_RATINGS.c.leaderboard_key == leaderboard, ARENA_RATINGS.c.category == category
    )
    if as_of is not None:
        newest = newest.where(ARENA_RATINGS.c.publish_date <= as_of)
    day = conn.execute(newest).scalar()
    if day is None:
        return pd.DataFrame(columns=RATING_COLUMNS)
    rows = conn.execute(
        select(
            ARENA_RATINGS.c.model_id,
            ARENA_RATINGS.c.rating,
            ARENA_RATINGS.c.rating_lower,
            ARENA_RATINGS.c.rating_upper,
            ARENA_RATINGS.c.vote_count,
            ARENA_RATINGS.c.rank,
            ARENA_RATINGS.c.publish_date,
        ).where(
            ARENA_RATINGS.c.leaderboard_key == leaderboard,
            ARENA_RATINGS.c.category == category,
            ARENA_RATINGS.c.publish_date == day,
        )
    ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=RATING_COLUMNS)


def _models(conn: Connection, pks) -> pd.DataFrame:
    from db.queries import MODEL_COLUMNS, _models_frame

    frame = _models_frame(conn, pks)
    return frame if not frame.empty else pd.DataFrame(columns=["model_pk", *MODEL_COLUMNS])


# Columns of ``python -m db leaderboard --leaderboard lmarena`` (the CLI contract).
BOARD_COLUMNS = [
    "rank",
    "model_id",
    "score",
    "board_rank",
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


def category_board(conn: Connection, category: str, as_of: dt.date | None = None, flt=None) -> pd.DataFrame:
    """A category's board as of a day: rank (position after filters), model_id, score (rating),
    board_rank (the Arena's own rank), the interval as half-widths, votes, the publish date shown,
    and the model columns. Ordered by rating, ties to the id first alphabetically ignoring case.
    """
    from db.queries import ModelFilter, filter_models

    rows = category_rows(conn, category, as_of)
    models = _models(conn, rows["model_pk"].unique().tolist())
    frame = rows.merge(models, on="model_pk", how="left")
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

    rows = conn.execute(
        select(ARENA_RATINGS.c.publish_date, ARENA_RATINGS.c.model_id, ARENA_RATINGS.c.rating).where(
            ARENA_RATINGS.c.leaderboard_key == leaderboard, ARENA_RATINGS.c.category == category
        )
    ).all()
    frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=["date", "model_pk", "value"])
    if frame.empty:
        return pd.DataFrame(columns=["date", "model_pk", "model_id", "value"])
    models = _models(conn, frame["model_pk"].unique().tolist())
    flt = flt or ModelFilter()
    if not flt.is_empty():
        frame = frame[frame["model_pk"].isin(set(filter_models(models, flt)["model_pk"]))]
    names = models.set_index("model_pk")["repo_id"]
    frame = frame.assign(model_id=frame["model_pk"].map(names))
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


def model_category_ratings(conn: Connection, model_pk: int) -> pd.DataFrame:
    """A model's newest row in every category: category, rating, interval, votes, rank, date."""
    rows = conn.execute(
        select(
            ARENA_RATINGS.c.category,
            ARENA_RATINGS.c.publish_date,
            ARENA_RATINGS.c.rating,
            ARENA_RATINGS.c.rating_lower,
            ARENA_RATINGS.c.rating_upper,
            ARENA_RATINGS.c.vote_count,
            ARENA_RATINGS.c.rank,
        ).where(ARENA_RATINGS.c.model_id == model_pk)
    ).all()
    frame = pd.DataFrame.from_records(
        [tuple(r) for r in rows],
        columns=["category", "published", "rating", "rating_lower", "rating_upper", "votes", "arena_rank"],
    )
    if frame.empty:
        return frame
    frame = frame.sort_values("published").drop_duplicates("category", keep="last")
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
