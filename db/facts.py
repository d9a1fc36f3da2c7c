"""Which parameter count to believe: the table of sources, precedence and plausibility.

Pure functions, no I/O. Every stored size carries a *confidence*:

========== ===== ==================================================================
confidence rank  meaning
========== ===== ==================================================================
exact        60  counted from the weights: the Hub's safetensors or GGUF total
corrected    50  a source's count replaced by a better one, with what and why (packed
                 quantized weights, an adapter counted with its base)
board-decimal 40 a board's decimal count (Open LLM Leaderboard v2 ``#Params (B)``)
floor        30  a rounded-down whole number: the interval [x, x+1) (v1 ``params_b``)
name         20  a nominal size: a name ("7B"), a paper or card, a whole number on a
                 board (the board's own guess from the name)
doubtful      -  a value that failed a plausibility check; shown, never used by size
                 filters, classes, frontiers or reigns unless asked for
========== ===== ==================================================================

Precedence (:func:`prefer`): a higher confidence wins; among equals, the better source
(its rank in :data:`SOURCE_TABLE`), then the newer. One exception: a more precise value that lies
inside a floor's interval wins over the floor (v1 says 3, the name says 3.8: 3.8).

Plausibility (:func:`assess`) needs what other rows say (the base model's size), so it runs
after an import over all rows; its result replaces the value only when a rule corrects it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

CONFIDENCES = ("exact", "corrected", "board-decimal", "floor", "name", "doubtful")
CONFIDENCE_RANKS = {"exact": 60, "corrected": 50, "board-decimal": 40, "floor": 30, "name": 20, "doubtful": 0}
# Confidences whose value is an estimate (the ``params_is_estimate`` column).
ESTIMATES = frozenset({"floor", "name", "doubtful"})

# Where a count came from (a prefix of ``params_source``), best first, and what it is.
SOURCE_TABLE = (
    ("safetensors", 60, "exact", "the Hub's safetensors total"),
    ("gguf", 60, "exact", "the Hub's GGUF metadata total"),
    ("hub", 55, "exact", "the Hub (a packed checkpoint unpacked from its quantization_config: corrected)"),
    ("seed", 50, None, "the curated seed; its confidence is that of the source it cites"),
    ("corrected", 45, "corrected", "a rule's correction of a source's count"),
    ("open-llm-leaderboard-v2", 30, "board-decimal", "the v2 board's decimal count"),
    ("open-llm-leaderboard-v1", 20, "floor", "the v1 board's count, rounded down"),
    ("name", 10, "name", "the model's name"),
)
UNKNOWN_SOURCE_RANK = 5

# Plausibility thresholds (each one stated in docs/data-sources.md).
NAME_RATIO = 1.5  # a count and the name's size disagree beyond this factor...
NAME_GAP_B = 1.0  # ...and by more than this (Falcon3-1B really has 1.67 B)
ADAPTER_RATIO = (1.98, 2.02)  # base + adapter counted together
PACKED_RATIO = 1.3  # a packed count is this much below its base's
ABSURD_MERGE_B = 0.02  # a merge or fine-tune of an LLM architecture below 20 M parameters

# Repos of packed (4-bit, 8-bit, GPTQ, AWQ...) weights: their safetensors count is of the packed
# tensors, so a count read from them is too small (unsloth/phi-4-bnb-4bit shows 8.06 B for 14.66 B).
_PACKED_NAME = re.compile(r"(?i)(bnb|[-_.]4bit|[-_.]8bit|gptq|awq|int4|int8|nf4|exl2)")
PACKED_PRECISIONS = frozenset({"4bit", "8bit", "gptq", "awq"})
_ADAPTER_NAME = re.compile(r"(?i)(?<![a-z])(lora|qlora|adapter|peft)(?![a-z])")


@dataclass(frozen=True)
class Size:
    """A parameter count in billions with where it came from and how far to trust it."""

    value: float | None
    source: str | None = None
    confidence: str | None = None
    note: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


def source_rank(source: str | None) -> int:
    if not source:
        return 0
    for prefix, rank, _, _ in SOURCE_TABLE:
        if source.startswith(prefix):
            return rank
    return UNKNOWN_SOURCE_RANK


def _whole(value: float) -> bool:
    return math.isclose(value, round(value), abs_tol=1e-9)


ALIAS_PREFIX = "hub via alias of "  # db.aliases.VIA is this, then "{hub_id} ({source})"


def classify(value: float | None, source: str | None, is_estimate: bool = False) -> str | None:
    """The confidence a value has from its source alone (before plausibility checks)."""
    if value is None:
        return None
    text = (source or "").lower()
    if text.startswith(ALIAS_PREFIX) and text.endswith(")") and " (" in text:
        # A board model aliased to a Hub repo carries that repo's size: as sure as the repo's source.
        return classify(value, (source or "")[text.index(" (") + 2 : -1], is_estimate)
    if text.startswith(("corrected", "hub: config")) or ", corrected:" in text:
        # "hub: config (quantization_config, unpacked)": a packed count multiplied back out.
        return "corrected"
    if text.startswith("seed"):
        # The seed cites its source: "seed: safetensors.total", "seed: params_b (rounded...)".
        if "safetensors" in text or "gguf" in text:
            return "exact"
        if "rounded" in text:
            return "floor"
        if "metadata_params_billions" in text or "#params" in text:
            return "name" if _whole(value) else "board-decimal"
        return "name"  # a paper or a card: a nominal size
    for prefix, _, confidence, _ in SOURCE_TABLE:
        if confidence and text.startswith(prefix):
            if confidence == "board-decimal" and _whole(value):
                return "name"  # a whole number on a board is its guess from the name
            if confidence == "exact" and is_estimate and prefix != "hub":
                return "name"
            return confidence
    return "name" if is_estimate else "board-decimal"


INSIDE_FLOOR = ", inside the floor of "


def rank(size: Size) -> tuple[int, int]:
    """Sort key of a size: (confidence rank, source rank)."""
    confidence = size.confidence or classify(size.value, size.source)
    if confidence == "doubtful":
        # A doubtful value keeps the rank of what it came from: only a better source replaces it.
        confidence = classify(size.value, size.source)
    level = CONFIDENCE_RANKS.get(confidence or "", 0)
    if INSIDE_FLOOR in (size.source or ""):
        level = max(level, CONFIDENCE_RANKS["floor"])  # a precise value that won inside a floor
    return level, source_rank(size.source)


def bounds(value: float | None, confidence: str | None) -> tuple[float, float] | None:
    """The interval a stored size stands for: [x, x+1) for a floor, else the point."""
    if value is None:
        return None
    if confidence == "floor":
        return value, value + 1.0
    return value, value


def inside_floor(floor: Size, other: Size) -> bool:
    if floor.value is None or other.value is None or floor.confidence != "floor":
        return False
    return floor.value <= other.value < floor.value + 1.0 and not _whole(other.value)


def prefer(current: Size, incoming: Size) -> Size:
    """The size that stands when ``incoming`` arrives on a row holding ``current``."""
    if not incoming.known:
        return current
    if not current.known:
        return incoming
    if current.confidence != "doubtful" and incoming.confidence != "doubtful":
        # The precise value keeps the floor's rank: a later value of its own kind does not undo it.
        if inside_floor(current, incoming) and rank(incoming) < rank(current):
            return _inside(incoming, current)
        if inside_floor(incoming, current) and rank(current) < rank(incoming):
            return _inside(current, incoming)
    return incoming if rank(incoming) >= rank(current) else current


def _inside(precise: Size, floor: Size) -> Size:
    if INSIDE_FLOOR in (precise.source or ""):
        return precise
    where = f"{INSIDE_FLOOR}{floor.source} [{floor.value:g}, {floor.value + 1:g})"  # type: ignore[operator]
    return replace(precise, source=f"{precise.source}{where}")


def looks_packed(repo_id: str, precision: str | None = None) -> bool:
    """True for a repo of packed weights (by its precision or its name)."""
    return precision in PACKED_PRECISIONS or bool(_PACKED_NAME.search(repo_id.rsplit("/", 1)[-1]))


def looks_adapter(repo_id: str) -> bool:
    return bool(_ADAPTER_NAME.search(repo_id.rsplit("/", 1)[-1]))


@dataclass(frozen=True)
class NameHint:
    """What the name says (from :func:`ingest.sizes.parse_name_size`), as plain values."""

    total_b: float | None = None
    is_moe: bool = False
    upper_b: float | None = None
    text: str = ""


def _fmt(value: float) -> str:
    return f"{value:.3g}" if value < 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def assess(
    size: Size,
    *,
    repo_id: str,
    name: NameHint | None = None,
    base: Size | None = None,
    base_id: str | None = None,
    is_merged: bool = False,
    model_type: str | None = None,
    precision: str | None = None,
    packed_twins: tuple[int, float] | None = None,
) -> Size:
    """Plausibility checks on a size; returns it with a confidence and a reason.

    Rules, in order (the first that applies decides):
    1. packed quantized weights counted by a board: the base model's size when known
       (``corrected``), else ``doubtful`` when the name says more;
    2. an adapter counted with its base (about 2.00x the base): the base's size (``corrected``);
    3. a name-only MoE layout (``8x7B``): the upper bound, ``doubtful`` (experts share layers);
    4. a count that disagrees with the name by more than 1.5x (and 1 B): ``doubtful``;
    5. absurd values (a merge or fine-tune of under 20 M parameters): ``doubtful``;
    6. a board decimal that is the packed count of a known model: ``packed_twins`` = (how many
       rows named about twice this size show exactly this value, their typical name size), from
       :func:`packed_signatures`; ``doubtful`` when the name does not say otherwise.
    An exact count from the weights is kept unless the repo is packed.
    """
    if not size.known:
        return size
    value = float(size.value)  # type: ignore[arg-type]
    confidence = size.confidence or classify(value, size.source)
    if confidence == "doubtful":
        confidence = classify(value, size.source)
    if confidence == "corrected":
        return replace(size, confidence="corrected", note=size.note or size.source)
    case = _Case(
        size=size,
        value=value,
        confidence=confidence,
        repo_id=repo_id,
        name=name,
        base=base if base is not None and base.known and (base.confidence or "") in _BASE_TRUSTED else None,
        base_id=base_id,
        is_merged=is_merged,
        model_type=model_type,
        packed=looks_packed(repo_id, precision),
        packed_twins=packed_twins,
    )
    for rule in _RULES:
        found = rule(case)
        if found is not None:
            return found
    return replace(size, confidence=confidence, note=None if size.confidence == "doubtful" else size.note)


_BASE_TRUSTED = ("exact", "corrected", "board-decimal")


@dataclass(frozen=True)
class _Case:
    """What :func:`assess`'s rules look at (``base`` only when its size is trusted)."""

    size: Size
    value: float
    confidence: str
    repo_id: str
    name: NameHint | None
    base: Size | None
    base_id: str | None
    is_merged: bool
    model_type: str | None
    packed: bool
    packed_twins: tuple[int, float] | None

    @property
    def counted(self) -> bool:
        """A count (not a name): exact, a board decimal or a floor."""
        return self.confidence in ("exact", "board-decimal", "floor")

    def doubtful(self, note: str) -> Size:
        return replace(self.size, confidence="doubtful", note=note)

    def base_count(self, note: str) -> Size:
        return Size(self.base.value, f"corrected: count of base model {self.base_id}", "corrected", note)  # type: ignore[union-attr]


