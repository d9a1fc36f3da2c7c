"""Engines and schema set-up for SQLite (the default) and any other SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from db.errors import DatabaseError

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


def make_engine(url: str, *, create_dirs: bool = True, must_exist: bool = False) -> Engine:
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
            engine = create_engine(parsed, connect_args={"timeout": 30})
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

    cfg = _alembic_config(engine)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        ensure_registry(engine)
    except OperationalError as exc:
        raise DatabaseError(f"cannot create or upgrade the schema: {one_line(exc.orig)}") from None


def ready_engine(url: str) -> Engine:
    """An engine for ``url`` whose schema exists (created on first use)."""
    engine = make_engine(url)
    if not schema_is_current(engine):
        upgrade_schema(engine)
    return engine


def schema_is_current(engine: Engine) -> bool:
    """True when the database has been initialised (the tables exist)."""
    try:
        return inspect(engine).has_table("scores")
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database: {one_line(exc.orig)}") from None
