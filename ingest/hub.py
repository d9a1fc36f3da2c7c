"""Source ``hub``: model metadata from the Hugging Face Hub (extract -> normalise -> load).

The universe of one run: the top N most downloaded text-generation models up to
``hub_max_params_b`` (one paged ``list_models`` call with ``expand``), every model on the
watchlist and in the seed, and models on the imported leaderboards (least recently checked
first, bounded by ``hub_leaderboard_budget``), each with one ``model_info`` call.

Nothing is written while the Hub is read: records are staged in a temporary file (memory does
not grow with the number of pages) and written at the end in ONE transaction, so a failed or
interrupted run leaves the previous data exactly as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from core.boards import LISTING_BOARDS, MODEL_CARD
from core.config import SEED_DIR, Settings
from core.errors import HubError
from db import queries, writes
from db.records import BoardEntry, ModelFacts, SnapshotStats
from ingest.http import BudgetExhausted, RunBudget
from ingest.normalize import BadValue, license_category, normalize_license, parse_hub_id
from ingest.sizes import params_from_name

log = logging.getLogger(__name__)

SOURCE = "hub"
EXPAND = [
    "safetensors",
    "cardData",
    "config",
    "createdAt",
    "lastModified",
    "downloads",
    "likes",
    "gated",
    "tags",
    "baseModels",
    "sha",
    "pipeline_tag",
]
# Repos created before the Hub stored creation dates all carry this date: it means "unknown".
_CREATED_FLOOR = dt.date(2022, 3, 2)
_BATCH = 1000


# --------------------------------------------------------------------------- extract + normalise


@dataclass
class HubRecord:
    """What the Hub said about one requested id."""

    requested: str
    repo_id: str
    status: str  # ok, not_found, unauthorized, gated, disabled
    sha: str | None = None
    facts: ModelFacts | None = None
    card_scores: dict[str, float] = field(default_factory=dict)
    base_for_params: str | None = None  # a quantised repo whose size should come from its base

    @property
    def on_hub(self) -> bool:
        return self.status == "ok"

    @property
    def renamed(self) -> bool:
        return self.requested.lower() != self.repo_id.lower()

    def to_json(self) -> str:
        # Field by field: dataclasses.asdict deep-copies every value (a quarter of a 10,000-model run).
        data = {name: getattr(self, name) for name in _RECORD_FIELDS}
        if self.facts is not None:
            facts = {name: getattr(self.facts, name) for name in _FACT_FIELDS}
            if self.facts.created_date is not None:
                facts["created_date"] = self.facts.created_date.isoformat()
            data["facts"] = facts
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> HubRecord:
        data = json.loads(text)
        facts = data.pop("facts")
        if facts is not None:
            if facts.get("created_date"):
                facts["created_date"] = dt.date.fromisoformat(facts["created_date"])
            facts = ModelFacts(**facts)
        return cls(facts=facts, **data)


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(HubRecord))
_FACT_FIELDS = tuple(f.name for f in dataclasses.fields(ModelFacts))


def _first(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    text = str(value).strip() if value is not None else ""
    return text or None


def _card_value(info, key: str):
    """One card field; reads the CardData object in place (``to_dict()`` deep-copies the card)."""
    card = getattr(info, "card_data", None)
    if card is None:
        return None
    return card.get(key)


def license_of(info) -> str | None:
    """The card's ``license``, else the ``license:`` tag; normalised to a Hub license id."""
    raw = _first(_card_value(info, "license"))
    if raw is None:
        raw = next((t.split(":", 1)[1] for t in info.tags or [] if t.startswith("license:")), None)
    return resolve_other_license(
        normalize_license(raw), _first(_card_value(info, "license_name")), _first(_card_value(info, "license_link"))
    )


def resolve_other_license(license_id: str | None, name: str | None, link: str | None) -> str | None:
    """A Hub ``other`` license named by the card's ``license_name`` (the Hub's own convention:
    "if license = other, specify an id for it here"); a link alone names no terms we can read,
    so the license stays ``other``."""
    if license_id != "other" or not name:
        return license_id
    return normalize_license(name) or license_id


