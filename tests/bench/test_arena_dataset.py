"""The generated LMArena full split has the real dataset's schema and shape, and imports."""

from __future__ import annotations

import pyarrow.parquet as pq

from bench.arena_dataset import CATEGORIES, FIXTURE, generate
from ingest.lmarena_dataset import COLUMNS, parse_dataset


def test_generated_split_is_shaped_like_the_real_one(tmp_path):
    path = tmp_path / "full.parquet"
    total = generate(path, rows=20_000, models=60)
    table = pq.read_table(path)
    assert table.schema == pq.read_schema(FIXTURE) and table.schema.names == list(COLUMNS)
    frame = table.to_pandas()
    assert len(frame) == total >= 20_000
    assert set(frame["category"]) == set(CATEGORIES)
    assert frame["leaderboard_publish_date"].min() == "2023-05-08"
    elo = frame[frame["leaderboard_publish_date"] <= "2023-12-20"]
    assert not elo.empty and elo["rating_lower"].isna().all() and elo["vote_count"].isna().all()
    later = frame[frame["leaderboard_publish_date"] > "2023-12-20"]
    assert later["rank"].notna().all() and later.duplicated(["leaderboard_publish_date", "category", "rank"]).any()
    real_names = set(pq.read_table(FIXTURE).column("model_name").to_pylist())
    assert set(frame["model_name"]) & real_names
    parsed = parse_dataset(path)
    assert not parsed.rejections and len(parsed.rows) == total
