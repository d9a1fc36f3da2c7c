"""Every write the ingesters make: runs, models, snapshots and score history.

History is kept as validity intervals ``[valid_from, valid_to)`` whose ends are snapshot
dates. :func:`apply_snapshot` sets the state of a board on one date and repairs the
intervals around that date, so the stored history is the same whatever order the snapshots
arrive in (a backfilled archive slots in by date).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import math
import operator
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, case, func, select

from db import facts as facts_rules
from db.records import BoardEntry, ModelFacts, Rejection, SnapshotStats
from db.schema import (
    INGEST_RUNS as RUNS,
)
from db.schema import (
    MODEL_ALIASES as ALIASES,
)
from db.schema import (
    MODEL_FACTS as FACTS,
)
from db.schema import (
    MODELS,
    SCORES,
    SNAPSHOTS,
)
from db.schema import (
    REJECTED_ROWS as REJECTED,
)
from db.schema import (
    SOURCE_STATE as STATE,
)

# Which board's facts win when two boards publish on the same date.
_BOARD_PRIORITY = {"open-llm-leaderboard-v2": 3, "open-llm-leaderboard-v1": 2, "lmarena": 1}


def params_priority(source: str | None) -> int:
    """Rank of a size's source (the table is :data:`db.facts.SOURCE_TABLE`)."""
    return facts_rules.source_rank(source)


def _authoritative(source: str | None) -> bool:
    """True when a fact came from the Hub itself or the curated seed (boards never override)."""
    return facts_rules.authoritative(source)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- runs


def _process_start(pid: int) -> str:
    """When process ``pid`` started (Linux: clock ticks since boot), or "" where unknown.

    With the pid it tells a live owner from a new process that got the same pid (a restarted
    container's scheduler is pid 1 again).
    """
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _run_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _owner_alive(detail: dict | None) -> bool:
    """True when the process that started a run (``detail["owner"]``, host:pid:start) still runs here."""
    owner = (detail or {}).get("owner") if isinstance(detail, dict) else None
    if not isinstance(owner, str) or ":" not in owner:
        return False
    host, pid_text, start = (owner.split(":") + [""])[:3]
    if host != socket.gethostname():
        return True  # another machine's run: cannot tell, leave it to the age limit
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return not start or _process_start(pid) in ("", start)


def start_run(engine: Engine, source: str, detail: dict | None = None) -> int:
    """Record a run as started, in its own committed transaction (with its owner, host:pid:start)."""
    with engine.begin() as conn:
        result = conn.execute(
            RUNS.insert().values(
                source=source,
                started_at=utcnow(),
                status="running",
                detail={**(detail or {}), "owner": _run_owner()},
            )
        )
        return int(result.inserted_primary_key[0])


def finish_run(
    engine: Engine,
    run_id: int,
    status: str,
    *,
    rows_read: int = 0,
    rows_written: int = 0,
    rows_rejected: int = 0,
    error: str | None = None,
    detail: dict | None = None,
) -> None:
    values: dict = {
        "status": status,
        "finished_at": utcnow(),
        "rows_read": rows_read,
        "rows_written": rows_written,
        "rows_rejected": rows_rejected,
        "error": error,
    }
    if detail is not None:
        values["detail"] = detail
    with engine.begin() as conn:
        conn.execute(RUNS.update().where(RUNS.c.id == run_id).values(**values))


def fail_abandoned_runs(engine: Engine, source: str | None = None, *, max_age_hours: float = 24.0) -> int:
    """Mark runs left 'running' by a killed process as failed (the next run starts clean).

    A run whose process is still alive (a concurrent import) is left alone; one started on
    another machine counts as abandoned only after ``max_age_hours``.
    """
    oldest = utcnow() - dt.timedelta(hours=max_age_hours)
    with engine.begin() as conn:
        query = select(RUNS.c.id, RUNS.c.detail, RUNS.c.started_at).where(RUNS.c.status == "running")
        if source:
            query = query.where(RUNS.c.source == source)
        abandoned = [row.id for row in conn.execute(query) if row.started_at < oldest or not _owner_alive(row.detail)]
        if not abandoned:
            return 0
        conn.execute(
            RUNS.update()
            .where(RUNS.c.id.in_(abandoned), RUNS.c.status == "running")
            .values(
                status="failed",
                finished_at=utcnow(),
                error="interrupted: the process stopped before the run finished",
            )
        )
        return len(abandoned)


def record_rejections(conn: Connection, run_id: int, file: str, rejections: Sequence[Rejection]) -> None:
    if not rejections:
        return
    conn.execute(
        REJECTED.insert(),
        [
            {
                "run_id": run_id,
                "file": file,
                "row_number": r.row_number,
                "reason": r.reason,
                "raw": (r.raw or "")[:4000],
            }
            for r in rejections
        ],
    )


def get_state(conn: Connection, source: str, key: str) -> str | None:
    return conn.execute(select(STATE.c.value).where(STATE.c.source == source, STATE.c.key == key)).scalar()


def set_state(conn: Connection, source: str, key: str, value: str | None) -> None:
    exists = conn.execute(select(STATE.c.key).where(STATE.c.source == source, STATE.c.key == key)).first()
    if exists:
        conn.execute(
            STATE.update().where(STATE.c.source == source, STATE.c.key == key).values(value=value, updated_at=utcnow())
        )
    else:
        conn.execute(STATE.insert().values(source=source, key=key, value=value, updated_at=utcnow()))