def base_model_of(info) -> tuple[str | None, str | None]:
    """(base model id, relation) from the card, the ``base_model:`` tags or ``baseModels``."""
    relation = None
    base_models = getattr(info, "base_models", None)
    if isinstance(base_models, dict):
        relation = base_models.get("relation")
    for tag in info.tags or []:
        if tag.startswith("base_model:"):
            rest = tag.removeprefix("base_model:")
            kind, _, target = rest.partition(":")
            if target and kind in ("finetune", "quantized", "adapter", "merge"):
                relation = relation or kind
    candidates = [_first(_card_value(info, "base_model"))]
    candidates += [t.removeprefix("base_model:") for t in info.tags or [] if t.startswith("base_model:")]
    if isinstance(base_models, dict):
        candidates += [m.get("id") for m in base_models.get("models") or [] if isinstance(m, dict)]
    for candidate in candidates:
        if not candidate or ":" in candidate:
            continue
        try:
            base = parse_hub_id(candidate, "base_model")
        except BadValue:
            continue
        if base.lower() != info.id.lower():
            return base, relation
    return None, relation


_PACKED_TAGS = {"gptq", "awq", "4-bit", "8-bit", "bitsandbytes", "exl2"}


def params_of(
    info, base_model: tuple[str | None, str | None] | None = None
) -> tuple[float | None, str | None, bool, str | None]:
    """(params in billions, source, is estimate, base model to take the size from).

    ``base_model`` is ``base_model_of(info)`` when the caller has it already.

    ``safetensors.total`` counts stored tensors, which for 4-bit/8-bit GPTQ/AWQ/bitsandbytes
    repos are packed integers: those are corrected from ``quantization_config`` (bits per
    packed value) and flagged so the writer can prefer the base model's own count.
    """
    config = info.config or {}
    quant = config.get("quantization_config") or {}
    base, relation = base_model if base_model is not None else base_model_of(info)
    tags = {t.lower() for t in info.tags or []}
    quantized = bool(quant) or relation == "quantized" or bool(tags & _PACKED_TAGS)
    st = info.safetensors
    if st is not None and st.total:
        if not quantized:
            return st.total / 1e9, "safetensors", False, None
        corrected = _unpacked_total(st.parameters or {}, quant)
        if corrected is not None and corrected != st.total:
            return corrected / 1e9, "hub: config (quantization_config, unpacked)", True, base
        if corrected == st.total:
            # Nothing packed (e.g. fp8): the stored count is the real one.
            return st.total / 1e9, "safetensors", False, None
    estimate = params_from_name(info.id)
    if estimate is not None:
        return estimate, "name (estimate)", True, base if quantized else None
    return None, None, False, base if quantized else None


def _unpacked_total(parameters: dict[str, int], quant: dict) -> int | None:
    """The real count of a quantised checkpoint, or ``None`` when packed values cannot be counted."""
    if not parameters:
        return None
    method = str(quant.get("quant_method") or "").lower()
    bits = quant.get("bits") or quant.get("w_bit")
    if quant.get("load_in_4bit"):
        bits, method = 4, "bitsandbytes"
    elif quant.get("load_in_8bit"):
        bits, method = 8, "bitsandbytes"
    packed_dtype = "U8" if method == "bitsandbytes" else "I32"
    if packed_dtype not in parameters:
        return sum(parameters.values())  # nothing packed (fp8, compressed floats): the count is real
    try:
        factor = (8 if packed_dtype == "U8" else 32) // int(bits)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if factor <= 1:
        return sum(parameters.values())
    return sum(v for k, v in parameters.items() if k != packed_dtype) + parameters[packed_dtype] * factor


