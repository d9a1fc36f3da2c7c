"""Every write the ingesters make: runs, models, snapshots and score history.

History is kept as validity intervals ``[valid_from, valid_to)`` whose ends are snapshot
dates. The rule is stated and planned in :mod:`db.history` (pure); :func:`apply_snapshot`
reads what the plan needs, applies it with set-based SQL and keeps the partial flags, so the
stored history is the same whatever order the snapshots arrive in.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import operator
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, case, func, select

from core.boards import BOARD_PRIORITY  # which board's facts win when two publish on one date
from db import facts as facts_rules
from db import history
from db.records import BoardEntry, ModelFacts, Rejection, SnapshotDelta, SnapshotStats
from db.schema import (
    CLAIMS,
    MODELS,
    SCORES,
    SNAPSHOTS,
)
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
    REJECTED_ROWS as REJECTED,
)
from db.schema import (
    SOURCE_STATE as STATE,
)


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


def record_run(
    engine: Engine, source: str, status: str, *, detail: dict | None = None, error: str | None = None
) -> int:
    """Record a run that ended as it began (nothing fetched: ``skipped``, or ``failed`` before any
    write), started and finished in one committed transaction; returns its id."""
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(
            RUNS.insert().values(
                source=source,
                started_at=now,
                finished_at=now,
                status=status,
                error=error,
                detail={**(detail or {}), "owner": _run_owner()},
            )
        )
        return int(result.inserted_primary_key[0])


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
    written (SQLite's ``data_version``; elsewhere they are read back and compared). Which rows
    are unchanged is said by the importer as an explicit :class:`SnapshotDelta` relative to the
    file applied last (``last_sha``); the scores' history checks it against the database.
    """

    # model id -> the row as we left it, in _MODEL_COLUMNS order
    models: dict[int, tuple] = field(default_factory=dict)
    # board -> {model id: the facts object last applied to the row, whose facts are that board's}
    applied: dict[str, dict[int, ModelFacts]] = field(default_factory=dict)
    # (source, model id, field) -> (fact row id, value, as_of) as we left it
    facts: dict[tuple[str, int, str], tuple[int, str | None, dt.date | None]] = field(default_factory=dict)
    index: dict[str, int] | None = None  # the model index as we left it
    # board -> content digest of the snapshot file whose facts this series applied last
    last_sha: dict[str, str] = field(default_factory=dict)
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
        self.last_sha.clear()
        self.facts.clear()
        self.index = None
        self.trusted = False
        self._token = None

    def remember(self, leaderboard: str, sha256: str | None) -> None:
        """Record that the facts of the file with this digest were applied (the next delta's base)."""
        if sha256:
            self.last_sha[leaderboard] = sha256
        else:
            self.last_sha.pop(leaderboard, None)

    def seal(self, conn: Connection) -> None:
        """Remember the database's write counter after our own writes (call before commit)."""
        self._token = _write_token(conn)

    def facts_source(self, model_id: int) -> str | None:
        """The board whose facts the model's row holds, as this series left the row (None: unknown)."""
        row = self.models.get(model_id)
        return row[_SOURCE_AT] if row is not None else None


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
    row.update(facts_rules.facts_changes(row, facts, source, as_of, board=True))
    row.update(board_facts_source=source, board_facts_as_of=as_of)
    return row


def _listing_keys(conn: Connection, model_ids: Sequence[int]) -> dict[int, tuple[dt.date, int]]:
    """Each model's newest listing on a board that carries facts: (snapshot date, board priority).

    Read from the score history: a model is listed on every snapshot its intervals cover, so
    its last listing on a board is that board's newest snapshot when an interval is still
    open, else the last snapshot before its latest interval ended.
    """
    boards = list(BOARD_PRIORITY)
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
                key = (last, BOARD_PRIORITY[board])
                if key > keys.get(model_id, (dt.date.min, 0)):
                    keys[model_id] = key
    return keys


def newest_snapshot(conn: Connection, leaderboard: str) -> dt.date | None:
    return conn.execute(
        select(func.max(SNAPSHOTS.c.snapshot_date)).where(SNAPSHOTS.c.leaderboard_key == leaderboard)
    ).scalar()


def _facts_by_key(facts_list: list[ModelFacts], lowers: Sequence[str]) -> dict[str, ModelFacts]:
    """Facts by lower-case id; the first row of a model listed twice wins."""
    facts_by_key = dict(zip(lowers, facts_list, strict=True))
    if len(facts_by_key) != len(lowers):
        for key, facts in zip(reversed(lowers), reversed(facts_list), strict=True):
            facts_by_key[key] = facts
    return facts_by_key


def _model_index(conn: Connection, cache: ApplyCache | None) -> dict[str, int]:
    if cache is not None and cache.trusted and cache.index is not None:
        return cache.index
    index = load_model_index(conn)
    if cache is not None:
        cache.index = index
    return index