# --------------------------------------------------------------------------- models

_MODEL_COLUMNS = (
    "repo_id, org, name, params_b, params_source, params_is_estimate, license, license_source, "
    "license_category, architecture, model_type, pipeline_tag, base_model, base_model_source, "
    "created_date, created_source, downloads, likes, gated, is_merged, is_moe, is_flagged, "
    "on_hub, hub_status, hub_checked_at, board_facts_source, board_facts_as_of"
).split(", ")


def split_repo_id(repo_id: str) -> tuple[str | None, str]:
    if "/" in repo_id:
        org, name = repo_id.split("/", 1)
        return org, name
    return None, repo_id


def load_model_index(conn: Connection) -> dict[str, int]:
    """Map every known id and alias (lower case) to its model row id."""
    index = {row.repo_id_lower: row.id for row in conn.execute(select(MODELS.c.id, MODELS.c.repo_id_lower))}
    for row in conn.execute(select(ALIASES.c.alias_lower, ALIASES.c.model_id)):
        index.setdefault(row.alias_lower, row.model_id)
    return index


_AS_OF_AT = _MODEL_COLUMNS.index("board_facts_as_of")
_SOURCE_AT = _MODEL_COLUMNS.index("board_facts_source")


@dataclass
class ApplyCache:
    """What the previous snapshot import of a series left in the database, to skip unchanged rows.

    Kept by the loader for one series of imports (``ingest.loader.import_files``); never trusted
    blindly. Model rows and facts are taken as we left them only while no other connection has
    written (SQLite's ``data_version``; elsewhere they are read back and compared), and a board's
    open intervals only while its newest stored snapshot is still ours (date, content digest,
    count of open intervals). Everything else goes the ordinary way. Unchanged lines of a
    series parse to the very same objects (``ingest.formats.RowCache``), so most rows are
    recognised by identity, without comparing anything.
    """

    # model id -> the row as we left it, in _MODEL_COLUMNS order
    models: dict[int, tuple] = field(default_factory=dict)
    # board -> {model id: the facts object last applied to the row, whose facts are that board's}
    applied: dict[str, dict[int, ModelFacts]] = field(default_factory=dict)
    # leaderboard -> (snapshot date, sha256, {(model id, variant): entry}, open intervals)
    boards: dict[str, tuple[dt.date, str, dict, int]] = field(default_factory=dict)
    # (source, model id, field) -> (fact row id, value, as_of) as we left it
    facts: dict[tuple[str, int, str], tuple[int, str | None, dt.date | None]] = field(default_factory=dict)
    index: dict[str, int] | None = None  # the model index as we left it
    # Set by :meth:`check`: True when no other connection has written since :meth:`seal`, so
    # what we left is what is there and rows need not be read back (SQLite's data_version).
    trusted: bool = False
    _token: tuple | None = None

    def check(self, conn: Connection) -> bool:
        """Decide whether this transaction may trust the cache without reading rows back."""
        self.trusted = self._token is not None and _write_token(conn) == self._token
        if not self.trusted:
            self.index = None
            self.facts.clear()
        return self.trusted

    def reset(self) -> None:
        """Forget everything (after a rolled-back import, what we wrote is not there)."""
        self.models.clear()
        self.applied.clear()
        self.boards.clear()
        self.facts.clear()
        self.index = None
        self.trusted = False
        self._token = None

    def seal(self, conn: Connection) -> None:
        """Remember the database's write counter after our own writes (call before commit)."""
        self._token = _write_token(conn)


def begin_write(conn: Connection) -> None:
    """Take SQLite's write lock now, at the start of the transaction.

    pysqlite begins a transaction only at the first write, so the reads before it would each
    see the database as it is at that moment, and another process could commit in between:
    an import decides from what it reads (which intervals to close, whether the cache still
    holds), so it must hold the lock from its first read. Other databases start the
    transaction with the first statement; their imports are serialised by the ingest lock.
    """
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _write_token(conn: Connection) -> tuple | None:
    """(this DBAPI connection, SQLite's data_version): changes when another connection commits.

    Other databases have no such cheap counter: ``None``, and callers read rows back instead.
    """
    if conn.dialect.name != "sqlite":
        return None
    dbapi = conn.connection.dbapi_connection
    version = conn.exec_driver_sql("PRAGMA data_version").scalar()
    return (dbapi, version)


def _id_chunks(conn: Connection, ids: Sequence[int]) -> list[Sequence[int]]:
    """``ids`` in pieces small enough for one statement (SQLite takes them whole, as JSON)."""
    if conn.dialect.name == "sqlite":
        return [ids] if ids else []
    return [ids[start : start + 900] for start in range(0, len(ids), 900)]


def _id_in(conn: Connection, column, ids: Sequence[int]):
    """``column IN ids``. On SQLite one JSON parameter instead of one bound parameter per id."""
    if conn.dialect.name == "sqlite":
        each = func.json_each(json.dumps(list(ids))).table_valued("value")
        return column.in_(select(each.c.value))
    return column.in_(list(ids))