def _rule_packed(c: _Case) -> Size | None:
    """1. Packed quantized weights counted by a board: the base's size, or doubtful when the name says more."""
    if not (c.packed and c.counted and c.confidence != "exact"):
        return None
    if c.base is not None and c.base.value > c.value * PACKED_RATIO:  # type: ignore[operator]
        return c.base_count(
            f"the source ({c.size.source}) counted packed quantized weights: {_fmt(c.value)} B; "
            f"the base model {c.base_id} has {_fmt(c.base.value)} B"  # type: ignore[arg-type]
        )
    if c.name and c.name.total_b and c.name.total_b > c.value * NAME_RATIO:
        return c.doubtful(
            f"packed quantized weights counted ({_fmt(c.value)} B) while the name says "
            f"{c.name.text}; the base model's size is not known here"
        )
    return None


def _rule_adapter(c: _Case) -> Size | None:
    """2. An adapter counted with its base (about 2.00x the base): the base's size."""
    if c.base is None or not c.counted or c.confidence == "exact":
        return None
    ratio = c.value / c.base.value  # type: ignore[operator]
    if ADAPTER_RATIO[0] <= ratio <= ADAPTER_RATIO[1] and (looks_adapter(c.repo_id) or not c.is_merged):
        return c.base_count(
            f"the source ({c.size.source}) says {_fmt(c.value)} B, {ratio:.2f}x the base model "
            f"{c.base_id} ({_fmt(c.base.value)} B): an adapter counted with its base"  # type: ignore[arg-type]
        )
    return None


