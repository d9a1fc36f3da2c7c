"""Data for the pages: plain functions over a Connection or DataFrames (no Streamlit here).

Every function returns frames keyed by data keys; display labels are applied by
:func:`display_frame` and the column configs in ``dashboard/ui.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Collection
from urllib.parse import quote

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from core.boards import BOARD_PROVENANCE, LEADERBOARD_KEYS, LMARENA, leaderboard_def
from dashboard import format as fmt
from dashboard.filters import SIZE_CLASSES, FilterState, group_members, group_name, rank_label
from db import facts as facts_rules
from db import history, queries
from db.queries import ModelFilter
from db.ranking import ranks_in_order, tie_ranks
from db.reports import _csv_safe

# A Hugging Face repo id ("org/name"); anything else gets no Hub link.
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9._-]{1,96}$")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$")

LICENSE_LABELS = {
    "permissive": "Permissive",
    "copyleft": "Copyleft",
    "non-commercial": "Non-commercial",
    "custom": "Custom",
    "proprietary": "Proprietary",
    "unknown": "Unknown",
}
TYPE_LABELS = {
    "pretrained": "Pretrained",
    "continuously pretrained": "Continuously pretrained",
    "fine-tuned": "Fine-tuned",
    "chat": "Chat",
    "merge": "Merge",
    "multimodal": "Multimodal",
    "unknown": "Unknown",
}
SIZE_LABELS = {s.key: s.label for s in SIZE_CLASSES}
FACT_LABELS = {
    "architecture": "Architecture",
    "base_model": "Base model",
    "base_model_note": "Base model (note)",
    "created_date": "Created on the Hub",
    "downloads": "Downloads",
    "knowledge_cutoff": "Knowledge cut-off",
    "license": "License",
    "license_note": "License (note)",
    "likes": "Likes",
    "model_type": "Type",
    "on_hub": "On the Hub",
    "params_b": "Parameters (B)",
    "params_card": "Parameters on the model card (B)",
    "params_exact": "Exact parameter count",
    "pipeline_tag": "Task",
    "release_date": "Release date",
    "submission_date": "Submitted to the leaderboard",
    "url": "Link",
}


def fact_label(field: str) -> str:
    """A readable name for a fact field (unknown fields: words from the key)."""
    return FACT_LABELS.get(field, field.replace("_", " ").capitalize())


# Labels of the model columns shown in tables and written to downloads.
COLUMN_LABELS = {
    "rank": "Rank",
    "page_url": "Model",
    "model_id": "Model",
    "hub_url": "Hub",
    "score": "Score",
    "params_b": "Params (B)",
    "params_confidence": "Size confidence",
    "license": "License",
    "license_category": "License category",
    "model_type": "Type",
    "org": "Organisation",
    "architecture": "Architecture",
    "pipeline_tag": "Task",
    "created_date": "Created on the Hub",
    "first_listed": "First listed",
    "precision": "Precision",
    "is_merged": "Merged",
    "is_flagged": "Flagged",
    "on_hub": "On the Hub",
}


# --------------------------------------------------------------------------- links


def hub_url(model_id: object) -> str | None:
    """The model's Hub page, only for ids that are real repo ids."""
    if isinstance(model_id, str) and _HUB_ID.match(model_id) and ".." not in model_id:
        return f"https://huggingface.co/{model_id}"
    return None


def page_url(model_id: str) -> str:
    """Relative link to the model page (works under any base path)."""
    return "model?id=" + quote(model_id, safe="/ ()'.,:_-")


def safe_url(url: object) -> str | None:
    """An http(s) URL fit for a link, or None."""
    if isinstance(url, str) and _SAFE_URL.match(url.strip()):
        return url.strip()
    return None


# --------------------------------------------------------------------------- boards


def score_columns(board: str) -> list[str]:
    """Benchmark keys shown as columns, in registry order."""
    return [b.key for b in leaderboard_def(board).benchmarks]