def _new_model_row(facts: ModelFacts, source: str, as_of: dt.date | None) -> dict:
    org, name = split_repo_id(facts.repo_id)
    row = {c: None for c in _MODEL_COLUMNS}
    row.update(
        repo_id=facts.repo_id,
        repo_id_lower=facts.repo_id.lower(),
        org=facts.org or org,
        name=name,
        params_is_estimate=False,
        license_category="unknown",
        model_type="unknown",
        is_merged=False,
        is_moe=False,
        is_flagged=False,
        params_confidence=None,
        params_note=None,
    )
    row.update(_facts_changes(row, facts, source, as_of, board=True))
    row.update(board_facts_source=source, board_facts_as_of=as_of)
    return row


def _facts_changes(current: dict, facts: ModelFacts, source: str, as_of: dt.date | None, *, board: bool) -> dict:
    """Column changes that ``facts`` from ``source`` make to a model row ``current``.

    The precedence of every fact is stated once, in :func:`db.facts.facts_changes`. A
    board's facts are applied by the caller only when they come from the model's newest
    listing (see :func:`upsert_models`).
    """
    return facts_rules.facts_changes(current, facts, source, as_of, board=board)


def _listing_keys(conn: Connection, model_ids: Sequence[int]) -> dict[int, tuple[dt.date, int]]:
    """Each model's newest listing on a board that carries facts: (snapshot date, board priority).

    Read from the score history: a model is listed on every snapshot its intervals cover, so
    its last listing on a board is that board's newest snapshot when an interval is still
    open, else the last snapshot before its latest interval ended.
    """
    boards = list(_BOARD_PRIORITY)
    dates: dict[str, list[dt.date]] = {}
    for board, day in conn.execute(
        select(SNAPSHOTS.c.leaderboard_key, SNAPSHOTS.c.snapshot_date)
        .where(SNAPSHOTS.c.leaderboard_key.in_(boards))
        .order_by(SNAPSHOTS.c.leaderboard_key, SNAPSHOTS.c.snapshot_date)
    ):
        dates.setdefault(board, []).append(day)
    keys: dict[int, tuple[dt.date, int]] = {}
    is_open = func.max(case((SCORES.c.valid_to.is_(None), 1), else_=0))
    for chunk in _id_chunks(conn, model_ids):
        query = (
            select(SCORES.c.model_id, SCORES.c.leaderboard_key, func.max(SCORES.c.valid_to), is_open)
            .where(_id_in(conn, SCORES.c.model_id, chunk), SCORES.c.leaderboard_key.in_(boards))
            .group_by(SCORES.c.model_id, SCORES.c.leaderboard_key)
        )
        for model_id, board, last_end, still_open in conn.execute(query):
            listed = dates.get(board) or []
            if still_open:
                last = listed[-1] if listed else None
            else:
                at = bisect.bisect_left(listed, last_end) - 1 if last_end is not None else -1
                last = listed[at] if at >= 0 else None
            if last is not None:
                key = (last, _BOARD_PRIORITY[board])
                if key > keys.get(model_id, (dt.date.min, 0)):
                    keys[model_id] = key
    return keys


def _newest_snapshot(conn: Connection, leaderboard: str) -> dt.date | None:
    return conn.execute(
        select(func.max(SNAPSHOTS.c.snapshot_date)).where(SNAPSHOTS.c.leaderboard_key == leaderboard)
    ).scalar()


