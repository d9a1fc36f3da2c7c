"""Plain records that the ingesters hand to the database layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class ModelFacts:
    """What one source says about a model. ``None`` means "this source does not say"."""

    repo_id: str
    org: str | None = None
    params_b: float | None = None
    params_source: str | None = None
    params_is_estimate: bool = False
    license: str | None = None
    license_category: str | None = None
    architecture: str | None = None
    model_type: str | None = None
    pipeline_tag: str | None = None
    base_model: str | None = None
    created_date: dt.date | None = None
    downloads: int | None = None
    likes: int | None = None
    gated: str | None = None
    is_merged: bool | None = None
    is_moe: bool | None = None
    is_flagged: bool | None = None
    on_hub: bool | None = None
    extra: dict[str, str] = field(default_factory=dict)  # more facts for model_facts


@dataclass
class BoardEntry:
    """One row of a leaderboard snapshot, normalised."""

    facts: ModelFacts
    variant: str = ""
    precision: str | None = None
    revision: str | None = None
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Rejection:
    row_number: int | None
    reason: str
    raw: str | None = None


@dataclass
class SnapshotStats:
    entries: int = 0
    scores_inserted: int = 0
    scores_closed: int = 0
    scores_deleted: int = 0
    models_inserted: int = 0
    models_updated: int = 0

    @property
    def rows_written(self) -> int:
        return (
            self.scores_inserted + self.scores_closed + self.scores_deleted + self.models_inserted + self.models_updated
        )


@dataclass(frozen=True)
class SnapshotDelta:
    """What changed in a snapshot file since the file parsed just before it (``ingest`` -> ``db``).

    ``added``, ``changed`` and ``removed`` are (lower-case id, variant) rows: new in this file,
    present in both with another line (or with facts the file corrected), gone from it. Every
    other row has the very same line, so the same scores and facts. ``base_sha256`` is the
    content digest of the file it is relative to. ``db`` checks the contract, it does not trust
    it: ``db.writes`` uses the delta only while that file is the newest stored snapshot of the
    board (same digest) and the import is newer; otherwise it plans the whole snapshot.
    """

    base_sha256: str
    added: frozenset = frozenset()
    changed: frozenset = frozenset()
    removed: frozenset = frozenset()

    @property
    def touched(self) -> frozenset:
        return self.added | self.changed | self.removed
