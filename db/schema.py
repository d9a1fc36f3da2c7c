"""The database schema: SQLAlchemy 2 typed models.

The schema is a public interface (people query the SQLite file directly), so tables and
columns carry plain names. Dates are ISO dates; ``valid_to`` NULL means "still current".
Migrations live in ``db/migrations`` and must be kept in step with this module
(``tests/db/test_migrations.py`` checks that they are).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Vocabulary shared by the ingesters, the reports and the dashboard.
LICENSE_CATEGORIES = (
    "permissive",
    "copyleft",
    "non-commercial",
    "custom",
    "proprietary",
    "unknown",
)
MODEL_TYPES = (
    "pretrained",
    "continuously pretrained",
    "fine-tuned",
    "chat",
    "merge",
    "multimodal",
    "unknown",
)
TASK_GROUPS = (
    "overall",
    "knowledge",
    "reasoning",
    "math",
    "instruction following",
    "commonsense",
    "truthfulness",
    "chat",
    "popularity",
    "uncertainty",
)
RUN_STATUSES = ("running", "succeeded", "failed", "skipped")


class Base(DeclarativeBase):
    pass


class Model(Base):
    """One row per model, keyed by its Hub repo id (unique ignoring case)."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo_id: Mapped[str] = mapped_column(String(400))
    repo_id_lower: Mapped[str] = mapped_column(String(400), unique=True)
    org: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(400))
    params_b: Mapped[float | None] = mapped_column(Float)
    params_source: Mapped[str | None] = mapped_column(Text)
    params_is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    license: Mapped[str | None] = mapped_column(String(200))
    license_source: Mapped[str | None] = mapped_column(Text)
    license_category: Mapped[str] = mapped_column(String(40), default="unknown")
    architecture: Mapped[str | None] = mapped_column(Text)
    model_type: Mapped[str] = mapped_column(String(40), default="unknown")
    pipeline_tag: Mapped[str | None] = mapped_column(Text)
    base_model: Mapped[str | None] = mapped_column(String(400))
    base_model_source: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[dt.date | None] = mapped_column(Date)
    created_source: Mapped[str | None] = mapped_column(Text)
    downloads: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(Integer)
    gated: Mapped[str | None] = mapped_column(String(20))
    is_merged: Mapped[bool] = mapped_column(Boolean, default=False)
    is_moe: Mapped[bool] = mapped_column(Boolean, default=False)
    is_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hub: Mapped[bool | None] = mapped_column(Boolean)
    hub_status: Mapped[str | None] = mapped_column(String(40))
    hub_sha: Mapped[str | None] = mapped_column(String(64))
    hub_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Which leaderboard snapshot the board-derived facts above come from (newest wins).
    board_facts_source: Mapped[str | None] = mapped_column(Text)
    board_facts_as_of: Mapped[dt.date | None] = mapped_column(Date)
    # How far params_b can be trusted (db.facts.CONFIDENCES) and why; the base model's license
    # when the repo states none (shown as inherited, never as the repo's own). Migration 0004.
    params_confidence: Mapped[str | None] = mapped_column(String(20))
    params_note: Mapped[str | None] = mapped_column(Text)
    license_inherited: Mapped[str | None] = mapped_column(String(200))
    license_inherited_from: Mapped[str | None] = mapped_column(String(400))

    __table_args__ = (Index("ix_models_params_b", "params_b"),)


class ModelAlias(Base):
    """Other ids a model was known by (a renamed Hub repo keeps its old id here)."""

    __tablename__ = "model_aliases"

    alias_lower: Mapped[str] = mapped_column(String(400), primary_key=True)
    alias: Mapped[str] = mapped_column(String(400))
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))


class ModelFact(Base):
    """A fact about a model with where it came from (shown on the model page)."""

    __tablename__ = "model_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("model_id", "field", "source"),)