# Model-card results (model-index) -> the model-card board's benchmark keys.
_CARD_BENCHMARKS = (
    ("arc", re.compile(r"ai2_arc|arc[-_ ]challenge|reasoning challenge|\barc\b")),
    ("hellaswag", re.compile(r"hellaswag")),
    ("truthfulqa", re.compile(r"truthful")),
    ("winogrande", re.compile(r"winogrande")),
    ("gsm8k", re.compile(r"gsm8k")),
    ("drop", re.compile(r"\bdrop\b")),
    ("mmlu", re.compile(r"(?<![a-z])mmlu(?![-_ ]?pro)|hendrycks")),
)
_V1_SIX = ("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k")


def card_scores(info) -> dict[str, float]:
    """The card's ``model-index`` results on the v1-era benchmarks, in percent."""
    card = getattr(info, "card_data", None)
    results = getattr(card, "eval_results", None) or []
    scores: dict[str, float] = {}
    for result in results:
        text = f"{result.dataset_type or ''} {result.dataset_name or ''}".lower()
        value = result.metric_value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        value = float(value)
        if 0.0 <= value <= 1.0:
            value *= 100.0  # some cards report fractions
        if not 0.0 <= value <= 100.0:
            continue
        for key, pattern in _CARD_BENCHMARKS:
            if pattern.search(text):
                scores.setdefault(key, round(value, 6))
                break
    if all(k in scores for k in _V1_SIX):
        scores["average"] = round(sum(scores[k] for k in _V1_SIX) / len(_V1_SIX), 6)
    return scores


def record_from_info(info, requested: str | None = None) -> HubRecord:
    """Normalise one ``ModelInfo`` (from ``list_models`` or ``model_info``)."""
    base_model = base_model_of(info)  # read once: it walks the card and the tags
    params_b, params_source, estimate, base_for_params = params_of(info, base_model)
    lic = license_of(info)
    base = base_model[0]
    created = info.created_at.date() if getattr(info, "created_at", None) else None
    if created is not None and created <= _CREATED_FLOOR:
        created = None
    gated = info.gated
    architectures = (info.config or {}).get("architectures") or []
    facts = ModelFacts(
        repo_id=info.id,
        params_b=round(params_b, 9) if params_b is not None else None,
        params_source=params_source,
        params_is_estimate=estimate,
        license=lic,
        license_category=license_category(lic),
        architecture=str(architectures[0])[:200] if architectures else None,
        pipeline_tag=info.pipeline_tag,
        base_model=base,
        created_date=created,
        downloads=info.downloads,
        likes=info.likes,
        gated=None if gated is None else ("no" if gated is False else str(gated)[:20]),
        on_hub=True,
    )
    return HubRecord(
        requested=requested or info.id,
        repo_id=info.id,
        status="ok",
        sha=getattr(info, "sha", None),
        facts=facts,
        card_scores=card_scores(info),
        base_for_params=base_for_params,
    )


def missing_record(requested: str, exc: Exception) -> HubRecord | None:
    """A record for a repo the Hub refuses (404/401/403/disabled), or ``None`` for other errors."""
    from huggingface_hub.errors import DisabledRepoError, GatedRepoError, RepositoryNotFoundError

    status_code = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, GatedRepoError):
        status = "gated"
    elif isinstance(exc, RepositoryNotFoundError):
        status = "unauthorized" if status_code == 401 else "not_found"
    elif isinstance(exc, DisabledRepoError):
        status = "disabled"
    elif status_code == 403:
        status = "gated"
    else:
        return None
    return HubRecord(requested=requested, repo_id=requested, status=status)


# --------------------------------------------------------------------------- staging


class Stage:
    """Records of one run in a temporary JSON-lines file (memory stays flat)."""

    def __init__(self, directory: Path | None = None) -> None:
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=directory, prefix="hub-stage-")
        self.count = 0

    def add(self, record: HubRecord) -> None:
        self._file.write(record.to_json() + "\n")
        self.count += 1

    def batches(self, size: int = _BATCH) -> Iterator[list[HubRecord]]:
        self._file.flush()
        self._file.seek(0)
        batch: list[HubRecord] = []
        for line in self._file:
            batch.append(HubRecord.from_json(line))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def close(self) -> None:
        self._file.close()


