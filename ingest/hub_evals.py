"""Source ``hub-evals``: the Hugging Face Hub's own eval results, one dated snapshot per run.

extract: the official benchmark datasets (``HfApi.list_datasets(benchmark=True)``), each one's
leaderboard (``HfApi.get_dataset_leaderboard(id, base_model_only=False)``: by default the Hub
drops every repo that declares a ``base_model``, which is most small fine-tunes), and the eval
results of every tracked model (``GET /api/models/{id}?expand=evalResults``, the endpoint and
headers of ``HfApi.model_info(expand=["evalResults"])``).

The model-centric results are read with the library's own session (``get_session``,
``hf_raise_for_status``, ``build_hf_headers``; ``HF_ENDPOINT`` honoured) and parsed with its own
``parse_eval_result_entries``, one item at a time: ``ModelInfo`` parses the whole list when it
is built, so one malformed entry would lose every result of the model, and it drops the API's
``verified`` and ``pullRequest`` wrapper fields that name a result's provenance.

normalise: every result on an official benchmark dataset becomes a score of the ``hub-evals``
board (benchmark = the dataset id, variant = ``file:task``), with its provenance (``verified``,
``community`` for an open pull request, else ``self-reported``), its source, task and notes.
A malformed entry is rejected with its reason; the model's other results still go in.
Leaderboard entries of models whose results were not read this run are stored from the
leaderboard (variant = the result file).

load: one transaction: the benchmarks, the models, the snapshot of the run day (unchanged
values extend their interval) and the provenance beside it. A dead Hub fails the run before
anything is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from core.boards import HUB_EVALS, BenchmarkDef, task_of
from core.config import Settings
from db import provenance, writes
from db.records import BoardEntry, ModelFacts, Rejection
from db.registry import register_benchmarks
from db.schema import MODELS
from ingest.normalize import optional_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalScore:
    model: str
    variant: str
    benchmark: str
    value: float
    provenance: str
    task_id: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    notes: str | None = None
    date: str | None = None


@dataclass
class Harvest:
    """What one run read: scores, rejections (with the model they belong to) and figures."""

    scores: list[EvalScore] = field(default_factory=list)
    rejections: list[tuple[str, Rejection]] = field(default_factory=list)
    params: dict[str, float] = field(default_factory=dict)  # model (lower) -> billions, from a leaderboard
    skipped_not_official: int = 0
    models_read: int = 0
    models_missing: int = 0
    leaderboard_entries: int = 0
    read: set[str] = field(default_factory=set)  # models (lower) whose own results were read
    stopped_at: int | None = None  # the request budget ran out before this model


# --------------------------------------------------------------------------- normalise (pure)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def parse_model_results(repo_id: str, items: Sequence, official: dict[str, str], harvest: Harvest) -> None:
    """The ``evalResults`` items of one model -> scores; one bad item is one rejection."""
    from huggingface_hub import parse_eval_result_entries

    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(items, start=1):
        raw = repr(item)[:4000]
        if not isinstance(item, dict):
            harvest.rejections.append(
                (repo_id, Rejection(number, f"{repo_id}: eval result #{number} is not an object", raw))
            )
            continue
        if "error" in item:
            reason = (
                f"{repo_id}: {item.get('filename') or 'eval results file'} failed the Hub's validation: {item['error']}"
            )
            harvest.rejections.append((repo_id, Rejection(number, reason[:500], raw)))
            continue
        try:
            (entry,) = parse_eval_result_entries([item])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            reason = f"{repo_id}: {item.get('filename') or 'eval result'} #{number} is malformed ({what})"
            harvest.rejections.append((repo_id, Rejection(number, reason[:500], raw)))
            continue
        value = _number(entry.value)
        if value is None:
            reason = f"{repo_id}: {entry.dataset_id} value {entry.value!r} is not a finite number"
            harvest.rejections.append((repo_id, Rejection(number, reason[:500], raw)))
            continue
        if not isinstance(entry.dataset_id, str) or not isinstance(entry.task_id, (str, int, float)):
            harvest.rejections.append((repo_id, Rejection(number, f"{repo_id}: dataset or task id is not text", raw)))
            continue
        bench = official.get(entry.dataset_id.lower())
        if bench is None:
            harvest.skipped_not_official += 1
            continue
        filename = str(item.get("filename") or "")
        variant = f"{filename.removeprefix('.eval_results/')}:{entry.task_id}"[:300]
        if (bench, variant) in seen:
            harvest.rejections.append(
                (repo_id, Rejection(number, f"{repo_id}: {bench} {variant} listed twice: the first kept", raw))
            )
            continue
        seen.add((bench, variant))
        harvest.scores.append(
            EvalScore(
                model=repo_id,
                variant=variant,
                benchmark=bench,
                value=value,
                provenance=provenance.hub_provenance(item.get("verified"), item.get("pullRequest")),
                task_id=str(entry.task_id),
                source_name=entry.source_name,
                source_url=entry.source_url,
                notes=entry.notes,
                date=entry.date,
            )
        )


def parse_leaderboard(bench: str, entries: Sequence, read: set[str], harvest: Harvest) -> None:
    """Leaderboard entries of models not read this run -> scores (variant = the result file)."""
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        harvest.leaderboard_entries += 1
        model = getattr(entry, "model_id", None)
        if not isinstance(model, str) or "/" not in model:
            continue
        params = _number(getattr(entry, "num_parameters", None))
        if params is not None and params > 0:
            harvest.params.setdefault(model.lower(), params / 1e9)
        if model.lower() in read:
            continue  # the model's own results (with their tasks) are stored instead
        value = _number(entry.value)
        if value is None:
            reason = f"{model}: {bench} leaderboard value {entry.value!r} is not a finite number"
            harvest.rejections.append((model, Rejection(getattr(entry, "rank", None), reason)))
            continue
        variant = str(entry.filename or "").removeprefix(".eval_results/")[:300]
        if (model.lower(), variant) in seen:
            continue
        seen.add((model.lower(), variant))
        source = entry.source or {}
        harvest.scores.append(
            EvalScore(
                model=model,
                variant=variant,
                benchmark=bench,
                value=value,
                provenance=provenance.hub_provenance(entry.verified, entry.pull_request),
                source_name=source.get("name") if isinstance(source, dict) else None,
                source_url=source.get("url") if isinstance(source, dict) else None,
                notes=entry.notes,
            )
        )


def benchmark_defs(official: Sequence[str]) -> list[BenchmarkDef]:
    return [
        BenchmarkDef(
            bench,
            bench.split("/")[-1],
            task_of(bench),
            f"Eval results on the Hub's benchmark dataset {bench}, as each source reports them (its own scale)",
            scale="reported",
            min_value=None,
            max_value=None,
        )
        for bench in official
    ]


# --------------------------------------------------------------------------- extract


def tracked_models(engine: Engine, settings: Settings) -> list[str]:
    """Every model the tracker follows on the Hub (checked and found there), plus the watchlist."""
    with engine.connect() as conn:
        ids = [
            r.repo_id
            for r in conn.execute(
                select(MODELS.c.repo_id)
                .where(MODELS.c.on_hub.is_(True), MODELS.c.hub_checked_at.is_not(None))
                .order_by(MODELS.c.repo_id_lower)
            )
        ]
    known = {i.lower() for i in ids}
    return ids + [w for w in settings.watchlist if w.lower() not in known]


def hub_headers(api) -> dict[str, str]:
    """The headers ``HfApi`` sends (user agent, the token where there is one)."""
    from huggingface_hub.utils import build_hf_headers

    return build_hf_headers(token=api.token, library_name=api.library_name, library_version=api.library_version)


def fetch_eval_results(api, repo_id: str, headers: dict[str, str] | None = None) -> list | None:
    """The raw ``evalResults`` of a model (``None`` when the repo is not on the Hub)."""
    from huggingface_hub.errors import RepositoryNotFoundError
    from huggingface_hub.utils import get_session, hf_raise_for_status

    response = get_session().get(
        f"{api.endpoint}/api/models/{repo_id}",
        headers=headers if headers is not None else hub_headers(api),
        params={"expand": ["evalResults"]},
    )
    try:
        hf_raise_for_status(response)
    except RepositoryNotFoundError:
        return None
    body = response.json()
    items = body.get("evalResults") if isinstance(body, dict) else None
    return items if isinstance(items, list) else []


def harvest_hub(api, repo_ids: Sequence[str]) -> tuple[list[str], Harvest]:
    """Read the official benchmarks, their leaderboards and the models' results (no writes).

    The leaderboards are read first; when the run's request budget runs out among the models,
    reading stops there (``harvest.stopped_at``) and the models not read keep their scores.
    """
    from ingest.http import BudgetExhausted

    official = sorted({d.id for d in api.list_datasets(benchmark=True)}, key=str.lower)
    by_lower = {b.lower(): b for b in official}
    harvest = Harvest()
    boards = {bench: api.get_dataset_leaderboard(bench, base_model_only=False) for bench in official}
    headers = hub_headers(api)
    for position, repo_id in enumerate(repo_ids):
        try:
            items = fetch_eval_results(api, repo_id, headers)
        except BudgetExhausted:
            if position == 0:
                raise
            harvest.stopped_at = position
            log.warning("hub-evals: request budget used up after %d of %d models", position, len(repo_ids))
            break
        if items is None:
            harvest.models_missing += 1
            continue
        harvest.models_read += 1
        harvest.read.add(repo_id.lower())
        parse_model_results(repo_id, items, by_lower, harvest)
    for bench, entries in boards.items():
        parse_leaderboard(bench, entries, harvest.read, harvest)
    return official, harvest


# --------------------------------------------------------------------------- load


def run_hub_evals(
    api, engine: Engine, settings: Settings, budget=None, *, models: Sequence[str] | None = None, day: dt.date
) -> tuple[str, dict]:
    """One run: read everything, then write one snapshot in one transaction; raises on failure."""
    repo_ids = list(models) if models else tracked_models(engine, settings)
    run_id = writes.start_run(engine, HUB_EVALS, {"models": len(repo_ids), "snapshot_date": day.isoformat()})
    try:
        official, harvest = harvest_hub(api, repo_ids)
        refreshed = None if not models else repo_ids
        if harvest.stopped_at is not None:  # the models not read keep their current scores
            refreshed = repo_ids[: harvest.stopped_at]
        detail = _load(engine, run_id, official, harvest, day, refreshed=refreshed)
        if harvest.stopped_at is not None:
            detail["stopped_by_budget_after"] = harvest.stopped_at
    except BaseException as exc:
        from ingest.contents import _one_line

        writes.finish_run(engine, run_id, "failed", error=_one_line(exc))
        raise
    writes.finish_run(
        engine,
        run_id,
        "succeeded",
        rows_read=len(harvest.scores) + len(harvest.rejections),
        rows_written=detail["rows_written"],
        rows_rejected=len(harvest.rejections),
        detail=detail,
    )
    return "succeeded", detail


def _load(engine: Engine, run_id: int, official, harvest: Harvest, day: dt.date, refreshed) -> dict:
    with engine.begin() as conn:
        writes.begin_write(conn)
        register_benchmarks(conn, HUB_EVALS, benchmark_defs(official))
        scores = list(harvest.scores)
        carried = []
        if refreshed is not None:
            # A run over some models keeps every other model's current scores as they are.
            fresh = {m.lower() for m in refreshed} | {s.model.lower() for s in scores}
            carried = [row for row in writes.open_board_scores(conn, HUB_EVALS) if row[0].lower() not in fresh]
        facts: dict[str, ModelFacts] = {}
        for s in scores:
            key = s.model.lower()
            if key not in facts:
                params = harvest.params.get(key)
                facts[key] = ModelFacts(
                    repo_id=s.model,
                    params_b=round(params, 3) if params else None,
                    params_source="hub: leaderboard num_parameters" if params else None,
                )
        for repo_id, *_ in carried:
            facts.setdefault(repo_id.lower(), ModelFacts(repo_id=repo_id))
        index, inserted, updated = writes.upsert_models(
            conn, list(facts.values()), source=HUB_EVALS, as_of=day, board=False
        )
        entries: dict[tuple[str, str], BoardEntry] = {}
        for s in scores:
            key = (s.model.lower(), s.variant)
            entry = entries.setdefault(key, BoardEntry(facts=facts[s.model.lower()], variant=s.variant))
            entry.scores[s.benchmark] = s.value
        for repo_id, variant, precision, revision, bench, value in carried:
            key = (repo_id.lower(), variant)
            entry = entries.setdefault(
                key,
                BoardEntry(facts=facts[repo_id.lower()], variant=variant, precision=precision, revision=revision),
            )
            entry.scores[bench] = value
        stats = writes.apply_snapshot(
            conn,
            HUB_EVALS,
            day,
            list(entries.values()),
            model_index=index,
            run_id=run_id,
            source_file="hub eval results",
            sha256=None,
        )
        prov_written = provenance.upsert(
            conn,
            HUB_EVALS,
            [
                provenance.Provenance(
                    model=s.model.lower(),
                    variant=s.variant,
                    benchmark=s.benchmark,
                    provenance=s.provenance,
                    source_name=s.source_name,
                    source_url=s.source_url,
                    run_date=optional_date(s.date),
                    task_id=s.task_id,
                    notes=s.notes,
                )
                for s in scores
            ],
            index,
            day,
        )
        for model, rejection in harvest.rejections:
            writes.record_rejections(conn, run_id, model, [rejection])
    return {
        "benchmarks": len(official),
        "models_read": harvest.models_read,
        "models_missing": harvest.models_missing,
        "scores": len(scores),
        "carried_over": len(carried),
        "leaderboard_entries": harvest.leaderboard_entries,
        "not_official": harvest.skipped_not_official,
        "rejected": len(harvest.rejections),
        "snapshot_date": day.isoformat(),
        "rows_written": stats.rows_written + inserted + updated + prov_written,
    }


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run hub-evals`` (``core.boards.LIVE``)."""
    return run_hub_evals(ctx.api, ctx.engine, ctx.settings, ctx.budget, models=ctx.model_ids, day=ctx.day)