class Claim(Base):
    """A published claim about a model, to be shown against what was measured."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    claim: Mapped[str] = mapped_column(Text)
    claimed_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("model_id", "field", "source", "claim"),)


class Leaderboard(Base):
    __tablename__ = "leaderboards"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    main_benchmark: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Benchmark(Base):
    __tablename__ = "benchmarks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaderboard_key: Mapped[str] = mapped_column(ForeignKey("leaderboards.key", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    scale: Mapped[str] = mapped_column(String(40))  # "percent", "elo", "count"
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    task_group: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("leaderboard_key", "key"),)


class Snapshot(Base):
    """One imported snapshot: the board as it stood on one date."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaderboard_key: Mapped[str] = mapped_column(ForeignKey("leaderboards.key", ondelete="CASCADE"))
    snapshot_date: Mapped[dt.date] = mapped_column(Date)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    source_file: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id", ondelete="SET NULL"))
    # Far fewer entries than the snapshots before it (db.history.partial_flags): entries absent
    # from it are carried, not closed. partial_rows: the [model id, variant] rows it lists.
    is_partial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    partial_rows: Mapped[list | None] = mapped_column(JSON(none_as_null=True))

    __table_args__ = (UniqueConstraint("leaderboard_key", "snapshot_date"),)


class Score(Base):
    """A score with its validity interval [valid_from, valid_to) over snapshot dates."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaderboard_key: Mapped[str] = mapped_column(ForeignKey("leaderboards.key", ondelete="CASCADE"))
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(300), default="")
    precision: Mapped[str | None] = mapped_column(String(40))
    revision: Mapped[str | None] = mapped_column(String(64))
    benchmark_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        # "The board as of day D": equality on board and benchmark, then the interval.
        Index("ix_scores_board_asof", "leaderboard_key", "benchmark_key", "valid_to", "valid_from"),
        # The whole board as of a day (every benchmark) and its open intervals: a range on
        # valid_to, so the cost follows the board, not the length of its history.
        Index("ix_scores_board_to", "leaderboard_key", "valid_to", "valid_from"),
        Index("ix_scores_model", "model_id", "leaderboard_key"),
        Index("ix_scores_board_from", "leaderboard_key", "valid_from"),
    )


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_ingest_runs_source_started", "source", "started_at"),)


class RejectedRow(Base):
    __tablename__ = "rejected_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id", ondelete="CASCADE"), index=True)
    file: Mapped[str] = mapped_column(Text)
    row_number: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)


class SourceState(Base):
    """Per-source bookkeeping for live ingest (e.g. the last dataset commit imported)."""

    __tablename__ = "source_state"

    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ScoreProvenance(Base):
    """Where a score of a board with mixed provenance (``hub-evals``, ``epoch``) comes from.

    One row per score key (board, model, variant, benchmark), beside its history in ``scores``:
    ``provenance`` is one of :data:`db.provenance.PROVENANCE`; Epoch's runs add their standard
    error, log link and run date. ``first_seen`` is the first snapshot that listed the key.
    """

    __tablename__ = "score_provenance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaderboard_key: Mapped[str] = mapped_column(ForeignKey("leaderboards.key", ondelete="CASCADE"))
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(300), default="")
    benchmark_key: Mapped[str] = mapped_column(String(60))
    provenance: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    stderr: Mapped[float | None] = mapped_column(Float)
    log_url: Mapped[str | None] = mapped_column(Text)
    run_date: Mapped[dt.date | None] = mapped_column(Date)
    task_id: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[dt.date | None] = mapped_column(Date)
    last_seen: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("leaderboard_key", "model_id", "variant", "benchmark_key"),
        Index("ix_score_provenance_model", "model_id"),
    )


# The Core table objects, for the set-based reads (db.queries) and writes (db.writes).
MODELS = Model.__table__
MODEL_ALIASES = ModelAlias.__table__
MODEL_FACTS = ModelFact.__table__
CLAIMS = Claim.__table__
LEADERBOARDS = Leaderboard.__table__
BENCHMARKS = Benchmark.__table__
SNAPSHOTS = Snapshot.__table__
SCORES = Score.__table__
INGEST_RUNS = IngestRun.__table__
REJECTED_ROWS = RejectedRow.__table__
SOURCE_STATE = SourceState.__table__
SCORE_PROVENANCE = ScoreProvenance.__table__


class ModelConfig(Base):
    """The architecture facts of a model's ``config.json`` (for the memory estimates).

    Keyed by repo id (ignoring case), not by ``models.id``: a config read for an id that is
    not (yet) a model row waits for it. ``config_sha`` is the Hub revision it was read at.
    """

    __tablename__ = "model_configs"

    repo_id_lower: Mapped[str] = mapped_column(String(400), primary_key=True)
    repo_id: Mapped[str] = mapped_column(String(400))
    config_sha: Mapped[str | None] = mapped_column(String(64))
    layers: Mapped[int | None] = mapped_column(Integer)
    heads: Mapped[int | None] = mapped_column(Integer)
    kv_heads: Mapped[int | None] = mapped_column(Integer)
    head_dim: Mapped[int | None] = mapped_column(Integer)
    hidden_size: Mapped[int | None] = mapped_column(Integer)
    max_context: Mapped[int | None] = mapped_column(Integer)
    sliding_window: Mapped[int | None] = mapped_column(Integer)
    dtype: Mapped[str | None] = mapped_column(String(40))
    model_type: Mapped[str | None] = mapped_column(String(100))
    derived: Mapped[dict | None] = mapped_column(JSON)
    problem: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ModelBuild(Base):
    """A quantised build of a base model (one row per build file whose size is known, else per repo).

    A build is never a leaderboard model of its own here: its scores, if any, stay with its
    own ``models`` row; the base model's page lists it.
    """

    __tablename__ = "model_builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_repo_lower: Mapped[str] = mapped_column(String(400), index=True)
    build_repo_id: Mapped[str] = mapped_column(String(400))
    file_name: Mapped[str] = mapped_column(String(400), default="", server_default="")
    format: Mapped[str] = mapped_column(String(20))
    bits: Mapped[float | None] = mapped_column(Float)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    downloads: Mapped[int | None] = mapped_column(BigInteger)
    gguf_total: Mapped[int | None] = mapped_column(BigInteger)
    gguf_architecture: Mapped[str | None] = mapped_column(String(100))
    gguf_context_length: Mapped[int | None] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    as_of: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("base_repo_lower", "build_repo_id", "file_name"),)


MODEL_CONFIGS = ModelConfig.__table__
MODEL_BUILDS = ModelBuild.__table__


class BoardAlias(Base):
    """A board's display name -> the Hub repo id it is known to be (``data/aliases/<board>.csv``)."""

    __tablename__ = "board_aliases"

    leaderboard_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_lower: Mapped[str] = mapped_column(String(400), primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    hub_id: Mapped[str] = mapped_column(String(400))
    source: Mapped[str] = mapped_column(Text)


class ArenaBoard(Base):
    """One board of LMArena's leaderboard dataset: a category as published on one date.

    The Arena publishes whole boards, so each is kept as published (no validity intervals),
    as one row of columnar arrays (``db.arena`` packs and reads them): the board of a category
    as of day D is its row of the newest publish date on or before D. ``model_ids`` holds the
    models' row ids (int64), the other arrays one float64 per model in the same order
    (little-endian; NaN where the source has no value). ``rank`` is the Arena's own (models
    whose intervals overlap share a rank).
    """

    __tablename__ = "arena_boards"

    leaderboard_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    publish_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    models: Mapped[int] = mapped_column(Integer)  # how many models the board lists
    model_ids: Mapped[bytes] = mapped_column(LargeBinary)
    rating: Mapped[bytes] = mapped_column(LargeBinary)
    rating_lower: Mapped[bytes] = mapped_column(LargeBinary)
    rating_upper: Mapped[bytes] = mapped_column(LargeBinary)
    variance: Mapped[bytes] = mapped_column(LargeBinary)
    vote_count: Mapped[bytes] = mapped_column(LargeBinary)
    rank: Mapped[bytes] = mapped_column(LargeBinary)
    # Where the board came from: the dataset's repo (and revision) or the seed file converted to it.
    source: Mapped[str | None] = mapped_column(Text)


BOARD_ALIASES = BoardAlias.__table__
ARENA_BOARDS = ArenaBoard.__table__
