"""The size and license review: db/facts.py's plausibility rules over every model row.

Runs after every import (the seed, ``import``, ``run``) and on demand (``python -m ingest
review``). Sizes need other rows (a packed repo takes its base model's count), so this is a
pass over the table, not a per-row rule: each row gets a confidence and a note, packed and
double-counted sizes are corrected, implausible ones marked doubtful; a repo that states no
license shows its base model's, marked as inherited.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine

from db import facts as rules
from db import facts_store
from db.aliases import apply_all_hub_facts
from ingest.sizes import parse_name_size


@dataclasses.dataclass
class ReviewStats:
    models: int = 0
    changed: int = 0
    corrected: int = 0
    doubtful: int = 0
    inherited_licenses: int = 0


def _hint(repo_id: str) -> rules.NameHint | None:
    parsed = parse_name_size(repo_id)
    if parsed is None:
        return None
    return rules.NameHint(parsed.total_b, parsed.is_moe, parsed.upper_b, parsed.text)


def _stored(row: dict) -> rules.Size:
    confidence = row.get("params_confidence") or rules.classify(
        row["params_b"], row["params_source"], bool(row["params_is_estimate"])
    )
    return rules.Size(row["params_b"], row["params_source"], confidence, row.get("params_note"))


def _raw(row: dict) -> rules.Size:
    """The row's size as its source gives it (a doubtful mark is re-decided every time)."""
    size = _stored(row)
    if size.confidence == "doubtful" or size.confidence is None:
        size = dataclasses.replace(
            size, confidence=rules.classify(size.value, size.source, bool(row["params_is_estimate"])), note=None
        )
    return size


def plan_review(rows: list[dict]) -> list[tuple[int, dict]]:
    """The column changes of a review, from the rows alone (pure)."""
    by_id = {r["repo_id"].lower(): r for r in rows}
    raw = {r["id"]: _raw(r) for r in rows}
    hints = {r["id"]: _hint(r["repo_id"]) for r in rows}
    signatures = rules.packed_signatures(
        (size.value, hint.total_b)
        for r in rows
        if (size := raw[r["id"]]).confidence == "board-decimal" and (hint := hints[r["id"]]) and not hint.is_moe
    )

    def assessed(row: dict, base_sizes: dict[int, rules.Size]) -> rules.Size:
        size = raw[row["id"]]
        hint = hints[row["id"]]
        if not size.known and hint and hint.is_moe and hint.upper_b:
            size = rules.Size(hint.upper_b, "name (estimate)", "name")
        base_row = by_id.get((row["base_model"] or "").lower())
        base = base_sizes.get(base_row["id"]) if base_row else None
        return rules.assess(
            size,
            repo_id=row["repo_id"],
            name=hint,
            base=base,
            base_id=base_row["repo_id"] if base_row else None,
            is_merged=bool(row["is_merged"]),
            model_type=row["model_type"],
            packed_twins=signatures.get(round(size.value, 3)) if size.known else None,
        )

    # Twice: a base model's own size is settled before its derivatives read it.
    first = {r["id"]: assessed(r, raw) for r in rows}
    final = {r["id"]: assessed(r, first) for r in rows}
    changes: list[tuple[int, dict]] = []
    for row in rows:
        size = final[row["id"]]
        want = {
            "params_b": size.value,
            "params_source": size.source,
            "params_is_estimate": (size.confidence in rules.ESTIMATES) if size.known else False,
            "params_confidence": size.confidence if size.known else None,
            "params_note": size.note if size.known else None,
        }
        hint = hints[row["id"]]
        if hint and hint.is_moe and not row["is_moe"]:
            want["is_moe"] = True
        base_row = by_id.get((row["base_model"] or "").lower())
        inherited, inherited_from = None, None
        if not row["license"] and base_row is not None:
            inherited = base_row["license"] or base_row.get("license_inherited")
            inherited_from = base_row["repo_id"] if base_row["license"] else base_row.get("license_inherited_from")
        want["license_inherited"] = inherited
        want["license_inherited_from"] = inherited_from if inherited else None
        diff = {k: v for k, v in want.items() if row.get(k) != v}
        if diff:
            changes.append((row["id"], diff))
    return changes


def review(engine: Engine) -> ReviewStats:
    """Review every row in one transaction; returns what it found and changed."""
    stats = ReviewStats()
    with engine.begin() as conn:
        rows = facts_store.review_rows(conn)
        changes = plan_review(rows)
        facts_store.write_reviews(conn, changes)
        # Then the board models aliased to Hub repos take the reviewed facts of their repo, so a
        # run ends in the same state whichever order its parts (or an interrupted run) took.
        apply_all_hub_facts(conn)
    merged = {r["id"]: dict(r) for r in rows}
    for model_id, diff in changes:
        merged[model_id].update(diff)
    stats.models = len(rows)
    stats.changed = len(changes)
    for row in merged.values():
        stats.corrected += row["params_confidence"] == "corrected"
        stats.doubtful += row["params_confidence"] == "doubtful"
        stats.inherited_licenses += row["license_inherited"] is not None
    return stats
