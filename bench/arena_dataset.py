"""``arena_dataset_import``: a full split of LMArena's leaderboard dataset, imported.

The file is generated in the dataset's exact schema, shaped like the real ``text/full`` split
(1,168,522 rows: ``leaderboard_publish_date`` from 2023-05-08, ``overall`` and 28 other
categories, 434 distinct model names, the 2023 Elo era without intervals or votes), from the
real Arena rows of the test fixture (``tests/fixtures/lmarena-dataset``, the seed's scrapes):

- names, organisations and licenses are the fixture's real ones (suffixed copies when the pool
  needs more names than the fixture has, as the real split has 434);
- a model's rating on a date is its real rating near that date plus a small per-category shift
  resampled from the real spread; the interval's half-widths and the votes are resampled from
  the real rows; the Arena's rank follows its own rule (1 + the number of models whose lower
  bound is above this model's upper bound), so models with overlapping intervals share a rank;
- until 2023-12-20 the rows have no interval, variance or votes, as in the real split.

The figure: CPU seconds of ``import_dataset`` into a fresh SQLite file, against the CPU seconds
pandas takes to read the same Parquet file (best of the repeats, alternated).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from bench.core import Result, Sizes, cpu_seconds, fresh_sqlite
from db.arena import KNOWN_CATEGORIES

log = logging.getLogger("bench")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "lmarena-dataset" / "text-full-from-scrapes.parquet"
# 29 categories, as the real text split has: the named ones, then languages.
CATEGORIES = KNOWN_CATEGORIES[:29]
ELO_ERA_END = dt.date(2023, 12, 20)


def generate(path: Path, rows: int = 1_200_000, models: int = 434, seed: int = 1) -> int:
    """Write a full split of about ``rows`` rows to ``path``; returns the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    real = pq.read_table(FIXTURE).to_pandas()
    real["day"] = pd.to_datetime(real["leaderboard_publish_date"])
    # Names compare ignoring case (the scrapes spell some two ways): one spelling each.
    real["_k"] = real["model_name"].str.lower()
    names = real.drop_duplicates("_k")[["model_name", "organization", "license"]].reset_index(drop=True)
    pool = [names.iloc[i % len(names)].tolist() for i in range(models)]
    for i in range(len(names), models):
        pool[i][0] = f"{pool[i][0]}-v{i // len(names) + 1}"
    mean_rating = real.groupby("_k")["rating"].mean()
    base = np.array([mean_rating[names.iloc[i % len(names), 0].lower()] for i in range(models)])
    base = base + rng.normal(0, 5, models)
    widths_plus = (real["rating_upper"] - real["rating"]).dropna().to_numpy()
    widths_minus = (real["rating"] - real["rating_lower"]).dropna().to_numpy()
    votes = real["vote_count"].dropna().to_numpy()
    # Each model arrives on its own date and stays (as on the real board); the board grows.
    start, end = dt.date(2023, 5, 8), dt.date(2026, 10, 2)
    span = (end - start).days
    arrive = np.sort(rng.integers(0, span, models))
    arrive[:8] = 0
    # Publish dates: as many as it takes to reach ``rows`` with every category on every date.
    per_day_cat = np.array([(arrive <= d).sum() for d in range(span + 1)])
    target = rows / len(CATEGORIES)
    n_dates = 10
    while per_day_cat[np.linspace(0, span, n_dates).astype(int)].sum() < target:
        n_dates += 1
    offsets = np.linspace(0, span, n_dates).astype(int)
    shift = rng.normal(0, 25, (len(CATEGORIES), models))
    out = {c: [] for c in ("model_name", "organization", "license", "category", "leaderboard_publish_date")}
    nums = {c: [] for c in ("rating", "rating_lower", "rating_upper", "variance", "vote_count", "rank")}
    total = 0
    for off in offsets:
        day = start + dt.timedelta(days=int(off))
        listed = np.flatnonzero(arrive <= off)
        elo_era = day <= ELO_ERA_END
        for c, category in enumerate(CATEGORIES):
            rating = base[listed] + shift[c, listed] + rng.normal(0, 2, len(listed))
            if elo_era:
                lower = upper = var = vc = rank = np.full(len(listed), np.nan)
            else:
                upper = rating + rng.choice(widths_plus, len(listed))
                lower = rating - rng.choice(widths_minus, len(listed))
                var = ((upper - lower) / 3.92) ** 2
                vc = rng.choice(votes, len(listed))
                rank = 1 + (lower[None, :] > upper[:, None]).sum(axis=1)
            out["model_name"] += [pool[m][0] for m in listed]
            out["organization"] += [pool[m][1] for m in listed]
            out["license"] += [pool[m][2] for m in listed]
            out["category"] += [category] * len(listed)
            out["leaderboard_publish_date"] += [day.isoformat()] * len(listed)
            nums["rating"].append(rating)
            nums["rating_lower"].append(lower)
            nums["rating_upper"].append(upper)
            nums["variance"].append(var)
            nums["vote_count"].append(vc)
            nums["rank"].append(np.asarray(rank, dtype=float))
            total += len(listed)
    table = pa.table(
        {
            "model_name": pa.array(out["model_name"], pa.string()),
            "organization": pa.array(out["organization"], pa.string()),
            "license": pa.array(out["license"], pa.string()),
            **{
                k: pa.array(np.concatenate(v), pa.float64(), from_pandas=True)
                for k, v in nums.items()
                if k in ("rating", "rating_lower", "rating_upper", "variance")
            },
            "vote_count": pa.array(np.concatenate(nums["vote_count"]), pa.float64(), from_pandas=True),
            "rank": pa.array(np.concatenate(nums["rank"]), pa.float64(), from_pandas=True),
            "category": pa.array(out["category"], pa.string()),
            "leaderboard_publish_date": pa.array(out["leaderboard_publish_date"], pa.string()),
        }
    )
    # The real file has about 1,000 rows per row group (1,169 groups for 1,168,522 rows).
    pq.write_table(table, path, row_group_size=1000)
    return total


def run(work: Path, sizes: Sizes) -> list[Result]:
    from ingest.lmarena_dataset import import_dataset

    rows = sizes.arena_rows
    path = work / "text-full-00000-of-00001.parquet"
    log.info("arena: generating a full split of about %d rows", rows)
    total = generate(path, rows=rows)
    pd.read_parquet(path)  # warm the page cache
    best_base = min(cpu_seconds(lambda: pd.read_parquet(path))[0] for _ in range(sizes.repeats))
    log.info("arena: importing %d rows", total)
    engine = fresh_sqlite(work / "arena.db")
    gc.collect()
    cpu, wall, result = cpu_seconds(lambda: import_dataset(engine, path))
    engine.dispose()
    if result.error:
        raise RuntimeError(f"arena: import failed: {result.error}")
    note = (
        f"{total:,} rows, {len(result.dates_imported)} publish dates x {len(CATEGORIES)} categories; "
        f"CPU s (wall {wall:.1f} s); baseline: pandas.read_parquet of the same file, best of {sizes.repeats}"
    )
    return [Result("arena_dataset_import", cpu, "s", best_base, 5.0, note)]