def _insert_models(conn: Connection, new_rows: list[dict], index: dict[str, int]) -> None:
    """Insert model rows and put their ids in ``index``."""
    if not new_rows:
        return
    conn.execute(MODELS.insert(), new_rows)
    query = select(MODELS.c.id, MODELS.c.repo_id_lower)
    if len(new_rows) < 900:
        query = query.where(MODELS.c.repo_id_lower.in_([r["repo_id_lower"] for r in new_rows]))
    index.update({row.repo_id_lower: row.id for row in conn.execute(query)})


def _aliased_twice(listed: Sequence[str], index: dict[str, int]) -> set[str]:
    """Keys that are a second id of a model already listed in the call (an id and its alias)."""
    ids = list(map(index.__getitem__, listed))
    if len(set(ids)) == len(ids):
        return set()
    first: dict[int, str] = {}
    return {key for key, model_id in zip(listed, ids, strict=True) if first.setdefault(model_id, key) != key}


def _current_rows(conn: Connection, ids: Sequence[int], cache: ApplyCache | None) -> dict[int, tuple]:
    """Model rows (``_MODEL_COLUMNS`` order) by id; rows we left are taken from a trusted cache."""
    rows: dict[int, tuple] = {}
    if cache is not None and cache.trusted:
        known = cache.models
        rows = {model_id: row for model_id in ids if (row := known.get(model_id)) is not None}
        ids = [model_id for model_id in ids if model_id not in rows]
    cols = [MODELS.c.id, *[MODELS.c[c] for c in _MODEL_COLUMNS]]
    for start in range(0, len(ids), 900):
        for row in conn.execute(select(*cols).where(MODELS.c.id.in_(ids[start : start + 900]))):
            rows[row[0]] = tuple(row[1:])
    return rows