def upsert_models(
    conn: Connection,
    facts_list: Iterable[ModelFacts],
    *,
    source: str,
    as_of: dt.date | None,
    board: bool,
    index: dict[str, int] | None = None,
    cache: ApplyCache | None = None,
    keys: Sequence[str] | None = None,
) -> tuple[dict[str, int], int, int]:
    """Insert unknown models and apply ``facts_list``; return (id index, inserted, updated).

    A model listed twice gets its first row's facts. Board facts (``board=True``, a snapshot
    of board ``source`` on ``as_of``) apply only when they come from the model's newest
    listing on any board (ties go by board priority), so the result does not depend on the
    order in which snapshots are imported; the row records which listing last changed it.
    ``keys`` (optional) are the lower-case ids of ``facts_list``, in its order. ``cache``
    (optional, one per series of snapshot imports) skips facts that are unchanged since the
    previous snapshot on rows nobody else touched; the result is the same.
    """
    facts_list = facts_list if isinstance(facts_list, list) else list(facts_list)
    lowers = keys if keys is not None else [f.repo_id.lower() for f in facts_list]
    facts_by_key = dict(zip(lowers, facts_list, strict=True))
    if len(facts_by_key) != len(lowers):  # the first row of a model listed twice wins
        for key, facts in zip(reversed(lowers), reversed(facts_list), strict=True):
            facts_by_key[key] = facts
    if index is None:
        if cache is not None and cache.trusted and cache.index is not None:
            index = cache.index
        else:
            index = load_model_index(conn)
            if cache is not None:
                cache.index = index
    listed = list(facts_by_key)
    missing = facts_by_key.keys() - index.keys()
    is_new = list(map(missing.__contains__, listed)) if missing else []
    new_rows = [
        _new_model_row(f, source, as_of) if board else _new_model_row(ModelFacts(repo_id=f.repo_id), source, None)
        for f in map(facts_by_key.__getitem__, itertools.compress(listed, is_new))
    ]
    inserted = 0
    if new_rows:
        conn.execute(MODELS.insert(), new_rows)
        inserted = len(new_rows)
        ids = (
            {
                row.repo_id_lower: row.id
                for row in conn.execute(
                    select(MODELS.c.id, MODELS.c.repo_id_lower).where(
                        MODELS.c.repo_id_lower.in_([r["repo_id_lower"] for r in new_rows])
                    )
                )
            }
            if len(new_rows) < 900
            else {row.repo_id_lower: row.id for row in conn.execute(select(MODELS.c.id, MODELS.c.repo_id_lower))}
        )
        index.update(ids)
    # A board snapshot newer than any stored one of its board: a row whose facts came from
    # this board needs no other listing to be looked up (see _board_decides).
    forward = board and ((newest := _newest_snapshot(conn, source)) is None or (as_of is not None and as_of > newest))
    settled: set[str] = set()  # keys whose facts (and extra facts) are unchanged and stored
    # New rows of a board got their facts when inserted.
    to_check = list(itertools.compress(listed, map(operator.not_, is_new))) if board and missing else listed
    listed_ids = list(map(index.__getitem__, listed))
    if len(set(listed_ids)) != len(listed_ids):
        # Two ids of one model (an id and its alias) in one call: the first row's facts, as
        # for a model listed twice; applying both would compute two updates of one stale row.
        first: dict[int, str] = {}
        later = {
            key for key, model_id in zip(listed, listed_ids, strict=True) if first.setdefault(model_id, key) != key
        }
        to_check = [key for key in to_check if key not in later]
        settled.update(later)  # nothing of theirs is written (extra facts included)
    use_cache = cache is not None and board and as_of is not None
    applied: dict[int, ModelFacts] = {}
    if use_cache:
        assert cache is not None
        applied = cache.applied.setdefault(source, {})
        for row in new_rows:
            model_id = index[row["repo_id_lower"]]
            cache.models[model_id] = tuple(map(row.__getitem__, _MODEL_COLUMNS))
            applied[model_id] = facts_by_key[row["repo_id_lower"]]
        if cache.trusted and forward and to_check:
            # Most rows of a daily series: the very facts object applied yesterday (the
            # parser's row cache shares it) on a row nobody else wrote since, whose facts came
            # from this board. Applying them again changes nothing.
            model_ids = list(map(index.__getitem__, to_check))
            same = list(map(operator.is_, map(applied.get, model_ids), map(facts_by_key.__getitem__, to_check)))
            settled.update(itertools.compress(to_check, same))
            to_check = list(itertools.compress(to_check, map(operator.not_, same)))
    updated = 0
    if to_check:
        ids = [index[key] for key in to_check]
        current_rows: dict[int, tuple] = {}
        trusted = cache is not None and cache.trusted
        if trusted:
            # Nobody else wrote since our last import: rows we left are as we left them.
            assert cache is not None
            known = cache.models
            current_rows = {model_id: row for model_id in ids if (row := known.get(model_id)) is not None}
            ids = [model_id for model_id in ids if model_id not in current_rows]
        cols = [MODELS.c.id, *[MODELS.c[c] for c in _MODEL_COLUMNS]]
        for chunk_start in range(0, len(ids), 900):
            chunk = ids[chunk_start : chunk_start + 900]
            for row in conn.execute(select(*cols).where(MODELS.c.id.in_(chunk))):
                current_rows[row[0]] = tuple(row[1:])
        decides = _board_decides(conn, to_check, index, current_rows, source, as_of, forward) if board else None
        updates = []
        for key in to_check:
            model_id = index[key]
            current = current_rows.get(model_id)
            if current is None:
                continue
            facts = facts_by_key[key]
            if decides is not None and not decides[model_id]:
                if use_cache:
                    applied.pop(model_id, None)  # an older listing: this board's facts are not on the row
                continue
            if use_cache and forward and applied.get(model_id) == facts and current[_SOURCE_AT] == source:
                assert cache is not None
                if cache.models.get(model_id) == current:
                    # The same facts as last applied, on a row as we left it: nothing changes.
                    applied[model_id] = facts
                    if trusted:
                        settled.add(key)
                    continue
            row_dict = dict(zip(_MODEL_COLUMNS, current, strict=True))
            changes = _facts_changes(row_dict, facts, source, as_of, board=board)
            if changes:
                updates.append((model_id, changes))
            if use_cache:
                assert cache is not None
                row_dict.update(changes)
                cache.models[model_id] = tuple(map(row_dict.__getitem__, _MODEL_COLUMNS))
                applied[model_id] = facts
                for other, facts_of in cache.applied.items():
                    if other != source:
                        facts_of.pop(model_id, None)  # the row's facts are this board's now
        # Group identical column sets so that each group is one executemany.
        groups: dict[tuple[str, ...], list[dict]] = {}
        for model_id, changes in updates:
            groups.setdefault(tuple(sorted(changes)), []).append({"_id": model_id, **changes})
        for columns, rows in groups.items():
            stmt = MODELS.update().where(MODELS.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns})
            conn.execute(stmt, rows)
        updated = len(updates)
    # Extra facts with their source (knowledge cut-off, URLs, ...), of the rows not settled.
    extra_rows = [
        (index[key], name, value)
        for key in (to_check if not (board and missing) else [*(r["repo_id_lower"] for r in new_rows), *to_check])
        if (f := facts_by_key[key]).extra and key not in settled
        for name, value in f.extra.items()
        if value not in (None, "")
    ]
    if extra_rows:
        upsert_facts(conn, extra_rows, source=source, as_of=as_of, cache=cache)
    return index, inserted, updated