def _rule_moe_name(c: _Case) -> Size | None:
    """3. A name-only MoE layout (``8x7B``): doubtful (experts share layers)."""
    if c.confidence == "name" and c.name and c.name.is_moe and c.name.total_b is None:
        return c.doubtful(
            f"mixture-of-experts name {c.name.text}: experts share layers, the total is "
            "below the product and not known here"
        )
    return None


def _rule_name_disagrees(c: _Case) -> Size | None:
    """4. A count that disagrees with the name by more than 1.5x (and 1 B): doubtful."""
    if c.confidence == "exact" or not (c.name and c.name.total_b and not c.name.is_moe):
        return None
    hi, lo = max(c.value, c.name.total_b), min(c.value, c.name.total_b)
    if hi > lo * NAME_RATIO and hi - lo > NAME_GAP_B:
        return c.doubtful(
            f"{_fmt(c.value)} B ({c.size.source}) disagrees with the name ({c.name.text}) by {hi / lo:.1f}x"
        )
    return None


def _rule_absurd(c: _Case) -> Size | None:
    """5. A merge or fine-tune of under 20 M parameters: doubtful."""
    if (
        c.value < ABSURD_MERGE_B
        and c.confidence != "exact"
        and (c.is_merged or c.model_type in ("merge", "fine-tuned", "chat"))
    ):
        return c.doubtful(
            f"{_fmt(c.value * 1000)} M parameters is not plausible for a {c.model_type or 'merged'} model"
        )
    return None