def update_rows(conn: Connection, table, updates: Sequence[tuple[int, dict]]) -> None:
    """(row id, column changes) of ``table``: rows changing the same columns go in one executemany."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row_id, changes in updates:
        groups.setdefault(tuple(sorted(changes)), []).append({"_id": row_id, **changes})
    for columns, rows in groups.items():
        stmt = table.update().where(table.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns})
        conn.execute(stmt, rows)


@dataclass
class _FactsCall:
    """One :func:`upsert_models` call: what it applies and how."""

    facts_by_key: dict[str, ModelFacts]
    index: dict[str, int]
    source: str
    as_of: dt.date | None
    board: bool
    cache: ApplyCache | None
    forward: bool = False  # a board snapshot newer than every stored one of its board
    settled: set[str] = field(default_factory=set)  # keys whose facts are unchanged and stored

    @property
    def use_cache(self) -> bool:
        return self.cache is not None and self.board and self.as_of is not None

    @property
    def applied(self) -> dict[int, ModelFacts]:
        assert self.cache is not None
        return self.cache.applied.setdefault(self.source, {})


def _settle_unchanged(call: _FactsCall, to_check: list[str], delta: SnapshotDelta | None) -> list[str]:
    """Drop the rows a delta says are unchanged since the file applied last (on rows nobody else wrote)."""
    cache = call.cache
    if not (call.use_cache and cache is not None and cache.trusted and call.forward and to_check and delta):
        return to_check
    if cache.last_sha.get(call.source) != delta.base_sha256:
        return to_check
    touched = {lower for lower, _ in delta.touched}
    applied, index = call.applied, call.index
    same = [key not in touched and index[key] in applied for key in to_check]
    call.settled.update(itertools.compress(to_check, same))
    return list(itertools.compress(to_check, map(operator.not_, same)))


def _apply_one(call: _FactsCall, key: str, current: tuple, decides: dict[int, bool] | None) -> dict | None:
    """The column changes for one model row (None: nothing to write); keeps the cache in step."""
    model_id, facts, cache = call.index[key], call.facts_by_key[key], call.cache
    if decides is not None and not decides[model_id]:
        if call.use_cache:
            call.applied.pop(model_id, None)  # an older listing: this board's facts are not on the row
        return None
    if call.use_cache and call.forward and call.applied.get(model_id) == facts and current[_SOURCE_AT] == call.source:
        assert cache is not None
        if cache.models.get(model_id) == current:
            # The same facts as last applied, on a row as we left it: nothing changes.
            call.applied[model_id] = facts
            if cache.trusted:
                call.settled.add(key)
            return None
    row_dict = dict(zip(_MODEL_COLUMNS, current, strict=True))
    # The precedence of every fact: db.facts.facts_changes; a board's facts are applied only when
    # they come from the model's newest listing (see upsert_models).
    changes = facts_rules.facts_changes(row_dict, facts, call.source, call.as_of, board=call.board)
    if call.use_cache:
        assert cache is not None
        row_dict.update(changes)
        cache.models[model_id] = tuple(map(row_dict.__getitem__, _MODEL_COLUMNS))
        call.applied[model_id] = facts
        for other, facts_of in cache.applied.items():
            if other != call.source:
                facts_of.pop(model_id, None)  # the row's facts are this board's now
    return changes or None


def _update_models(conn: Connection, call: _FactsCall, to_check: list[str]) -> int:
    """Apply the facts of ``to_check`` to their stored rows; returns how many rows changed."""
    if not to_check:
        return 0
    current_rows = _current_rows(conn, [call.index[key] for key in to_check], call.cache)
    decides = (
        _board_decides(conn, to_check, call.index, current_rows, call.source, call.as_of, call.forward)
        if call.board
        else None
    )
    updates = []
    for key in to_check:
        current = current_rows.get(call.index[key])
        if current is not None and (changes := _apply_one(call, key, current, decides)):
            updates.append((call.index[key], changes))
    update_rows(conn, MODELS, updates)
    return len(updates)


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
    delta: SnapshotDelta | None = None,
) -> tuple[dict[str, int], int, int]:
    """Insert unknown models and apply ``facts_list``; return (id index, inserted, updated).

    A model listed twice gets its first row's facts. Board facts (``board=True``, a snapshot
    of board ``source`` on ``as_of``) apply only when they come from the model's newest
    listing on any board (ties go by board priority), so the result does not depend on the
    order in which snapshots are imported; the row records which listing last changed it.
    ``keys`` (optional) are the lower-case ids of ``facts_list``, in its order. ``cache``
    (optional, one per series of snapshot imports) with ``delta`` (the rows that changed since
    the file applied last, see :class:`SnapshotDelta`) skips unchanged rows nobody else
    touched; the result is the same.
    """
    facts_list = facts_list if isinstance(facts_list, list) else list(facts_list)
    lowers = keys if keys is not None else [f.repo_id.lower() for f in facts_list]
    facts_by_key = _facts_by_key(facts_list, lowers)
    index = index if index is not None else _model_index(conn, cache)
    call = _FactsCall(facts_by_key, index, source, as_of, board, cache)
    listed = list(facts_by_key)
    missing = facts_by_key.keys() - index.keys()
    new_keys = [key for key in listed if key in missing]
    new_rows = [
        _new_model_row(facts_by_key[key], source, as_of)
        if board
        else _new_model_row(ModelFacts(repo_id=facts_by_key[key].repo_id), source, None)
        for key in new_keys
    ]
    _insert_models(conn, new_rows, index)
    # A board snapshot newer than any stored one of its board: a row whose facts came from
    # this board needs no other listing to be looked up (see _board_decides).
    call.forward = board and (
        (newest := newest_snapshot(conn, source)) is None or (as_of is not None and as_of > newest)
    )
    # New rows of a board got their facts when inserted.
    to_check = [key for key in listed if key not in missing] if board and missing else listed
    twice = _aliased_twice(listed, index)
    if twice:
        # Two ids of one model in one call: the first row's facts, as for a model listed twice;
        # applying both would compute two updates of one stale row.
        to_check = [key for key in to_check if key not in twice]
        call.settled.update(twice)  # nothing of theirs is written (extra facts included)
    if call.use_cache:
        for row in new_rows:
            model_id = index[row["repo_id_lower"]]
            cache.models[model_id] = tuple(map(row.__getitem__, _MODEL_COLUMNS))  # type: ignore[union-attr]
            call.applied[model_id] = facts_by_key[row["repo_id_lower"]]
    to_check = _settle_unchanged(call, to_check, delta)
    updated = _update_models(conn, call, to_check)
    # Extra facts with their source (knowledge cut-off, URLs, ...), of the rows not settled.
    extra_keys = [*new_keys, *to_check] if board and missing else to_check
    extra_rows = [
        (index[key], name, value)
        for key in extra_keys
        if (f := facts_by_key[key]).extra and key not in call.settled
        for name, value in f.extra.items()
        if value not in (None, "")
    ]
    if extra_rows:
        upsert_facts(conn, extra_rows, source=source, as_of=as_of, cache=cache)
    return index, len(new_rows), updated


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
    new_key = (as_of or dt.date.min, BOARD_PRIORITY.get(source, 0))
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
            stored = (row[_AS_OF_AT] or dt.date.min, BOARD_PRIORITY.get(row[_SOURCE_AT] or "", 0))
            decides[model_id] = new_key >= max(stored, listed.get(model_id, stored))
    return decides


def _stored_facts(
    conn: Connection, rows: Sequence[tuple[int, str, str]], source: str, cache: ApplyCache | None
) -> tuple[dict[tuple[int, str], tuple[int, str | None, dt.date | None]], bool]:
    """(model, field) -> (fact row id, value, as_of) of ``source``; and whether any was read from the database."""
    current: dict[tuple[int, str], tuple[int, str | None, dt.date | None]] = {}
    if cache is not None and cache.trusted:
        known = cache.facts
        for model_id, field_name, _ in rows:
            seen = known.get((source, model_id, field_name))
            if seen is not None:
                current[(model_id, field_name)] = seen
    model_ids = sorted({r[0] for r in rows if (r[0], r[1]) not in current})
    for start in range(0, len(model_ids), 900):
        chunk = model_ids[start : start + 900]
        for row in conn.execute(
            select(FACTS.c.id, FACTS.c.model_id, FACTS.c.field, FACTS.c.value, FACTS.c.as_of).where(
                FACTS.c.source == source, FACTS.c.model_id.in_(chunk)
            )
        ):
            current[(row.model_id, row.field)] = (row.id, row.value, row.as_of)
    return current, bool(model_ids)


def upsert_facts(
    conn: Connection,
    rows: Sequence[tuple[int, str, str]],
    *,
    source: str,
    as_of: dt.date | None,
    source_url: str | None = None,
    cache: ApplyCache | None = None,
) -> None:
    """Keep (model, field, source) -> value; a newer value replaces an older one.

    The same model and field twice in one call: the later row's value is kept (one row).
    """
    current, read = _stored_facts(conn, rows, source, cache)
    changed: dict[tuple[str, int, str], tuple[int, str | None, dt.date | None]] = {}
    if cache is not None and read:  # rows read from the database
        changed.update(((source, k[0], k[1]), v) for k, v in current.items())
    inserts: dict[tuple[int, str], dict] = {}  # not stored yet: a later row of the call updates it here
    updates: dict[int, dict] = {}
    for model_id, field_name, value in rows:
        value = str(value)
        pending = inserts.get((model_id, field_name))
        existing = current.get((model_id, field_name))
        if pending is not None:
            pending["value"] = value
        elif existing is None:
            inserts[(model_id, field_name)] = {
                "model_id": model_id,
                "field": field_name,
                "value": value,
                "source": source,
                "source_url": source_url,
                "as_of": as_of,
            }
        elif existing[1] != value and (existing[2] is None or as_of is None or as_of >= existing[2]):
            updates[existing[0]] = {"_id": existing[0], "value": value, "as_of": as_of}
            current[(model_id, field_name)] = changed[(source, model_id, field_name)] = (existing[0], value, as_of)
    if cache is not None:
        cache.facts.update(changed)  # new rows' ids are unknown here: those are read back next time
    if inserts:
        conn.execute(FACTS.insert(), list(inserts.values()))
    if updates:
        stmt = FACTS.update().where(FACTS.c.id == bindparam("_id"))
        conn.execute(stmt.values(value=bindparam("value"), as_of=bindparam("as_of")), list(updates.values()))


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
#
# The interval rule and its planner live in db.history (pure); this section reads what a plan
# needs, applies it with set-based SQL and keeps the snapshots' partial flags.


@dataclass
class _Snap:
    """A stored snapshot of a board, as the executor reads it."""

    day: dt.date
    entries: int
    partial: bool
    rows: frozenset  # the (model id, variant) rows of a partial snapshot
    sha256: str | None


def _board_snapshots(conn: Connection, leaderboard: str) -> list[_Snap]:
    query = (
        select(
            SNAPSHOTS.c.snapshot_date,
            SNAPSHOTS.c.entries,
            SNAPSHOTS.c.is_partial,
            SNAPSHOTS.c.partial_rows,
            SNAPSHOTS.c.sha256,
        )
        .where(SNAPSHOTS.c.leaderboard_key == leaderboard)
        .order_by(SNAPSHOTS.c.snapshot_date)
    )
    return [
        _Snap(day, entries or 0, bool(partial), frozenset(map(tuple, rows or ())), sha)
        for day, entries, partial, rows, sha in conn.execute(query)
    ]


def _later(snaps: Sequence[_Snap], day: dt.date) -> list[history.Later]:
    """The stored snapshots after ``day`` up to the first full one (what the planner needs)."""
    later = []
    for snap in snaps:
        if snap.day > day:
            later.append(history.Later(snap.day, snap.partial, snap.rows))
            if not snap.partial:
                break
    return later


def _prev(snaps: Sequence[_Snap], day: dt.date) -> dt.date | None:
    return max((s.day for s in snaps if s.day < day), default=None)


_INTERVAL_COLS = (
    SCORES.c.id,
    SCORES.c.model_id,
    SCORES.c.variant,
    SCORES.c.benchmark_key,
    SCORES.c.value,
    SCORES.c.precision,
    SCORES.c.revision,
    SCORES.c.valid_from,
    SCORES.c.valid_to,
)


def _as_interval(row) -> history.Interval:
    return history.Interval(row[0], (row[1], row[2], row[3]), row[4], row[5], row[6], row[7], row[8])


def _intervals_around(
    conn: Connection, leaderboard: str, prev: dt.date | None, bound: dt.date | None, newest_is_prev: bool = False
) -> list[history.Interval]:
    """Every interval of a board that overlaps ``[prev, bound]`` (None: no limit that side).

    ``newest_is_prev``: ``prev`` is the board's newest stored date, so every interval that
    reaches past it is open.
    """
    conditions = [SCORES.c.leaderboard_key == leaderboard]
    if prev is not None and bound is None and newest_is_prev:
        conditions.append(SCORES.c.valid_to.is_(None))  # after the newest date only open ones can reach
    elif prev is not None:
        conditions.append((SCORES.c.valid_to.is_(None)) | (SCORES.c.valid_to > prev))
    if bound is not None:
        conditions.append(SCORES.c.valid_from <= bound)
    return [_as_interval(row) for row in conn.execute(select(*_INTERVAL_COLS).where(*conditions))]


def _open_intervals_of(conn: Connection, leaderboard: str, model_ids: Sequence[int]) -> list[history.Interval]:
    """The open intervals of some models of a board."""
    out = []
    board = SCORES.c.leaderboard_key == leaderboard
    for chunk in _id_chunks(conn, sorted(set(model_ids))):
        # By model (ix_scores_model), the open ones picked here: with "valid_to IS NULL" in the
        # query SQLite walks every open interval of the board instead.
        for row in conn.execute(select(*_INTERVAL_COLS).where(board, _id_in(conn, SCORES.c.model_id, chunk))):
            if row[8] is None:
                out.append(_as_interval(row))
    return out


def _apply_plan(conn: Connection, leaderboard: str, plan: history.Plan, stats: SnapshotStats) -> None:
    """Write a plan: deletes by id, one UPDATE per new end date, one executemany INSERT."""
    for chunk in _id_chunks(conn, plan.deletes):
        conn.execute(SCORES.delete().where(_id_in(conn, SCORES.c.id, chunk)))
    ends: dict[dt.date | None, list[int]] = {}
    for score_id, end in [*plan.closes, *plan.extends]:
        ends.setdefault(end, []).append(score_id)
    for end, ids in ends.items():
        for chunk in _id_chunks(conn, ids):
            conn.execute(SCORES.update().where(_id_in(conn, SCORES.c.id, chunk)).values(valid_to=end))
    if plan.inserts:
        conn.execute(
            SCORES.insert(),
            [
                {
                    "leaderboard_key": leaderboard,
                    "model_id": iv.key[0],
                    "variant": iv.key[1],
                    "benchmark_key": iv.key[2],
                    "value": iv.value,
                    "precision": iv.precision,
                    "revision": iv.revision,
                    "valid_from": iv.valid_from,
                    "valid_to": iv.valid_to,
                }
                for iv in plan.inserts
            ],
        )
    stats.scores_inserted += len(plan.inserts)
    stats.scores_closed += len(plan.closes)
    stats.scores_deleted += len(plan.deletes)


def _wanted(rows: Sequence[tuple[int, str]], entries: Sequence[BoardEntry]) -> dict[tuple, history.Value]:
    """The state a snapshot asks for: (model id, variant, benchmark) -> (value, precision, revision)."""
    return {
        (row[0], row[1], bench): (value, entry.precision, entry.revision)
        for row, entry in zip(rows, entries, strict=True)
        for bench, value in entry.scores.items()
    }


def _delta_rows(
    delta: SnapshotDelta | None, snaps: Sequence[_Snap], day: dt.date, partial: bool, index: dict[str, int]
) -> set[tuple[int, str]] | None:
    """The (model id, variant) rows to plan when ``delta`` holds, else None (plan everything).

    It holds when the file it is relative to is the newest stored snapshot (same digest), the
    import is newer than it, and that snapshot is full (or this one is partial too): then the
    open intervals are that file's rows and only the rows the delta names can change.
    """
    if delta is None or not snaps:
        return None
    newest = snaps[-1]
    if newest.day >= day or newest.sha256 != delta.base_sha256 or (newest.partial and not partial):
        return None
    rows = set()
    for lower, variant in delta.touched:
        model_id = index.get(lower)
        if model_id is None:
            return None
        rows.add((model_id, variant))
    return rows


def _plan_entries(
    conn: Connection,
    leaderboard: str,
    day: dt.date,
    rows: Sequence[tuple[int, str]],
    entries: Sequence[BoardEntry],
    snaps: Sequence[_Snap],
    partial: bool,
    only: set[tuple[int, str]] | None,
) -> history.Plan:
    """Read what the planner needs for ``entries`` on ``day`` and plan them (``only``: a delta's rows)."""
    if only is not None:  # a delta: only the rows it names, against their open intervals
        by_row = dict(zip(rows, entries, strict=True))
        picked = [row for row in only if row in by_row]
        wanted = _wanted(picked, [by_row[row] for row in picked])
        if len(only) * 4 > len(rows):  # much changed: one range over the board's open intervals is cheaper
            opened = _intervals_around(conn, leaderboard, snaps[-1].day, None, newest_is_prev=True)
        else:
            opened = _open_intervals_of(conn, leaderboard, [r[0] for r in only])
        ivs = [iv for iv in opened if iv.key[:2] in only]
        keys = wanted.keys() | {iv.key for iv in ivs}
        return history.plan_snapshot(day, wanted, ivs, prev=snaps[-1].day, partial=partial, rows=by_row, keys=keys)
    later = _later(snaps, day)
    prev = _prev(snaps, day)
    bound = next((s.day for s in later if not s.partial), None)
    ivs = _intervals_around(conn, leaderboard, prev, bound, newest_is_prev=not later)
    wanted = _wanted(rows, entries)
    return history.plan_snapshot(day, wanted, ivs, prev=prev, later=later, partial=partial, rows=set(rows))


def _flags_with(snaps: Sequence[_Snap], day: dt.date, count: int) -> dict[dt.date, bool]:
    """The partial flag of every snapshot of the board once ``day`` has ``count`` entries."""
    counts = {s.day: s.entries for s in snaps} | {day: count}
    dates = sorted(counts)
    return dict(zip(dates, history.partial_flags([counts[d] for d in dates]), strict=True))


def _store_snapshot(conn: Connection, leaderboard: str, day: dt.date, exists: bool, values: dict) -> None:
    where = (SNAPSHOTS.c.leaderboard_key == leaderboard, SNAPSHOTS.c.snapshot_date == day)
    if exists:
        conn.execute(SNAPSHOTS.update().where(*where).values(**values))
    else:
        conn.execute(SNAPSHOTS.insert().values(leaderboard_key=leaderboard, snapshot_date=day, **values))


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


def _rows_json(rows: Iterable[tuple[int, str]]) -> list[list]:
    return [list(row) for row in sorted(rows)]


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
    keys: Sequence[tuple[str, str]] | None = None,
    delta: SnapshotDelta | None = None,
) -> SnapshotStats:
    """Make ``entries`` the state of ``leaderboard`` on ``day`` under the interval rule (db.history).

    The caller holds the transaction; models must already be in ``model_index``. ``keys``
    (optional) are the entries' (lower-case id, variant), in their order. ``delta`` (optional)
    names the rows that changed since the file imported before (see :class:`SnapshotDelta`);
    when it holds, only those rows are read and planned; the result is the same. The day's
    partial flag (db.history.partial_flags) is stored, and a stored snapshot whose flag the new
    count changes is planned again.
    """
    stats = SnapshotStats(entries=len(entries))
    if keys is None:
        keys = [(entry.facts.repo_id.lower(), entry.variant) for entry in entries]
    rows = list(zip(map(model_index.__getitem__, map(_FIRST, keys)), map(_SECOND, keys), strict=True))
    snaps = _board_snapshots(conn, leaderboard)
    flags = _flags_with(snaps, day, len(entries))
    partial = flags[day]
    only = _delta_rows(delta, snaps, day, partial, model_index) if len(set(rows)) == len(rows) else None
    others = [s for s in snaps if s.day != day]
    plan = _plan_entries(conn, leaderboard, day, rows, entries, others, partial, only)
    _apply_plan(conn, leaderboard, plan, stats)
    values = {
        "entries": len(entries),
        "source_file": source_file,
        "sha256": sha256,
        "run_id": run_id,
        "is_partial": partial,
        "partial_rows": _rows_json(set(rows)) if partial else None,
    }
    _store_snapshot(conn, leaderboard, day, len(others) != len(snaps), values)
    for snap in others:
        if flags[snap.day] != snap.partial:
            _replan_flag(conn, leaderboard, snap.day, flags[snap.day], stats)
    return stats