def board_day(as_of: dt.date | None, dates: list[dt.date]) -> dt.date | None:
    """The snapshot date whose board is the board as of ``as_of`` (None: the latest).

    Scores change only on snapshot dates, so every day maps onto the last snapshot on or
    before it; this keeps one cached board per snapshot instead of one per calendar day.
    """
    if as_of is None or not dates or as_of >= dates[-1]:
        return None
    earlier = [d for d in dates if d <= as_of]
    return earlier[-1] if earlier else as_of


def ranked_board(conn: Connection, board: str, as_of: dt.date | None, rank_key: str) -> pd.DataFrame:
    """The whole board on ``as_of`` (best variant per model), ranked by a benchmark or task group."""
    lb = leaderboard_def(board)
    entries = queries.board_entries(conn, board, as_of)
    members = group_members(board, rank_key)
    higher = True
    if group_name(rank_key) is not None:
        # Mean of the group's benchmarks; a model missing one of them is not ranked on the group.
        entries[rank_key] = entries[members].mean(axis=1, skipna=False) if not entries.empty else np.nan
    else:
        higher = lb.benchmark(rank_key).higher_is_better
    pks = entries["model_pk"].unique().tolist() if not entries.empty else []
    models = queries.models_frame(conn, pks)
    ranked = queries.rank_board(entries, models, rank_key, higher)
    if ranked.empty:
        ranked = pd.DataFrame(
            columns=["rank", "model_pk", "model_id", *score_columns(board), *queries.MODEL_COLUMNS[1:]]
        )
    ranked["score"] = ranked[rank_key] if rank_key in ranked.columns else np.nan
    listed = queries.first_listed(conn, board)
    ranked = ranked.merge(listed, on="model_pk", how="left")
    ranked["hub_url"] = ranked["model_id"].map(hub_url)
    ranked["page_url"] = ranked["model_id"].map(page_url)
    if board == LMARENA:
        from dashboard.arena import alias_links

        ranked = alias_links(conn, ranked)
    return ranked


