"""Engines and schema set-up for SQLite (the default) and any other SQLAlchemy URL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from core.errors import DatabaseError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # read-only media cannot switch journal mode; reading still works
        pass
    cursor.close()


def one_line(error: object) -> str:
    """A driver error as one line (psycopg adds hints on further lines)."""
    return " ".join(str(error).split())


def make_engine(
    url: str, *, create_dirs: bool = True, must_exist: bool = False, busy_timeout_s: float = 30.0
) -> Engine:
    """Create an engine for ``url``. SQLite gets WAL, foreign keys and a busy timeout.

    ``must_exist`` refuses a SQLite path that does not exist yet (read-only callers).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if must_exist and database and database != ":memory:" and not Path(database).expanduser().exists():
            raise DatabaseError(
                f"no database at {database}: run 'python -m ingest init' and 'python -m ingest seed' first"
            )
        if database and database != ":memory:" and create_dirs:
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the folder for {database}: {exc.strerror}") from None
        try:
            engine = create_engine(parsed, connect_args={"timeout": busy_timeout_s})
        except SQLAlchemyError as exc:
            raise DatabaseError(f"cannot open {url!r}: {exc}") from None
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # psycopg (3) is what requirements.txt installs.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise DatabaseError(f"cannot open {parsed.render_as_string(hide_password=True)}: {exc}") from None


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade_schema(engine: Engine) -> None:
    """Create the schema or upgrade it to the newest migration, then register the boards."""
    from alembic import command

    from db.registry import ensure_registry

    state = schema_state(engine)
    if state.status in ("unknown", "unversioned"):
        raise DatabaseError(state.problem())  # never migrate a schema these scripts did not write
    cfg = _alembic_config(engine)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        ensure_registry(engine)
    except OperationalError as exc:
        raise DatabaseError(f"cannot create or upgrade the schema: {one_line(exc.orig)}") from None
    except (SQLAlchemyError, RuntimeError) as exc:  # a migration that refuses the data it finds
        raise DatabaseError(f"cannot upgrade the schema: {one_line(getattr(exc, 'orig', None) or exc)}") from None


def ready_engine(url: str) -> Engine:
    """An engine for ``url`` at the newest migration: created on first use, upgraded when behind.

    Commands that write (``ingest seed``, ``import``, ``run``, ``schedule``) use it, so they never
    write into an old schema. A database newer than this code, or with tables Alembic did not
    create, is refused with a one-line :class:`DatabaseError`.
    """
    engine = make_engine(url)
    state = schema_state(engine)
    if state.status in ("missing", "behind"):
        upgrade_schema(engine)
        state = schema_state(engine)
    problem = state.problem()
    if problem:
        raise DatabaseError(problem)
    return engine


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the migrations this code ships.

    ``revisions`` are the database's Alembic revisions (empty when it has none), ``heads`` the
    newest revisions of the scripts. ``status`` is one of ``missing`` (no tables), ``behind``
    (an older migration: ``ingest init`` upgrades it), ``current``, ``unversioned`` (tables but no
    Alembic revision) or ``unknown`` (a revision these scripts do not know: newer code wrote it).
    """

    status: str
    revisions: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def current(self) -> bool:
        return self.status == "current"

    def problem(self) -> str | None:
        """A one-line explanation and the fix, or None when the schema is current."""
        have = ", ".join(self.revisions) or "none"
        want = ", ".join(self.heads)
        return {
            "current": None,
            "missing": "the database has no tables yet: run 'python -m ingest init' and 'python -m ingest seed'",
            "behind": (
                f"the database schema is older than this version of SLM Tracker (revision {have}, "
                f"newest {want}): run 'python -m ingest init' to upgrade it"
            ),
            "unversioned": (
                "the database has tables but no Alembic revision: it was not created by "
                "'python -m ingest init'; point DATABASE_URL at an SLM Tracker database"
            ),
            "unknown": (
                f"the database schema (revision {have}) is newer than this version of SLM Tracker "
                f"(newest {want}): upgrade SLM Tracker"
            ),
        }[self.status]


@lru_cache(maxsize=4)
def migration_heads(migrations_dir: str = str(MIGRATIONS_DIR)) -> tuple[tuple[str, ...], frozenset[str]]:
    """(the head revisions, every known revision) of the migration scripts, read once per process."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", migrations_dir)
    script = ScriptDirectory.from_config(cfg)
    known = frozenset(rev.revision for rev in script.walk_revisions())
    return tuple(sorted(script.get_heads())), known


def schema_state(engine: Engine) -> SchemaState:
    """Compare the database's Alembic revision with the head of the migration scripts."""
    from alembic.migration import MigrationContext

    heads, known = migration_heads()
    try:
        with engine.connect() as conn:
            revisions = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
            has_tables = bool(revisions) or inspect(conn).has_table("scores")
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database: {one_line(exc.orig)}") from None
    if not revisions:
        status = "unversioned" if has_tables else "missing"
    elif revisions == heads:
        status = "current"
    elif set(revisions) <= known:
        status = "behind"
    else:
        status = "unknown"
    return SchemaState(status, revisions, heads)


def require_current_schema(engine: Engine) -> None:
    """Raise :class:`DatabaseError` with the fix unless the database is at the newest migration."""
    problem = schema_state(engine).problem()
    if problem:
        raise DatabaseError(problem)


def _interrupt_after(seconds: float):
    """A SQLite progress handler that stops a statement running longer than ``seconds``."""
    import time

    def attach(dbapi_connection, record) -> None:
        started: list[float] = []  # when the current statement began (cleared before each one)
        record.info["slm_statement_start"] = started

        def handler() -> int:
            now = time.monotonic()
            if not started:
                started.append(now)
                return 0
            return 1 if now - started[0] > seconds else 0

        dbapi_connection.set_progress_handler(handler, 20_000)

    return attach


def reader_engine(url: str, timeout_s: float) -> Engine:
    """An engine for readers that must not hang: every statement gets at most ``timeout_s``.

    PostgreSQL: ``statement_timeout`` (and a connect timeout) on every connection. SQLite: the
    busy timeout (a writer holding the lock) and a progress handler that interrupts a statement
    running longer. Either way the statement fails with an OperationalError the caller handles
    (the dashboard shows its last good view). The SQLite file must exist.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r}") from None
    # SQLite's busy timeout is sqlite3's own ``timeout`` (a writer holding the lock).
    engine = make_engine(url, create_dirs=False, must_exist=True, busy_timeout_s=timeout_s)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _interrupt_after(timeout_s))

        @event.listens_for(engine, "before_cursor_execute")
        def _start(conn, _cursor, _statement, _params, _context, _executemany) -> None:
            conn.info.get("slm_statement_start", []).clear()

        return engine
    if parsed.get_backend_name() == "postgresql":
        engine.dispose()
        options = f"-c statement_timeout={int(timeout_s * 1000)} -c default_transaction_read_only=on"
        if parsed.get_driver_name() in ("", "psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            pool_timeout=timeout_s,
            connect_args={"options": options, "connect_timeout": max(1, int(timeout_s))},
        )
    return engine