def _replan_flag(conn: Connection, leaderboard: str, day: dt.date, partial: bool, stats: SnapshotStats) -> None:
    """Plan a stored snapshot again under its new partial flag (its entries are read back)."""
    snaps = _board_snapshots(conn, leaderboard)
    snap = next(s for s in snaps if s.day == day)
    covering = [
        iv
        for iv in _intervals_around(conn, leaderboard, day, day)
        if iv.covers(day) and (not snap.partial or iv.key[:2] in snap.rows)
    ]
    wanted = {iv.key: (iv.value, iv.precision, iv.revision) for iv in covering}
    listed = snap.rows if snap.partial else frozenset(iv.key[:2] for iv in covering)
    others = [s for s in snaps if s.day != day]
    later, prev = _later(others, day), _prev(others, day)
    bound = next((s.day for s in later if not s.partial), None)
    ivs = _intervals_around(conn, leaderboard, prev, bound)
    plan = history.plan_snapshot(day, wanted, ivs, prev=prev, later=later, partial=partial, rows=listed)
    _apply_plan(conn, leaderboard, plan, stats)
    values = {"is_partial": partial, "partial_rows": _rows_json(listed) if partial else None}
    _store_snapshot(conn, leaderboard, day, True, values)


def refresh_partial_flags(conn: Connection, leaderboard: str) -> int:
    """Set the partial flags of a board's stored snapshots by the rule, repairing the history.

    For a database imported before partial snapshots were known (migration 0003); returns how
    many flags changed.
    """
    snaps = _board_snapshots(conn, leaderboard)
    if not snaps:
        return 0
    flags = dict(zip([s.day for s in snaps], history.partial_flags([s.entries for s in snaps]), strict=True))
    changed = [s for s in snaps if flags[s.day] != s.partial]
    stats = SnapshotStats()
    for snap in changed:
        _replan_flag(conn, leaderboard, snap.day, flags[snap.day], stats)
    return len(changed)


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
    has from the same source win; scores of one board, variant and benchmark become one history,
    see :func:`db.history.plan_merge`) and the old row goes. Returns the model id, or ``None``
    when neither id is known. ``index`` (id/alias -> model id) is kept up to date.
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
        _merge_scores(conn, old_row, new_row)
        _move_rows(conn, FACTS, ("field", "source"), old_row, new_row)
        _move_rows(conn, CLAIMS, ("field", "source", "claim"), old_row, new_row)
        conn.execute(ALIASES.update().where(ALIASES.c.model_id == old_row).values(model_id=new_row))
        from db.arena import move_model  # the Arena's published boards list model rows too

        move_model(conn, old_row, new_row)
        conn.execute(MODELS.delete().where(MODELS.c.id == old_row))
    assert new_row is not None
    add_alias(conn, new_row, old_id, reason)
    index[new_key] = new_row
    index[old_key] = new_row
    return new_row