# --------------------------------------------------------------------------- collect


@dataclass
class HubStats:
    listed: int = 0
    fetched: int = 0
    missing: int = 0
    renamed: int = 0
    skipped_large: int = 0
    errors: int = 0
    budget_note: str | None = None
    pending_bases: dict[str, str] = field(default_factory=dict)  # model id -> base id
    base_sizes: dict[str, tuple[float, str]] = field(default_factory=dict)  # model id -> (params_b, base id)

    def detail(self) -> dict:
        return {
            "listed": self.listed,
            "fetched": self.fetched,
            "missing": self.missing,
            "renamed": self.renamed,
            "skipped_over_size": self.skipped_large,
            "errors": self.errors,
            **({"note": self.budget_note} if self.budget_note else {}),
        }


def seed_model_ids(seed_dir: Path = SEED_DIR) -> list[str]:
    """The seed models (those with seed facts in ``data/seed/models.csv``)."""
    import csv

    path = seed_dir / "models.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(dict.fromkeys(row["repo_id"] for row in csv.DictReader(handle)))


def plan_ids(engine: Engine, settings: Settings) -> list[str]:
    """Watchlist, seed models, then leaderboard models (bounded): ids that need ``model_info``."""
    ids = list(settings.watchlist) + seed_model_ids()
    with engine.connect() as conn:
        # Hub repos that board names are aliased to come first within the boards' budget:
        # their facts are what the aliased board models show.
        from db.aliases import alias_hub_ids

        aliased = alias_hub_ids(conn)[: settings.hub_leaderboard_budget]
        ids += aliased
        ids += queries.hub_check_candidates(conn, LISTING_BOARDS, settings.hub_leaderboard_budget - len(aliased))
    return list(dict.fromkeys(ids))


def _bar(progress: bool, total: int | None, desc: str):
    if not progress:
        return None
    import sys

    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="model", file=sys.stderr, leave=False)


def collect(
    api,
    settings: Settings,
    budget: RunBudget,
    stage: Stage,
    *,
    top_n: int,
    ids: Iterable[str],
    progress: bool,
) -> HubStats:
    """Read the Hub into ``stage``. Raises :class:`HubError` when the Hub cannot be read."""
    from huggingface_hub.errors import HfHubHTTPError

    stats = HubStats()
    seen: set[str] = set()
    max_params = settings.hub_max_params_b
    try:
        if top_n > 0:
            bar = _bar(progress, top_n, "hub: top models")
            listing = api.list_models(
                pipeline_tag="text-generation",
                sort="downloads",
                num_parameters=f"min:0,max:{max_params:g}B",
                limit=top_n,
                expand=EXPAND,
            )
            for info in listing:
                record = record_from_info(info)
                if bar is not None:
                    bar.update(1)
                stats.listed += 1
                facts = record.facts
                if (
                    facts
                    and facts.params_b is not None
                    and not facts.params_is_estimate
                    and facts.params_b > max_params
                ):
                    stats.skipped_large += 1
                    continue
                _keep(record, stage, stats, seen)
            if bar is not None:
                bar.close()
        todo = [i for i in ids if i.lower() not in seen]
        bar = _bar(progress, len(todo), "hub: model_info")
        failures_in_a_row = 0
        for repo_id in todo:
            if repo_id.lower() in seen:
                continue
            try:
                info = api.model_info(repo_id, expand=EXPAND)
            except HfHubHTTPError as exc:
                record = missing_record(repo_id, exc)
                if record is None:
                    stats.errors += 1
                    failures_in_a_row += 1
                    log.warning("hub: %s: %s", repo_id, str(exc).splitlines()[0][:200])
                    if failures_in_a_row >= 5:
                        raise HubError(
                            f"hub: {failures_in_a_row} model requests in a row failed; last: {exc}"
                        ) from None
                    continue
                stats.missing += 1
                log.info("hub: %s is %s", repo_id, record.status.replace("_", " "))
                stage.add(record)
                seen.add(repo_id.lower())
            else:
                _keep(record_from_info(info, requested=repo_id), stage, stats, seen)
                stats.fetched += 1
            failures_in_a_row = 0
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        _resolve_bases(api, stats)
    except BudgetExhausted as exc:
        # A planned cap, not a failure: what was read is written, the rest waits for the next run.
        stats.budget_note = str(exc)
        log.warning("hub: %s; writing the %d models read so far", exc, stage.count)
    return stats