def apply_filters(ranked: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """Filter a ranked board by the state's model filters and number the ranks again."""
    return filter_board(ranked, state.model_filter())


def filter_board(ranked: pd.DataFrame, flt: ModelFilter) -> pd.DataFrame:
    """Filter a ranked board by model filters and number the ranks again (``ranked`` is left as is)."""
    # A shallow copy is enough: with copy-on-write, setting "rank" never reaches ``ranked``.
    out = queries.filter_models(ranked, flt).copy(deep=False)
    out["rank"] = ranks_in_order(out["score"]) if "score" in out.columns else np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def filter_options(ranked: pd.DataFrame) -> dict[str, list[str]]:
    """Values present on the board for the free-text-ish filters (org, architecture, task)."""
    out = {}
    for column in ("org", "architecture", "pipeline_tag"):
        if column in ranked.columns and not ranked.empty:
            counts = ranked[column].dropna().astype(str).value_counts()
            out[column] = sorted(counts.index.tolist(), key=str.lower)
        else:
            out[column] = []
    return out


def table_columns(board: str, rank_key: str) -> list[str]:
    """Data keys of the leaderboard table, in display order.

    What a reader needs first comes first (on a phone it is all the first screen holds): rank,
    model, the score ranked by, size, license; then how sure the size is, the other benchmarks
    and the details.
    """
    first = "score" if group_name(rank_key) is not None else rank_key
    cols = ["rank", "page_url", first, "params_b", "license", "params_confidence"]
    cols += [c for c in score_columns(board) if c != first]
    cols += ["hub_url", "license_category"]
    if board != LMARENA:  # the Arena lists no type, architecture or Hub date
        cols += ["model_type", "org", "architecture", "created_date"]
    else:
        cols += ["org"]
    cols += ["first_listed"]
    return cols


def column_label(board: str, key: str, rank_key: str | None = None) -> str:
    if key == "score" and rank_key is not None:
        return rank_label(board, rank_key)
    bench = leaderboard_def(board).find(key)
    if bench is not None:
        return bench.display_name
    return COLUMN_LABELS.get(key, key.replace("_", " ").capitalize())


def display_frame(frame: pd.DataFrame, board: str, rank_key: str, *, for_download: bool = False) -> pd.DataFrame:
    """The leaderboard table with readable values; for downloads, with readable headers too."""
    cols = [c for c in table_columns(board, rank_key) if c in frame.columns]
    out = frame[cols].copy()
    if "license_category" in out:
        out["license_category"] = out["license_category"].map(LICENSE_LABELS).fillna("Unknown")
    if "model_type" in out:
        out["model_type"] = out["model_type"].map(TYPE_LABELS).fillna("Unknown")
    for col in ("created_date", "first_listed"):
        if col in out:
            out[col] = pd.to_datetime(out[col], errors="coerce")
    for col in ("license", "org", "architecture", "params_confidence"):
        if col in out:
            out[col] = out[col].astype(object).where(out[col].notna(), "")
    if not for_download and "hub_url" in out and out["hub_url"].isna().all():
        out = out.drop(columns="hub_url")  # the Arena's display names have no Hub page
    if for_download:
        out = out.drop(columns=["page_url", "hub_url"])
        out.insert(1, "model_id", frame["model_id"].to_numpy())
        out.insert(2, "hub_url", frame["hub_url"].to_numpy())
        for col in ("created_date", "first_listed"):
            if col in out:
                out[col] = out[col].dt.date
        out = out.rename(columns={c: column_label(board, c, rank_key) for c in out.columns})
        out = out.rename(columns={"Hub": "Hub page"})
    return out.reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that spreadsheets open safely: text cells starting with = + - @ are neutralised."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(_csv_safe)
    safe.columns = [_csv_safe(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


# --------------------------------------------------------------------------- sizes


def size_class(params_b: pd.Series) -> pd.Series:
    """The size-class key of each parameter count (``None`` when unknown)."""
    values = pd.to_numeric(params_b, errors="coerce")
    out = pd.Series([None] * len(values), index=values.index, dtype=object)
    for size in SIZE_CLASSES:
        low = -np.inf if size.low is None else size.low
        high = np.inf if size.high is None else size.high
        out[(values > low) & (values <= high)] = size.key
    return out


def class_sizes(frame: pd.DataFrame, include_doubtful: bool = False) -> pd.Series:
    """The size that decides each row's size class: a floor x counts as x+0.5 (inside [x, x+1));
    doubtful sizes count as unknown unless ``include_doubtful``."""
    _, _, middle = facts_rules.size_frame_bounds(
        frame["params_b"].to_numpy(), frame.get("params_confidence"), include_doubtful
    )
    middle.index = frame.index
    return middle


def pareto_frontier(frame: pd.DataFrame, x: str = "params_b", y: str = "score") -> pd.Series:
    """True for models on the frontier: no model of smaller or equal size scores higher."""
    if frame.empty:
        return pd.Series([], dtype=bool, index=frame.index)
    valid = frame[x].notna() & frame[y].notna()
    sub = frame.loc[valid, [x, y]]
    # The best score among all models of size <= p, for every size p present.
    best_at = sub.groupby(x)[y].max().sort_index().cummax()
    best = sub[x].map(best_at)
    on = pd.Series(False, index=frame.index)
    on.loc[sub.index] = sub[y].to_numpy() >= best.to_numpy()
    return on


def size_points(frame: pd.DataFrame, include_doubtful: bool = False) -> pd.DataFrame:
    """Models with a known size and score, with their frontier flag (smallest first).

    Sizes marked doubtful are left out unless ``include_doubtful``."""
    cols = ["model_id", "params_b", "score", "license_category", "model_type", "license", "org", "page_url"]
    pts = frame[[c for c in [*cols, "params_confidence"] if c in frame.columns]]
    pts = pts[pts["params_b"].notna() & pts["score"].notna() & (pts["params_b"] > 0)]
    if not include_doubtful and "params_confidence" in pts.columns:
        pts = pts[pts["params_confidence"].ne("doubtful")]
    pts = pts.copy()
    pts["on_frontier"] = pareto_frontier(pts)
    return pts.sort_values(["params_b", "score"], ascending=[True, False]).reset_index(drop=True)


def frontier_table(points: pd.DataFrame) -> pd.DataFrame:
    """The frontier models, smallest first, each with how much it gains over the previous one."""
    front = points[points["on_frontier"]].sort_values(["params_b", "score"]).copy()
    front["gain"] = front["score"].diff()
    return front.reset_index(drop=True)


# --------------------------------------------------------------------------- licenses


def license_mix_by_size(frame: pd.DataFrame) -> pd.DataFrame:
    """Count and share of each license category within each size class (unknown sizes apart)."""
    if frame.empty:
        return pd.DataFrame(columns=["size_class", "license_category", "models", "share"])
    sizes = size_class(class_sizes(frame)).fillna("unknown")
    counts = (
        pd.DataFrame({"size_class": sizes, "license_category": frame["license_category"].fillna("unknown")})
        .value_counts()
        .rename("models")
        .reset_index()
    )
    counts["share"] = counts["models"] / counts.groupby("size_class")["models"].transform("sum")
    order = {s.key: i for i, s in enumerate(SIZE_CLASSES)}
    counts["_o"] = counts["size_class"].map(order).fillna(len(order))
    return counts.sort_values(["_o", "license_category"]).drop(columns="_o").reset_index(drop=True)


def license_mix_over_time(frame: pd.DataFrame, freq: str = "Q") -> pd.DataFrame:
    """Models by Hub creation period and license category (models without a date are left out)."""
    created = pd.to_datetime(frame.get("created_date"), errors="coerce")
    sub = pd.DataFrame({"created": created, "license_category": frame.get("license_category")}).dropna(
        subset=["created"]
    )
    if sub.empty:
        return pd.DataFrame(columns=["period", "license_category", "models", "share"])
    sub["period"] = sub["created"].dt.to_period(freq).dt.start_time
    out = sub.groupby(["period", "license_category"]).size().rename("models").reset_index()
    out["share"] = out["models"] / out.groupby("period")["models"].transform("sum")
    return out.sort_values(["period", "license_category"]).reset_index(drop=True)


def permissive_share_top_n(ranked: pd.DataFrame, n: int) -> pd.DataFrame:
    """Per size class: of its top ``n`` models (by the board's rank), how many are permissive."""
    rows = []
    sizes = size_class(class_sizes(ranked)) if not ranked.empty else pd.Series(dtype=object)
    for size in SIZE_CLASSES:
        top = ranked[sizes == size.key].sort_values("rank").head(n) if not ranked.empty else ranked
        permissive = int((top["license_category"] == "permissive").sum()) if len(top) else 0
        rows.append(
            {
                "size_class": size.key,
                "models": len(top),
                "permissive": permissive,
                "share": permissive / len(top) if len(top) else np.nan,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- history


def board_history(
    conn: Connection, board: str, bench: str, *, include_doubtful: bool = False, include_flagged: bool = False
) -> tuple[list[dt.date], pd.DataFrame, pd.DataFrame]:
    """(snapshot dates, the #1 per date and size class, every model's rank on every date).

    Leaders: size_class ("all" or a size class), date, model_pk, model_id, value.
    Ranks: date, model_pk, model_id, rank, score, entries (as :func:`db.queries.rank_history`).
    Ties go to the id first alphabetically, as in the query layer; equal scores share a rank.
    Size classes use sizes that are not doubtful (a floor x counts as [x, x+1)) and flagged
    models take no reign, unless asked (as ``db tenure``). One pass over the scores,
    so the history page needs no further query when a visitor picks other models.
    """
    lb = leaderboard_def(board)
    bdef = lb.benchmark(bench)
    dates, values, models = queries.daily_values(conn, board, bench)
    lead_cols = ["size_class", "date", "model_pk", "model_id", "value"]
    rank_cols = ["date", "model_pk", "model_id", "rank", "score", "entries"]
    if values.empty:
        empty = pd.DataFrame(columns=lead_cols)
        empty.attrs["partial"] = sorted(queries.partial_dates(conn, board))
        return dates, empty, pd.DataFrame(columns=rank_cols)
    info = models.set_index("model_pk")
    alpha = info["repo_id"].str.lower().rank(method="first")
    values = values.assign(
        _alpha=values["model_pk"].map(alpha).to_numpy(),
        _primary=-values["value"] if bdef.higher_is_better else values["value"],
    )
    values = values.sort_values(["date_idx", "_primary", "_alpha"], kind="mergesort")
    # Best variant of each model on each date, ranked within the date.
    best = values.drop_duplicates(["date_idx", "model_pk"]).copy()
    best["rank"] = tie_ranks(best["value"], bdef.higher_is_better, best["date_idx"]).astype(int)
    best["entries"] = best.groupby("date_idx")["model_pk"].transform("size")
    best["size_class"] = size_class(best["model_pk"].map(class_sizes(info, include_doubtful))).to_numpy()
    best["date"] = [dates[i] for i in best["date_idx"]]
    best["model_id"] = best["model_pk"].map(info["repo_id"]).to_numpy()
    leading = best
    if not include_flagged:
        flagged = info["is_flagged"].fillna(False).astype(bool)
        leading = best[~best["model_pk"].map(flagged).fillna(False).to_numpy(dtype=bool)]
    frames = [leading.drop_duplicates("date_idx").assign(size_class="all")]
    sized = leading[leading["size_class"].notna()]
    frames.append(sized.drop_duplicates(["size_class", "date_idx"]))
    leaders = pd.concat(frames, ignore_index=True)[lead_cols]
    leaders = leaders.sort_values(["size_class", "date"]).reset_index(drop=True)
    leaders.attrs["partial"] = sorted(queries.partial_dates(conn, board))  # for the reign rule
    ranks = best.rename(columns={"value": "score"})[rank_cols].reset_index(drop=True)
    return dates, leaders, ranks


def ranks_of(ranks: pd.DataFrame, model_ids: list[str]) -> pd.DataFrame:
    """Rank history of the given models (ids ignoring case), in the order given."""
    if ranks.empty or not model_ids:
        return ranks.head(0)
    wanted = [m.lower() for m in model_ids]
    lower = ranks["model_id"].str.lower()
    out = ranks[lower.isin(wanted)].copy()
    out["_o"] = lower[out.index].map({m: i for i, m in enumerate(wanted)})
    return out.sort_values(["_o", "date"]).drop(columns="_o").reset_index(drop=True)


def reigns_from_leaders(
    leaders: pd.DataFrame, dates: list[dt.date], partial: Collection[dt.date] | None = None
) -> pd.DataFrame:
    """Reigns at #1 from the daily leaders of one group, by the rule of ``queries.tenure``
    (:func:`db.history.reigns`; ``partial``: the dates of partial snapshots, by default those
    :func:`board_history` put in ``leaders.attrs``).

    A reign ends on the first snapshot date where another model leads (or where the group
    has no leader); ``end`` is empty while it still leads at the last snapshot.
    """
    columns = ["model_id", "model_pk", "start", "end", "days", "value", "gap_days"]
    if leaders.empty or not dates:
        return pd.DataFrame(columns=columns)
    by_date = {row.date: row for row in leaders.itertuples(index=False)}
    partial = leaders.attrs.get("partial", ()) if partial is None else partial
    found = history.reigns(dates, by_date, identity=lambda leader: leader.model_pk, partial=partial)
    rows = [
        {
            "model_id": r["leader"].model_id,
            "model_pk": r["leader"].model_pk,
            "start": r["start"],
            "end": r["end"],
            "days": r["days"],
            "value": r["leader"].value,
            "gap_days": r["gap_days"],
        }
        for r in found
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["gap_days"] = pd.Series([r["gap_days"] for r in rows], dtype=object, index=frame.index)
    return frame


def reigns_by_class(
    leaders: pd.DataFrame, dates: list[dt.date], partial: Collection[dt.date] | None = None
) -> pd.DataFrame:
    """Reigns for "all" and every size class; adds ``size_class`` and ``still_leads``."""
    partial = leaders.attrs.get("partial", ()) if partial is None else partial
    frames = []
    for key in ["all", *[s.key for s in SIZE_CLASSES]]:
        group = leaders[leaders["size_class"] == key]
        reigns = reigns_from_leaders(group, dates, partial)
        if not reigns.empty:
            frames.append(reigns.assign(size_class=key))
    if not frames:
        return pd.DataFrame(columns=["size_class", "model_id", "model_pk", "start", "end", "days", "value", "gap_days"])
    out = pd.concat(frames, ignore_index=True)
    out["still_leads"] = out["end"].isna()
    return out


def longest_reigns(reigns: pd.DataFrame, limit: int = 15) -> pd.DataFrame:
    if reigns.empty:
        return reigns
    return reigns.sort_values(["days", "start"], ascending=[False, True]).head(limit).reset_index(drop=True)


# --------------------------------------------------------------------------- model page


def claims_vs_measured(model: dict, claims: pd.DataFrame) -> pd.DataFrame:
    """Each published claim next to what was measured, with both sources and the gap."""
    rows = []
    for claim in claims.itertuples(index=False):
        measured = model.get(claim.field) if claim.field in ("params_b",) else None
        measured_source = model.get("params_source") if claim.field == "params_b" else None
        # Judged against the measurement's uncertainty (a floor is [x, x+1); doubtful: cannot tell).
        size = facts_rules.Size(
            measured,
            measured_source,
            model.get("params_confidence") or facts_rules.classify(measured, measured_source),
        )
        verdict = facts_rules.judge_claim(claim.claimed_value, size) if measured else "not measured"
        rows.append(
            {
                "field": claim.field,
                "claim": claim.claim,
                "claimed": claim.claimed_value,
                "measured": measured,
                "unit": claim.unit,
                "verdict": verdict,
                "claim_source": claim.source,
                "measured_source": measured_source,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["field", "claim", "claimed", "measured", "unit", "verdict", "claim_source", "measured_source"],
    )


def model_fact_rows(model: dict) -> pd.DataFrame:
    """The model row's facts with where each came from (field label, value, source)."""
    items = [
        ("Parameters (B)", fmt.params(model.get("params_b"), None, ""), model.get("params_source")),
        ("Size confidence", model.get("params_confidence"), model.get("params_note")),
        ("License", model.get("license"), model.get("license_source")),
        (
            "License (inherited)",
            model.get("license_inherited") if not model.get("license") else None,
            f"base model {model.get('license_inherited_from')}" if model.get("license_inherited") else None,
        ),
        ("License category", LICENSE_LABELS.get(model.get("license_category") or "unknown"), None),
        ("Type", TYPE_LABELS.get(model.get("model_type") or "unknown"), model.get("board_facts_source")),
        ("Architecture", model.get("architecture"), model.get("board_facts_source")),
        ("Task", model.get("pipeline_tag"), None),
        ("Base model", model.get("base_model"), model.get("base_model_source")),
        ("Created on the Hub", _fmt(model.get("created_date")), model.get("created_source")),
        ("Likes", _fmt(model.get("likes")), None),
        ("Downloads", _fmt(model.get("downloads")), None),
        ("Merged", _yes(model.get("is_merged")), model.get("board_facts_source")),
        ("Mixture of experts", _yes(model.get("is_moe")), model.get("board_facts_source")),
        ("Flagged", _yes(model.get("is_flagged")), model.get("board_facts_source")),
        ("On the Hub", _yes(model.get("on_hub")), None),
    ]
    rows = [{"fact": f, "value": v, "source": source_label(s)} for f, v, s in items if v not in (None, "", "nan")]
    if model.get("params_is_estimate"):
        rows[0]["value"] = f"{rows[0]['value']} (estimate)"
    return pd.DataFrame(rows, columns=["fact", "value", "source"])


def source_label(source: object) -> str:
    """A source as people read it: board keys become board names, "hub" the Hub's."""
    if not isinstance(source, str) or not source:
        return ""
    if source == "hub":
        return "Hugging Face Hub"
    if source == "hub-configs":
        return "Hub configs and builds"
    for key in sorted(LEADERBOARD_KEYS, key=len, reverse=True):  # every registered board, longest key first
        if source == key or source.startswith(key + " "):
            return leaderboard_def(key).display_name + source[len(key) :]
    return source


def latest_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Per board and benchmark, the latest score of the model's best variant.

    Latest = the interval still open, else the one that ended last (the model left the board).
    """
    if scores.empty:
        return pd.DataFrame(columns=["leaderboard", "benchmark", "value", "since", "until"])
    frame = scores.copy()
    frame["_end"] = frame["valid_to"].fillna(dt.date.max)
    frame = frame.sort_values(["leaderboard", "benchmark", "_end", "value"], ascending=[True, True, False, False])
    latest = frame.drop_duplicates(["leaderboard", "benchmark"])
    return latest.rename(columns={"valid_from": "since", "valid_to": "until"})[
        ["leaderboard", "benchmark", "value", "since", "until"]
    ].reset_index(drop=True)


def score_history(scores: pd.DataFrame, board: str, bench: str) -> pd.DataFrame:
    """Step series of one benchmark on one board: date, value (best variant per interval)."""
    sub = scores[(scores["leaderboard"] == board) & (scores["benchmark"] == bench)]
    if sub.empty:
        return pd.DataFrame(columns=["date", "value"])
    points = []
    for row in sub.itertuples(index=False):
        points.append((row.valid_from, row.value))
        if row.valid_to is not None and not (isinstance(row.valid_to, float) and math.isnan(row.valid_to)):
            points.append((row.valid_to, np.nan))
    frame = pd.DataFrame(points, columns=["date", "value"]).sort_values("date")
    frame = frame.groupby("date", as_index=False)["value"].max()
    return frame


def model_boards(scores: pd.DataFrame) -> list[str]:
    """Boards the model has scores on with one provenance for all of them, in registry order
    (self-reported cards last; the eval-result boards have their own section)."""
    present = set(scores["leaderboard"]) if not scores.empty else set()
    return [b for b in BOARD_PROVENANCE if b in present]


# --------------------------------------------------------------------------- compare


def compare_frame(ranked: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Rows of ``ranked`` for the models in ``ids`` (case-insensitive), in the order given."""
    if ranked.empty or not ids:
        return ranked.head(0)
    lower = ranked["model_id"].str.lower()
    rows = []
    for model_id in ids:
        hit = ranked[lower == model_id.lower()]
        if not hit.empty:
            rows.append(hit.iloc[0])
    return pd.DataFrame(rows).reset_index(drop=True) if rows else ranked.head(0)


def compare_table(rows: pd.DataFrame, board: str) -> pd.DataFrame:
    """Facts and benchmarks (rows) by models (columns), as display text; the best score is marked."""
    if rows.empty:
        return pd.DataFrame()
    benches = leaderboard_def(board).benchmarks
    best = {}
    for b in benches:
        if b.key in rows.columns and rows[b.key].notna().any():
            best[b.key] = rows[b.key].max() if b.higher_is_better else rows[b.key].min()
    data: dict[str, dict[str, str]] = {}
    for row in rows.itertuples(index=False):
        col = {
            "Rank": f"#{row.rank}",
            "Params (B)": fmt.params(row.params_b, unit=""),
            "License": row.license if isinstance(row.license, str) and row.license else "unknown",
        }
        for b in benches:
            value = getattr(row, b.key, None)
            if value is None or pd.isna(value):
                col[b.display_name] = "-"
            else:
                text = f"{value:,.0f}" if b.scale in ("elo", "count") else f"{value:.2f}"
                col[b.display_name] = text + (" (best)" if len(rows) > 1 and value == best.get(b.key) else "")
        data[row.model_id] = col
    return pd.DataFrame(data)


def _fmt(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    return str(value)


def _yes(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return "yes" if bool(value) else "no"