def _board_decides(
    conn: Connection,
    keys: Sequence[str],
    index: dict[str, int],
    rows: dict[int, tuple],
    source: str,
    as_of: dt.date | None,
    forward: bool,
) -> dict[int, bool]:
    """model id -> whether the snapshot of ``source`` on ``as_of`` is the model's newest listing.

    The row records the listing that last changed it, which may be older than the newest
    listing with the same facts: the newest is read from the score history (``_listing_keys``).
    A row whose facts came from this very board needs no look-up when the snapshot is newer
    than every stored one of the board: every other board's listings are older than the
    row's listing (it was applied over them, or they were not applied over it).
    """
    new_key = (as_of or dt.date.min, _BOARD_PRIORITY.get(source, 0))
    decides: dict[int, bool] = {}
    unsure: list[int] = []
    for key in keys:
        model_id = index[key]
        row = rows.get(model_id)
        if row is None:
            continue
        if forward and row[_SOURCE_AT] == source:
            decides[model_id] = True
        else:
            unsure.append(model_id)
    if unsure:
        listed = _listing_keys(conn, unsure)
        for model_id in unsure:
            row = rows[model_id]
            stored = (row[_AS_OF_AT] or dt.date.min, _BOARD_PRIORITY.get(row[_SOURCE_AT] or "", 0))
            decides[model_id] = new_key >= max(stored, listed.get(model_id, stored))
    return decides


def upsert_facts(
    conn: Connection,
    rows: Sequence[tuple[int, str, str]],
    *,
    source: str,
    as_of: dt.date | None,
    source_url: str | None = None,
    cache: ApplyCache | None = None,
) -> None:
    """Keep (model, field, source) -> value; a newer value replaces an older one."""
    current: dict[tuple[int, str], tuple[int, str | None, dt.date | None]] = {}
    if cache is not None and cache.trusted:
        known = cache.facts
        for model_id, field_name, _ in rows:
            seen = known.get((source, model_id, field_name))
            if seen is not None:
                current[(model_id, field_name)] = seen
    from_cache = len(current)
    model_ids = sorted({r[0] for r in rows if (r[0], r[1]) not in current}) if from_cache < len(rows) else []
    for start in range(0, len(model_ids), 900):
        chunk = model_ids[start : start + 900]
        for row in conn.execute(
            select(FACTS.c.id, FACTS.c.model_id, FACTS.c.field, FACTS.c.value, FACTS.c.as_of).where(
                FACTS.c.source == source, FACTS.c.model_id.in_(chunk)
            )
        ):
            current[(row.model_id, row.field)] = (row.id, row.value, row.as_of)
    inserts, updates = [], []
    changed: dict[tuple[str, int, str], tuple[int, str | None, dt.date | None]] = {}
    if cache is not None and from_cache < len(current):  # rows read from the database
        changed.update(((source, k[0], k[1]), v) for k, v in current.items())
    for model_id, field_name, value in rows:
        value = str(value)
        existing = current.get((model_id, field_name))
        if existing is None:
            inserts.append(
                {
                    "model_id": model_id,
                    "field": field_name,
                    "value": value,
                    "source": source,
                    "source_url": source_url,
                    "as_of": as_of,
                }
            )
            current[(model_id, field_name)] = (-1, value, as_of)
        elif existing[1] != value and (existing[2] is None or as_of is None or as_of >= existing[2]):
            updates.append({"_id": existing[0], "value": value, "as_of": as_of})
            if existing[0] != -1:
                current[(model_id, field_name)] = (existing[0], value, as_of)
                changed[(source, model_id, field_name)] = (existing[0], value, as_of)
    if cache is not None:
        # New rows' ids are unknown here (-1): those are read back next time.
        cache.facts.update((k, v) for k, v in changed.items() if v[0] != -1)
    if inserts:
        conn.execute(FACTS.insert(), inserts)
    if updates:
        conn.execute(
            FACTS.update()
            .where(FACTS.c.id == bindparam("_id"))
            .values(value=bindparam("value"), as_of=bindparam("as_of")),
            [u for u in updates if u["_id"] != -1],
        )


def add_claims(conn: Connection, claims: Sequence[dict]) -> int:
    """Store published claims (``model_id, field, claim, claimed_value, unit, source``) not yet stored.

    A claim already there (same model, field, source and wording) is skipped; returns how
    many were added.
    """
    from db.schema import Claim

    table = Claim.__table__
    seen = {
        (r.model_id, r.field, r.source, r.claim)
        for r in conn.execute(select(table.c.model_id, table.c.field, table.c.source, table.c.claim))
    }
    new = []
    for claim in claims:
        key = (claim["model_id"], claim["field"], claim["source"], claim["claim"])
        if key not in seen:
            seen.add(key)
            new.append(claim)
    if new:
        conn.execute(table.insert(), new)
    return len(new)