def _keep(record: HubRecord, stage: Stage, stats: HubStats, seen: set[str]) -> None:
    if record.renamed:
        stats.renamed += 1
        log.info("hub: %s was renamed to %s", record.requested, record.repo_id)
    if record.base_for_params:
        stats.pending_bases[record.repo_id] = record.base_for_params
    stage.add(record)
    seen.add(record.requested.lower())
    seen.add(record.repo_id.lower())


def _resolve_bases(api, stats: HubStats) -> None:
    """Read the size of each quantised repo's base model (one request per distinct base)."""
    from huggingface_hub.errors import HfHubHTTPError

    sizes: dict[str, float | None] = {}
    for base in sorted(set(stats.pending_bases.values())):
        try:
            info = api.model_info(base, expand=["safetensors", "config", "tags", "cardData", "baseModels"])
        except HfHubHTTPError as exc:
            log.info("hub: base model %s not readable: %s", base, str(exc).splitlines()[0][:120])
            sizes[base] = None
            continue
        params_b, source, estimate, _ = params_of(info)
        sizes[base] = params_b if params_b is not None and not estimate and source == "safetensors" else None
    stats.base_sizes = {
        model: (size, base) for model, base in stats.pending_bases.items() if (size := sizes.get(base)) is not None
    }


# --------------------------------------------------------------------------- load


@dataclass
class WriteStats:
    inserted: int = 0
    updated: int = 0
    statuses: int = 0
    aliases: int = 0
    card: SnapshotStats | None = None

    @property
    def rows_written(self) -> int:
        return (
            self.inserted + self.updated + self.statuses + self.aliases + (self.card.rows_written if self.card else 0)
        )


def write(engine: Engine, stage: Stage, stats: HubStats, day: dt.date, run_id: int) -> WriteStats:
    """Write the staged records in ONE transaction (all or nothing)."""
    out = WriteStats()
    card_entries: list[BoardEntry] = []
    covered: set[str] = set()
    with engine.begin() as conn:
        index = writes.load_model_index(conn)
        for batch in stage.batches():
            for record in batch:
                if record.on_hub and record.renamed:
                    # Moves a known old row to the new id; when neither is known the alias follows the insert.
                    writes.rename_model(conn, record.requested, record.repo_id, index, "renamed on the Hub")
            ok = [r for r in batch if r.on_hub and r.facts is not None]
            index, inserted, updated = writes.upsert_models(
                conn, [r.facts for r in ok], source=SOURCE, as_of=None, board=False, index=index
            )
            out.inserted += inserted
            out.updated += updated
            status_rows = []
            for record in batch:
                key = record.repo_id.lower()
                if record.on_hub and record.renamed and record.requested.lower() not in index:
                    writes.add_alias(conn, index[key], record.requested, "renamed on the Hub")
                    index[record.requested.lower()] = index[key]
                if record.on_hub and record.renamed:
                    out.aliases += 1
                model_id = index.get(key)
                if model_id is None:
                    log.debug("hub: %s (%s) is not in the database: nothing to mark", record.requested, record.status)
                    continue
                status_rows.append(
                    {"model_id": model_id, "hub_status": record.status, "on_hub": record.on_hub, "hub_sha": record.sha}
                )
                if record.on_hub:
                    covered.add(key)
                    if record.card_scores:
                        card_entries.append(
                            BoardEntry(facts=ModelFacts(repo_id=record.repo_id), scores=dict(record.card_scores))
                        )
            writes.set_hub_status(conn, status_rows)
            out.statuses += len(status_rows)
        # Quantised repos: the base model's own count beats the unpacked estimate.
        base_facts = [
            ModelFacts(repo_id=model, params_b=value, params_source=f"hub: base model {base}")
            for model, (value, base) in stats.base_sizes.items()
        ]
        if base_facts:
            index, _, updated = writes.upsert_models(
                conn, base_facts, source=SOURCE, as_of=None, board=False, index=index
            )
            out.updated += updated
        out.card = _write_model_cards(conn, card_entries, covered, index, day, run_id)
    return out


