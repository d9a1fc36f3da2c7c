"""Board display names -> Hub repo ids: the bundled, editable ``data/aliases/<board>.csv`` files.

Each file has the header ``name,hub_id,source``: an exact board name (compared ignoring case,
never fuzzily), the Hub repo id it is, and how that is known (the model card, the board's own
link, ...). :func:`read_aliases` is pure (text in, rows out, or one :class:`InputError` naming
the line); :func:`sync_aliases` makes the database's ``board_aliases`` the file's rows and
gives aliased models their Hub facts (``db.aliases.apply_hub_facts``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import Engine

from core.config import SEED_DIR
from core.errors import InputError
from ingest.normalize import BadValue, parse_display_id, parse_hub_id

ALIASES_DIR = SEED_DIR.parent / "aliases"
HEADER = ["name", "hub_id", "source"]


def alias_file(leaderboard: str, folder: Path = ALIASES_DIR) -> Path:
    return folder / f"{leaderboard}.csv"


def read_aliases(text: str, where: str = "aliases") -> list[dict]:
    """The rows of an alias file; :class:`InputError` (one line, with the line number) when bad."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{where}: file is empty (expected the header {','.join(HEADER)})") from None
    except csv.Error as exc:
        raise InputError(f"{where}: malformed CSV header ({exc})") from None
    if [h.strip() for h in header] != HEADER:
        raise InputError(f"{where}: the header must be {','.join(HEADER)}, not {','.join(header)[:80]}")
    rows: list[dict] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != 3:
                raise InputError(f"{where}: line {line} has {len(cells)} fields, not 3 (name,hub_id,source)")
            name_raw, hub_raw, source = (c.strip() for c in cells)
            try:
                name = parse_display_id(name_raw, "name")
                hub_id = parse_hub_id(hub_raw, "hub_id")
            except BadValue as exc:
                raise InputError(f"{where}: line {line}: {exc}") from None
            if not source:
                raise InputError(f"{where}: line {line}: no source for {name!r} (say how the mapping is known)")
            if name.lower() in seen:
                raise InputError(f"{where}: line {line}: {name!r} is already mapped on line {seen[name.lower()]}")
            seen[name.lower()] = line
            rows.append({"name": name, "hub_id": hub_id, "source": source[:500]})
    except csv.Error as exc:
        raise InputError(f"{where}: malformed CSV near line {reader.line_num} ({exc})") from None
    return rows


def load_alias_file(leaderboard: str, folder: Path = ALIASES_DIR) -> list[dict] | None:
    """The rows of the board's alias file, or ``None`` when the board has none."""
    path = alias_file(leaderboard, folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    return read_aliases(text, str(path))


def sync_aliases(engine: Engine, leaderboard: str, folder: Path = ALIASES_DIR) -> int | None:
    """Store the board's alias file and apply the Hub facts; returns the number of aliases."""
    from db.aliases import apply_hub_facts, replace_aliases

    rows = load_alias_file(leaderboard, folder)
    if rows is None:
        return None
    from db.records import ModelFacts
    from db.writes import upsert_models

    with engine.begin() as conn:
        replace_aliases(conn, leaderboard, rows)
        # Every aliased Hub repo gets a row (as seed models do), so that the hub source checks
        # each in turn and records what the Hub said, even when the repo is gone.
        hub_ids = list(dict.fromkeys(r["hub_id"] for r in rows))
        upsert_models(conn, [ModelFacts(repo_id=h) for h in hub_ids], source="alias", as_of=None, board=False)
        apply_hub_facts(conn, leaderboard)
    return len(rows)