def _move_rows(conn: Connection, table, unique: tuple[str, ...], old_row: int, new_row: int) -> None:
    """Give ``old_row``'s rows of ``table`` to ``new_row``; where it has the same ``unique`` columns, its own win."""
    cols = [table.c[c] for c in unique]
    taken = {tuple(r) for r in conn.execute(select(*cols).where(table.c.model_id == new_row))}
    for row in conn.execute(select(table.c.id, *cols).where(table.c.model_id == old_row)).all():
        if tuple(row[1:]) in taken:
            conn.execute(table.delete().where(table.c.id == row[0]))
        else:
            conn.execute(table.update().where(table.c.id == row[0]).values(model_id=new_row))


def _merge_scores(conn: Connection, old_row: int, new_row: int) -> None:
    """Move ``old_row``'s score history to ``new_row``: one history per board, variant and benchmark."""
    by_board: dict[str, tuple[list, list]] = {}
    query = select(SCORES.c.leaderboard_key, *_INTERVAL_COLS).where(SCORES.c.model_id.in_([old_row, new_row]))
    for row in conn.execute(query):
        iv = _as_interval(row[1:])
        kept, moved = by_board.setdefault(row[0], ([], []))
        if iv.key[0] == new_row:
            kept.append(iv)
        else:
            moved.append(history.replace_key(iv, (new_row, *iv.key[1:])))
    conn.execute(SCORES.update().where(SCORES.c.model_id == old_row).values(model_id=new_row))
    for board, (kept, moved) in by_board.items():
        if kept and moved:
            dates = [s.day for s in _board_snapshots(conn, board)]
            _apply_plan(conn, board, history.plan_merge(kept, moved, dates), SnapshotStats())
    # Partial snapshots list their rows by model id.
    for snap_id, rows in conn.execute(
        select(SNAPSHOTS.c.id, SNAPSHOTS.c.partial_rows).where(SNAPSHOTS.c.partial_rows.is_not(None))
    ).all():
        if any(r[0] == old_row for r in rows or ()):
            moved_rows = {(new_row if r[0] == old_row else r[0], r[1]) for r in rows}
            conn.execute(
                SNAPSHOTS.update().where(SNAPSHOTS.c.id == snap_id).values(partial_rows=_rows_json(moved_rows))
            )


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