def _write_model_cards(conn, entries: list[BoardEntry], covered: set[str], index, day: dt.date, run_id: int):
    """Self-reported scores as the ``model-card`` board on ``day``; models not read today carry over."""
    carried: dict[tuple[str, str], BoardEntry] = {}
    open_rows = writes.open_board_scores(conn, MODEL_CARD)
    for repo_id, variant, precision, revision, bench, value in open_rows:
        if repo_id.lower() in covered:
            continue
        entry = carried.setdefault(
            (repo_id.lower(), variant),
            BoardEntry(facts=ModelFacts(repo_id=repo_id), variant=variant, precision=precision, revision=revision),
        )
        entry.scores[bench] = value
    if not entries and not open_rows:
        return None  # nothing self-reported, before or now: no empty snapshot
    return writes.apply_snapshot(
        conn,
        MODEL_CARD,
        day,
        entries + list(carried.values()),
        model_index=index,
        run_id=run_id,
        source_file="model cards (model-index) on the Hub",
        sha256=None,
    )


def run_hub(
    api,
    engine: Engine,
    settings: Settings,
    budget: RunBudget,
    *,
    models: list[str] | None,
    limit: int | None,
    day: dt.date,
    progress: bool,
    on_run: Callable[[int], None] | None = None,
) -> tuple[str, dict]:
    """Run the ``hub`` source as one recorded run; returns (status, detail). Raises on failure."""
    if models:
        top_n, ids = 0, list(dict.fromkeys(models))
    else:
        top_n = limit if limit is not None else settings.hub_top_n
        ids = plan_ids(engine, settings)
    run_id = writes.start_run(engine, SOURCE, {"top_n": top_n, "ids": len(ids)})
    if on_run:
        on_run(run_id)
    stage = Stage(settings.cache_dir)
    try:
        stats = collect(api, settings, budget, stage, top_n=top_n, ids=ids, progress=progress)
        rss_read = _peak_rss_mib()
        if stage.count == 0 and stats.errors:
            raise HubError(f"hub: no model could be read ({stats.errors} errors)")
        written = write(engine, stage, stats, day, run_id)
    except BaseException as exc:
        writes.finish_run(engine, run_id, "failed", rows_read=stage.count, error=_one_line(exc))
        raise
    finally:
        stage.close()
    detail = {
        **stats.detail(),
        "requests": budget.requests,
        "retries": budget.retries,
        # Peak memory after reading every page and after writing: the first stays flat with N.
        "peak_rss_mib_read": rss_read,
        "peak_rss_mib_written": _peak_rss_mib(),
    }
    writes.finish_run(
        engine,
        run_id,
        "succeeded",
        rows_read=stats.listed + stats.fetched + stats.missing,
        rows_written=written.rows_written,
        detail=detail,
    )
    return "succeeded", detail


def _peak_rss_mib() -> float | None:
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:500]


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run hub`` (``core.boards.LIVE``); then the fresh Hub facts reach the models of
    the boards whose names are aliased to Hub repos."""
    from core.boards import ALIASED_BOARDS
    from db.aliases import apply_hub_facts

    result = run_hub(
        ctx.api,
        ctx.engine,
        ctx.settings,
        ctx.budget,
        models=ctx.model_ids,
        limit=ctx.limit,
        day=ctx.day,
        progress=ctx.progress,
    )
    with ctx.engine.begin() as conn:
        for board in ALIASED_BOARDS:
            apply_hub_facts(conn, board)
    return result