def add_alias(conn: Connection, model_id: int, alias: str, reason: str) -> None:
    if conn.execute(select(ALIASES.c.model_id).where(ALIASES.c.alias_lower == alias.lower())).first():
        conn.execute(
            ALIASES.update().where(ALIASES.c.alias_lower == alias.lower()).values(model_id=model_id, reason=reason)
        )
    else:
        conn.execute(ALIASES.insert().values(alias_lower=alias.lower(), alias=alias, model_id=model_id, reason=reason))


# --------------------------------------------------------------------------- history


def _same(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _snapshot_neighbours(
    conn: Connection, leaderboard: str, day: dt.date
) -> tuple[bool, dt.date | None, dt.date | None]:
    """(day already stored?, the stored date after ``day``, the newest stored date)."""
    exists = (
        conn.execute(
            select(SNAPSHOTS.c.id).where(SNAPSHOTS.c.leaderboard_key == leaderboard, SNAPSHOTS.c.snapshot_date == day)
        ).first()
        is not None
    )
    nxt = conn.execute(
        select(func.min(SNAPSHOTS.c.snapshot_date)).where(
            SNAPSHOTS.c.leaderboard_key == leaderboard, SNAPSHOTS.c.snapshot_date > day
        )
    ).scalar()
    newest = conn.execute(
        select(func.max(SNAPSHOTS.c.snapshot_date)).where(SNAPSHOTS.c.leaderboard_key == leaderboard)
    ).scalar()
    return exists, nxt, newest


_INTERVAL_COLS = (
    SCORES.c.id,
    SCORES.c.model_id,
    SCORES.c.variant,
    SCORES.c.benchmark_key,
    SCORES.c.value,
    SCORES.c.valid_from,
    SCORES.c.valid_to,
    SCORES.c.precision,
    SCORES.c.revision,
)


def _open_count(conn: Connection, leaderboard: str) -> int:
    """How many intervals of a board are open (an index-only count)."""
    return int(
        conn.execute(
            select(func.count()).where(SCORES.c.leaderboard_key == leaderboard, SCORES.c.valid_to.is_(None))
        ).scalar()
        or 0
    )


def _intervals(conn: Connection, *conditions) -> dict[tuple[int, str, str], tuple]:
    result: dict[tuple[int, str, str], tuple] = {}
    for row in conn.execute(select(*_INTERVAL_COLS).where(*conditions)):
        result[(row[1], row[2], row[3])] = tuple(row)
    return result


def apply_snapshot(
    conn: Connection,
    leaderboard: str,
    day: dt.date,
    entries: Sequence[BoardEntry],
    *,
    model_index: dict[str, int],
    run_id: int | None,
    source_file: str | None,
    sha256: str | None,
    cache: ApplyCache | None = None,
    keys: Sequence[tuple[str, str]] | None = None,
) -> SnapshotStats:
    """Make ``entries`` the state of ``leaderboard`` on ``day`` and repair the intervals.

    The caller holds the transaction; models must already be in ``model_index``. ``keys``
    (optional) are the entries' (lower-case id, variant), in their order. With ``cache`` (one
    per series of imports), a snapshot that follows the one imported just before it only
    reads the intervals of the entries that changed; the result is the same.
    """
    stats = SnapshotStats(entries=len(entries))
    exists, nxt, newest = _snapshot_neighbours(conn, leaderboard, day)
    board = SCORES.c.leaderboard_key == leaderboard

    # The entries by (model, variant); precision and revision are part of the variant.
    if keys is None:
        keys = [(entry.facts.repo_id.lower(), entry.variant) for entry in entries]
    model_ids = map(model_index.__getitem__, map(operator.itemgetter(0), keys))
    state_keys = list(zip(model_ids, map(operator.itemgetter(1), keys), strict=True))
    state: dict[tuple[int, str], BoardEntry] = dict(zip(state_keys, entries, strict=True))
    collided = len(state) != len(entries)  # two ids of one model (an alias): no shortcut

    def wanted_of(items) -> dict[tuple[int, str, str], tuple[float, str | None, str | None]]:
        """The state the snapshot asks for: key -> (value, precision, revision)."""
        return {
            (ek[0], ek[1], bench): (value, entry.precision, entry.revision)
            for ek, entry in items
            for bench, value in entry.scores.items()
        }

    previous = cache.boards.get(leaderboard) if cache is not None else None
    if (
        previous is not None
        and not collided
        and not exists
        and newest is not None
        and previous[0] == newest < day
        and stored_snapshot_sha(conn, leaderboard, newest) == previous[1]
        # Nobody else wrote since our last import (SQLite): the open intervals are ours. Else
        # count them (an index-only count, about a millisecond for a board of 4,500 models).
        and (cache.trusted or _open_count(conn, leaderboard) == previous[3])
    ):
        # The newest stored snapshot is the one we imported last, so the open intervals are its
        # entries: only entries that changed, came or went need the database. (Unchanged rows
        # share their scores dict with the previous file's through the parser's row cache.)
        before: dict[tuple[int, str], BoardEntry] = previous[2]
        # Entries that are the very objects of the previous file (an unchanged line) are
        # skipped without a look; the others are compared by their scores.
        olds = list(map(before.get, state_keys))
        unchanged = map(operator.is_, olds, entries)
        changed = [
            ek
            for ek, old, entry in itertools.compress(
                zip(state_keys, olds, entries, strict=True), map(operator.not_, unchanged)
            )
            if old is None or (old.scores is not entry.scores and old.scores != entry.scores)
        ]
        wanted = wanted_of((ek, state[ek]) for ek in changed)
        todo = set(wanted)
        open_after = previous[3] + len(wanted)
        for ek in [*changed, *(before.keys() - state.keys())]:
            if ek in before:
                todo.update((ek[0], ek[1], bench) for bench in before[ek].scores)
                open_after -= len(before[ek].scores)
        covering = {}
        changed_models = sorted({k[0] for k in todo})
        for chunk in _id_chunks(conn, changed_models):
            # By model (ix_scores_model), the open ones picked here: with "valid_to IS NULL" in
            # the query SQLite walks every open interval of the board instead.
            for row in conn.execute(select(*_INTERVAL_COLS).where(board, _id_in(conn, SCORES.c.model_id, chunk))):
                if row[6] is None and (key := (row[1], row[2], row[3])) in todo:
                    covering[key] = tuple(row)
        ending_here, starting_next = {}, {}
    else:
        wanted = wanted_of(zip(state_keys, entries, strict=True))
        # Intervals covering ``day``; if ``day`` is after every stored date, only open ones can.
        covering = _intervals(conn, board, SCORES.c.valid_to.is_(None), SCORES.c.valid_from <= day)
        if newest is not None and day < newest:
            covering.update(_intervals(conn, board, SCORES.c.valid_to > day, SCORES.c.valid_from <= day))
        ending_here = _intervals(conn, board, SCORES.c.valid_to == day) if exists else {}
        starting_next = _intervals(conn, board, SCORES.c.valid_from == nxt) if nxt is not None else {}
        todo = wanted.keys() | covering.keys()
        open_after = len(wanted)
    if cache is not None:
        if sha256 and not collided and (newest is None or day >= newest):
            cache.boards[leaderboard] = (day, sha256, state, open_after)
        else:  # a backfill: the newest snapshot's state is unchanged but we no longer vouch for it
            cache.boards.pop(leaderboard, None)

    deletes: list[int] = []
    closes: list[dict] = []  # id -> new valid_to
    inserts: list[dict] = []
    extend_to: list[dict] = []  # id -> new valid_to (merges)

    def row(key, value, precision, revision, start, end) -> dict:
        return {
            "leaderboard_key": leaderboard,
            "model_id": key[0],
            "variant": key[1],
            "benchmark_key": key[2],
            "value": value,
            "precision": precision,
            "revision": revision,
            "valid_from": start,
            "valid_to": end,
        }

    for key in todo:
        want = wanted.get(key)
        cov = covering.get(key)
        if cov is not None and want is not None and _same(cov[4], want[0]):
            continue  # unchanged on this day
        left = None  # (id, value, from) of the interval that ends at ``day``
        right = None  # (id or None, value, to, precision, revision) of the one from ``nxt``
        if cov is not None:
            cov_id, _, _, _, cov_value, cov_from, cov_to, cov_prec, cov_rev = cov
            if cov_from < day:
                closes.append({"_id": cov_id, "valid_to": day})
                stats.scores_closed += 1
                left = (cov_id, cov_value, cov_from)
            else:
                deletes.append(cov_id)
                stats.scores_deleted += 1
                prev = ending_here.get(key)
                left = (prev[0], prev[4], prev[5]) if prev else None
            if nxt is not None and (cov_to is None or cov_to > nxt):
                inserts.append(row(key, cov_value, cov_prec, cov_rev, nxt, cov_to))
                stats.scores_inserted += 1
                right = None  # a fresh piece with the old value: never equal to ``want``
            elif nxt is not None and cov_to == nxt:
                nb = starting_next.get(key)
                right = (nb[0], nb[4], nb[6]) if nb else None
        else:
            prev = ending_here.get(key)
            left = (prev[0], prev[4], prev[5]) if prev else None
            nb = starting_next.get(key)
            right = (nb[0], nb[4], nb[6]) if nb else None
        if want is None:
            continue
        value, precision, revision = want
        end = nxt
        if right is not None and _same(right[1], value):
            end = right[2]
            deletes.append(right[0])
            stats.scores_deleted += 1
        if left is not None and _same(left[1], value):
            # Extend the interval that ends at ``day`` instead of starting a new one.
            extend_to.append({"_id": left[0], "valid_to": end})
            closes[:] = [c for c in closes if c["_id"] != left[0]]
            continue
        inserts.append(row(key, value, precision, revision, day, end))
        stats.scores_inserted += 1

    if deletes:
        for start in range(0, len(deletes), 900):
            conn.execute(SCORES.delete().where(SCORES.c.id.in_(deletes[start : start + 900])))
    update_stmt = SCORES.update().where(SCORES.c.id == bindparam("_id")).values(valid_to=bindparam("valid_to"))
    if closes:
        conn.execute(update_stmt, closes)
    if extend_to:
        conn.execute(update_stmt, extend_to)
    if inserts:
        conn.execute(SCORES.insert(), inserts)

    snap_values = {
        "entries": len(entries),
        "source_file": source_file,
        "sha256": sha256,
        "run_id": run_id,
    }
    if exists:
        conn.execute(
            SNAPSHOTS.update()
            .where(SNAPSHOTS.c.leaderboard_key == leaderboard, SNAPSHOTS.c.snapshot_date == day)
            .values(**snap_values)
        )
    else:
        conn.execute(SNAPSHOTS.insert().values(leaderboard_key=leaderboard, snapshot_date=day, **snap_values))
    return stats


def stored_snapshot_sha(conn: Connection, leaderboard: str, day: dt.date) -> str | None:
    return conn.execute(
        select(SNAPSHOTS.c.sha256).where(SNAPSHOTS.c.leaderboard_key == leaderboard, SNAPSHOTS.c.snapshot_date == day)
    ).scalar()


# --------------------------------------------------------------------------- live Hub ingest


def set_hub_status(conn: Connection, rows: Sequence[dict]) -> None:
    """Record what the Hub said about models: ``{"model_id", "hub_status", "on_hub", "hub_sha"}``.

    ``hub_sha`` is only changed when given; ``hub_checked_at`` is set to now for every row.
    """
    now = utcnow()
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        values = {"_id": row["model_id"], "hub_status": row["hub_status"], "on_hub": row["on_hub"], "checked": now}
        if row.get("hub_sha") is not None:
            values["hub_sha"] = row["hub_sha"]
        groups.setdefault(tuple(sorted(values)), []).append(values)
    for columns, items in groups.items():
        assignments = {c: bindparam(c) for c in columns if c not in ("_id", "checked")}
        assignments["hub_checked_at"] = bindparam("checked")
        conn.execute(MODELS.update().where(MODELS.c.id == bindparam("_id")).values(assignments), items)


def rename_model(conn: Connection, old_id: str, new_id: str, index: dict[str, int], reason: str) -> int | None:
    """Move a model known as ``old_id`` to ``new_id`` (a renamed Hub repo) and keep the old id as an alias.

    When both ids have rows, the old row's history moves to the new row (facts the new row already
    has from the same source win) and the old row goes. Returns the model id, or ``None`` when
    neither id is known. ``index`` (id/alias -> model id) is kept up to date.
    """
    old_key, new_key = old_id.lower(), new_id.lower()
    old_row = index.get(old_key)
    new_row = index.get(new_key)
    if old_row is None and new_row is None:
        return None
    if old_row is not None and new_row is None:
        org, name = split_repo_id(new_id)
        conn.execute(
            MODELS.update()
            .where(MODELS.c.id == old_row)
            .values(repo_id=new_id, repo_id_lower=new_key, org=org, name=name)
        )
        new_row = old_row
    elif old_row is not None and new_row is not None and old_row != new_row:
        from db.schema import Claim

        claims = Claim.__table__
        conn.execute(SCORES.update().where(SCORES.c.model_id == old_row).values(model_id=new_row))
        taken = {
            (r.field, r.source)
            for r in conn.execute(select(FACTS.c.field, FACTS.c.source).where(FACTS.c.model_id == new_row))
        }
        for fact in conn.execute(
            select(FACTS.c.id, FACTS.c.field, FACTS.c.source).where(FACTS.c.model_id == old_row)
        ).all():
            if (fact.field, fact.source) in taken:
                conn.execute(FACTS.delete().where(FACTS.c.id == fact.id))
            else:
                conn.execute(FACTS.update().where(FACTS.c.id == fact.id).values(model_id=new_row))
        claim_keys = {
            (r.field, r.source, r.claim)
            for r in conn.execute(
                select(claims.c.field, claims.c.source, claims.c.claim).where(claims.c.model_id == new_row)
            )
        }
        for claim in conn.execute(
            select(claims.c.id, claims.c.field, claims.c.source, claims.c.claim).where(claims.c.model_id == old_row)
        ).all():
            if (claim.field, claim.source, claim.claim) in claim_keys:
                conn.execute(claims.delete().where(claims.c.id == claim.id))
            else:
                conn.execute(claims.update().where(claims.c.id == claim.id).values(model_id=new_row))
        conn.execute(ALIASES.update().where(ALIASES.c.model_id == old_row).values(model_id=new_row))
        conn.execute(MODELS.delete().where(MODELS.c.id == old_row))
    assert new_row is not None
    add_alias(conn, new_row, old_id, reason)
    index[new_key] = new_row
    index[old_key] = new_row
    return new_row


def open_board_scores(conn: Connection, leaderboard: str) -> list[tuple[str, str, str | None, str | None, str, float]]:
    """The current (open) scores of a board: (repo_id, variant, precision, revision, benchmark, value)."""
    query = (
        select(
            MODELS.c.repo_id,
            SCORES.c.variant,
            SCORES.c.precision,
            SCORES.c.revision,
            SCORES.c.benchmark_key,
            SCORES.c.value,
        )
        .join(MODELS, MODELS.c.id == SCORES.c.model_id)
        .where(SCORES.c.leaderboard_key == leaderboard, SCORES.c.valid_to.is_(None))
    )
    return [tuple(row) for row in conn.execute(query)]