# --------------------------------------------------------------------------- a series of new snapshots


@dataclass
class SeriesSnapshot:
    """One snapshot of :func:`apply_snapshot_series`, in the planner's terms.

    ``wanted``: (model id, variant, benchmark) -> (value, precision, revision); ``rows``: the
    (model id, variant) rows it lists; ``entries``: how many entries the snapshot has.
    """

    day: dt.date
    wanted: dict[tuple, history.Value]
    rows: set[tuple[int, str]]
    entries: int
    source_file: str | None = None
    sha256: str | None = None


def apply_snapshot_series(
    conn: Connection, leaderboard: str, series: Sequence[SeriesSnapshot], *, run_id: int | None
) -> SnapshotStats | None:
    """Apply snapshots that are all later than the board's newest stored one, in one pass.

    The same history and snapshot rows as :func:`apply_snapshot` on each in date order (the
    plan is :func:`db.history.plan_forward`; past the newest stored date no stored snapshot's
    flag can change), written set-based: one UPDATE per end date for the stored intervals it
    closes, one executemany for every interval it starts, one for the snapshot rows. Returns
    ``None`` (and writes nothing) when a date is not after the newest stored one: the caller
    applies those one by one.
    """
    stats = SnapshotStats(entries=sum(s.entries for s in series))
    if not series:
        return stats
    snaps = _board_snapshots(conn, leaderboard)
    if snaps and series[0].day <= snaps[-1].day:
        return None
    counts = [s.entries for s in snaps] + [s.entries for s in series]
    flags = history.partial_flags(counts)[len(snaps) :]
    newest = snaps[-1].day if snaps else None
    opened = [
        iv for iv in _intervals_around(conn, leaderboard, newest, None, newest_is_prev=True) if iv.valid_to is None
    ]
    plan = history.plan_forward(
        opened, [history.Forward(s.day, s.wanted, f, s.rows) for s, f in zip(series, flags, strict=True)]
    )
    _apply_plan(conn, leaderboard, history.Plan(closes=plan.closes), stats)  # stored intervals it closes
    _insert_intervals(conn, leaderboard, plan.inserts)
    stats.scores_inserted += len(plan.inserts)
    conn.execute(
        SNAPSHOTS.insert(),
        [
            {
                "leaderboard_key": leaderboard,
                "snapshot_date": s.day,
                "entries": s.entries,
                "source_file": s.source_file,
                "sha256": s.sha256,
                "run_id": run_id,
                "is_partial": f,
                "partial_rows": _rows_json(s.rows) if f else None,
            }
            for s, f in zip(series, flags, strict=True)
        ],
    )
    return stats