def _rule_packed_twin(c: _Case) -> Size | None:
    """6. A board decimal that is the packed count of a known model, with no size in the name: doubtful."""
    if c.confidence == "board-decimal" and c.packed_twins and not (c.name and c.name.total_b):
        twins, named = c.packed_twins
        return c.doubtful(
            f"{_fmt(c.value)} B is a packed 4-bit count: {twins} models named about {_fmt(named)}B "
            "show exactly this size on the board, and this name gives none"
        )
    return None


_RULES = (_rule_packed, _rule_adapter, _rule_moe_name, _rule_name_disagrees, _rule_absurd, _rule_packed_twin)


PACKED_TWIN_RATIO = (1.8, 2.2)  # a name about twice the count ("7B" for 3.808, "14B" for 7.383)
PACKED_TWIN_MIN = 3  # at least this many such rows make a value a packed signature


def packed_signatures(pairs) -> dict[float, tuple[int, float]]:
    """Board decimals that are packed counts, from (value, name size) pairs of the rows.

    4-bit weights packed two to a byte are counted as half (``Llama-3-8B`` shows 4.015,
    ``Qwen2.5-14B`` 7.383): a value that several rows named about twice it show exactly is a
    signature of packing, also on rows whose name gives no size."""
    counts: dict[float, list[float]] = {}
    for value, named in pairs:
        if value and named and PACKED_TWIN_RATIO[0] <= named / value <= PACKED_TWIN_RATIO[1]:
            counts.setdefault(round(float(value), 3), []).append(float(named))
    out = {}
    for value, names in counts.items():
        if len(names) >= PACKED_TWIN_MIN:
            out[value] = (len(names), sorted(names)[len(names) // 2])
    return out


def usable(confidence: str | None, include_doubtful: bool = False) -> bool:
    """Whether a size with this confidence may be used by filters, classes and reigns."""
    return confidence is not None and (include_doubtful or confidence != "doubtful")


# --------------------------------------------------------------------------- facts of a row

# Sources whose facts are authoritative: the Hub itself and the curated seed. A board's
# license, base model and creation date never override theirs.
AUTHORITATIVE_SOURCES = ("hub", "seed", "safetensors")


def authoritative(source: str | None) -> bool:
    """True when a fact came from the Hub itself or the curated seed (boards never override)."""
    return bool(source) and source.startswith(AUTHORITATIVE_SOURCES)  # type: ignore[union-attr]


def params_changes(current: dict, value: float | None, source: str | None, is_estimate: bool) -> dict:
    """Column changes to a model row's size when a source says ``value`` (None: says nothing)."""
    if value is None or not source:
        return {}
    held = Size(current.get("params_b"), current.get("params_source"))
    held = replace(held, confidence=classify(held.value, held.source, bool(current.get("params_is_estimate"))))
    new = Size(value, source, classify(value, source, is_estimate))
    won = prefer(held, new)
    if (won.value, won.source) == (held.value, held.source):
        return {}
    changes = {
        "params_b": won.value,
        "params_source": won.source,
        "params_is_estimate": won.confidence in ESTIMATES,
    }
    changes = {k: v for k, v in changes.items() if current.get(k) != v}
    if changes:
        # The plausibility review (run after every import) sets the final confidence and note.
        changes["params_confidence"] = won.confidence
        changes["params_note"] = None
    return changes


def facts_changes(current: dict, facts, source: str, as_of, *, board: bool) -> dict:
    """Column changes that ``facts`` (a :class:`db.records.ModelFacts`) from ``source`` make to
    a model row ``current``: the precedence of every fact, in one place.

    - size: :func:`params_changes` (confidence, then source rank, then the newest);
    - org: a board fills it only when empty; the Hub and the seed replace it;
    - license, base model, creation date: the Hub and the seed always apply; a board's apply
      only over a board's (the newest listing, see ``db.writes.upsert_models``);
    - downloads, likes, gated, on_hub: a board's only until the Hub was checked;
    - architecture, type, flags: the newest statement.
    A board's facts also record that listing (``board_facts_source``, ``board_facts_as_of``)
    when they change anything or come from another board.
    """
    changes: dict = {}

    def put(column: str, value) -> None:
        if current.get(column) != value:
            changes[column] = value

    if facts.org and (board is False or not current.get("org")):
        put("org", facts.org)
    changes.update(params_changes(current, facts.params_b, facts.params_source, bool(facts.params_is_estimate)))
    if not board or not authoritative(current.get("license_source")):
        if facts.license is not None or board:
            put("license", facts.license)
            put("license_category", facts.license_category or "unknown")
            put("license_source", source if facts.license is not None else None)
    for column in ("architecture", "model_type", "pipeline_tag"):
        value = getattr(facts, column)
        if value is not None and (not board or column != "pipeline_tag"):
            put(column, value)
    if facts.base_model is not None and (not board or not authoritative(current.get("base_model_source"))):
        put("base_model", facts.base_model)
        put("base_model_source", source)
    if facts.created_date is not None and (not board or not authoritative(current.get("created_source"))):
        put("created_date", facts.created_date)
        put("created_source", source)
    for column in ("downloads", "likes", "gated"):
        value = getattr(facts, column)
        if value is not None and (not board or current.get("hub_checked_at") is None):
            put(column, value)
    for column in ("is_merged", "is_moe", "is_flagged"):
        value = getattr(facts, column)
        if value is not None:
            put(column, bool(value))
    if facts.on_hub is not None and (not board or current.get("hub_checked_at") is None):
        put("on_hub", bool(facts.on_hub))
    if board and (changes or current.get("board_facts_source") != source):
        changes["board_facts_source"] = source
        changes["board_facts_as_of"] = as_of
    return changes


# --------------------------------------------------------------------------- sizes in use


def size_frame_bounds(values, confidences, include_doubtful: bool = False):
    """Vectorised :func:`bounds` for filters: (low, high, class size) Series, NaN when unusable.

    ``high`` of a floor is x+1 (every value in [x, x+1) is below it); the class size of a
    floor is the middle of its interval (the size classes' bounds are whole numbers, so
    (x, x+1) lies in one class). Doubtful sizes are NaN unless ``include_doubtful``.
    """
    import numpy as np
    import pandas as pd

    value = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").astype(float)
    if confidences is None:
        conf = pd.Series([None] * len(value), index=value.index, dtype=object)
    else:
        conf = pd.Series(np.asarray(confidences, dtype=object), index=value.index, dtype=object)
    floor = conf.eq("floor").to_numpy()
    unusable = conf.eq("doubtful").to_numpy() & (not include_doubtful)
    # A floor x stands for [x, x+1): counts are never whole billions, so above x (3 decimals).
    low = (value + np.where(floor, 0.001, 0.0)).mask(unusable)
    high = (value + np.where(floor, 1.0, 0.0)).mask(unusable)
    middle = (value + np.where(floor, 0.5, 0.0)).mask(unusable)
    return low, high, middle


CLAIM_TOLERANCE = 0.15  # a nominal size ("7B") is right within 15% of the count (6.74 B)


def judge_claim(claimed: float | None, size: Size) -> str:
    """A published size claim against the measured size, with the measurement's uncertainty.

    "7B" is right against an exact 6.74 B or a floor of 6 ([6, 7) reaches 7 within the
    tolerance); against a doubtful size the answer is "cannot tell".
    """
    if claimed is None or (isinstance(claimed, float) and math.isnan(claimed)) or not size.known:
        return "not measured"
    if size.confidence == "doubtful":
        return "cannot tell (the measured size is doubtful)"
    low, high = bounds(size.value, size.confidence) or (size.value, size.value)
    low, high = float(low) * (1 - CLAIM_TOLERANCE), float(high) * (1 + CLAIM_TOLERANCE)  # type: ignore[arg-type]
    if low <= claimed <= high:
        return "matches"
    if claimed > high:
        return f"overstated {claimed / float(size.value if size.confidence != 'floor' else size.value + 1.0):.1f}x"  # type: ignore[operator]
    return f"understated {float(size.value) / claimed:.1f}x"  # type: ignore[arg-type]