# In the table's column order: the compiled statement's order, so rows need no reordering.
_SCORE_INSERT = (
    "leaderboard_key",
    "model_id",
    "variant",
    "precision",
    "revision",
    "benchmark_key",
    "value",
    "valid_from",
    "valid_to",
)


def _insert_intervals(conn: Connection, leaderboard: str, intervals: Sequence[history.Run]) -> None:
    """Insert planned intervals (:data:`db.history.Run` tuples) in one executemany of plain tuples.

    A series inserts one interval per model, benchmark and date (every Arena rating changes on
    every date: about 190,000 for LMArena's full split): SQLAlchemy's per-row processing of
    dicts cost more than SQLite's own work. The statement is SQLAlchemy's own insert compiled
    for the connection's dialect; dates go through the dialect's own bind processor for the
    column type, once per distinct date.
    """
    if not intervals:
        return
    columns = list(_SCORE_INSERT)
    date_type = SCORES.c.valid_from.type.dialect_impl(conn.dialect)
    to_db = date_type.bind_processor(conn.dialect)
    dates: dict = {None: None}
    for run in intervals:
        for day in (run[4], run[5]):
            if day not in dates:
                dates[day] = to_db(day) if to_db is not None else day
    rows = [
        (leaderboard, key[0], key[1], precision, revision, key[2], value, dates[start], dates[end])
        for key, value, precision, revision, start, end in intervals
    ]
    insert_tuples(conn, SCORES, columns, rows)


def insert_tuples(conn: Connection, table, columns: Sequence[str], rows: list[tuple]) -> None:
    """One executemany of plain tuples (``columns`` order) through ``table``'s Core insert compiled
    for the connection's dialect: for large inserts, where SQLAlchemy's per-row processing of
    dicts costs more than the database's own work. The caller has put every value in the form the
    driver takes (dates through the column type's bind processor, once per distinct date).
    """
    if not rows:
        return
    columns = list(columns)
    # inline(): no implicit RETURNING of the new ids (PostgreSQL), which an executemany does not use.
    compiled = table.insert().inline().compile(dialect=conn.dialect, column_keys=columns)
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        params = rows if order == list(range(len(columns))) else [tuple(r[i] for i in order) for r in rows]
    else:
        params = [dict(zip(columns, r, strict=True)) for r in rows]
    conn.exec_driver_sql(compiled.string, params)
