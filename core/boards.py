"""The leaderboards and benchmarks the tracker knows: one registry, plain data, used by every layer.

Benchmark keys are data keys (never display labels). A board's place in :data:`LEADERBOARDS` is
its display order. What the database stores of it (``ensure_registry``, the benchmarks of dynamic
boards) is in :mod:`db.registry`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.errors import NotFoundError


@dataclass(frozen=True)
class BenchmarkDef:
    key: str
    display_name: str
    task_group: str
    description: str
    scale: str = "percent"
    higher_is_better: bool = True
    min_value: float | None = 0.0
    max_value: float | None = 100.0


@dataclass(frozen=True)
class Retired:
    """A board (or the source the tracker reads it from) that gets no new snapshots.

    ``on`` is the day it stopped (``None`` when that day is not known); ``note`` says what
    stopped and where the board lives on, in a sentence for the status page.
    """

    on: dt.date | None
    note: str


@dataclass(frozen=True)
class LeaderboardDef:
    key: str
    display_name: str
    description: str
    url: str
    main_benchmark: str
    benchmarks: tuple[BenchmarkDef, ...]
    # True for boards whose benchmarks are registered from data at import (``epoch``: one per
    # CSV file; ``hub-evals``: the Hub's official benchmark datasets); see stored_board_def.
    dynamic: bool = False
    retired: Retired | None = None  # None: live, new snapshots are expected
    # Which board's model facts win when two boards list a model on the same date (higher wins);
    # 0 for boards that rank no model listing of their own (their scores are facts of a model).
    priority: int = 0
    # The provenance of every score of a board that keeps none per score (``measured``: the board
    # ran it; ``self-reported``: the model's card); ``None`` where each score carries its own.
    provenance: str | None = None
    # ``module:function`` that ``python -m ingest import KEY PATH...`` calls with (engine, args,
    # settings) and whose return is the exit status; ``None``: the board has no file import.
    importer: str | None = None
    # True when the board lists display names that ``data/aliases/<key>.csv`` maps to Hub repos.
    aliased: bool = False

    def find(self, key: str) -> BenchmarkDef | None:
        """The benchmark ``key`` of this board, or ``None``."""
        return next((b for b in self.benchmarks if b.key == key), None)

    def benchmark(self, key: str) -> BenchmarkDef:
        """The benchmark ``key`` of this board; :class:`NotFoundError` naming the choices otherwise."""
        found = self.find(key)
        if found is None:
            choices = ", ".join(b.key for b in self.benchmarks)
            raise NotFoundError(f"unknown benchmark {key!r} for {self.key}; choose one of: {choices}")
        return found


OPEN_LLM_V1 = "open-llm-leaderboard-v1"
OPEN_LLM_V2 = "open-llm-leaderboard-v2"
LMARENA = "lmarena"
MODEL_CARD = "model-card"
HUB_EVALS = "hub-evals"
EPOCH = "epoch"
MEASURED = "measured"  # the board ran the evaluation itself
SELF_REPORTED = "self-reported"  # the model's own card or its authors' source
# The file importers: the shared format detection, and the Arena's dataset (else its CSV scrapes).
_FORMATS = "ingest.loader:cli_import"

LEADERBOARDS: tuple[LeaderboardDef, ...] = (
    LeaderboardDef(
        key=OPEN_LLM_V2,
        display_name="Open LLM Leaderboard v2",
        description=(
            "Hugging Face's Open LLM Leaderboard from June 2024: six harder benchmarks, "
            "scores normalised so that random guessing is 0."
        ),
        url="https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard",
        main_benchmark="average",
        benchmarks=(
            BenchmarkDef("average", "Average", "overall", "Mean of the six normalised scores"),
            BenchmarkDef("ifeval", "IFEval", "instruction following", "Instruction-following eval, strict accuracy"),
            BenchmarkDef("bbh", "BBH", "reasoning", "BIG-Bench Hard, 3-shot"),
            BenchmarkDef("math_lvl_5", "MATH Lvl 5", "math", "MATH competition problems, level 5, 4-shot"),
            BenchmarkDef("gpqa", "GPQA", "knowledge", "Graduate-level Google-proof Q&A, 0-shot"),
            BenchmarkDef("musr", "MuSR", "reasoning", "Multistep soft reasoning, 0-shot"),
            BenchmarkDef("mmlu_pro", "MMLU-Pro", "knowledge", "MMLU-Pro, 5-shot"),
        ),
        retired=Retired(dt.date(2025, 3, 13), "Retired by Hugging Face; the Space stays up as a read-only archive."),
        priority=3,
        provenance=MEASURED,
        importer=_FORMATS,
    ),
    LeaderboardDef(
        key=OPEN_LLM_V1,
        display_name="Open LLM Leaderboard v1",
        description=(
            "Hugging Face's original Open LLM Leaderboard (2023 to June 2024): four benchmarks "
            "in 2023, six from late 2023; archived 2024."
        ),
        url="https://huggingface.co/spaces/open-llm-leaderboard-old/open_llm_leaderboard",
        main_benchmark="average",
        benchmarks=(
            BenchmarkDef("average", "Average", "overall", "Mean of the benchmarks shown that day"),
            BenchmarkDef("arc", "ARC", "reasoning", "AI2 Reasoning Challenge, 25-shot acc_norm"),
            BenchmarkDef("hellaswag", "HellaSwag", "commonsense", "HellaSwag, 10-shot acc_norm"),
            BenchmarkDef("mmlu", "MMLU", "knowledge", "MMLU, 5-shot, mean over 57 subjects"),
            BenchmarkDef("truthfulqa", "TruthfulQA", "truthfulness", "TruthfulQA, 0-shot mc2"),
            BenchmarkDef("winogrande", "Winogrande", "commonsense", "Winogrande, 5-shot acc"),
            BenchmarkDef("gsm8k", "GSM8K", "math", "GSM8K grade-school math, 5-shot acc"),
        ),
        retired=Retired(dt.date(2024, 6, 26), "Archived when the Open LLM Leaderboard v2 replaced it."),
        priority=2,
        provenance=MEASURED,
        importer=_FORMATS,
    ),
    LeaderboardDef(
        key=LMARENA,
        display_name="Chatbot Arena",
        description=(
            "LMArena (Chatbot Arena) text leaderboard: Elo-style scores from crowd-sourced "
            "pairwise votes. Includes closed models."
        ),
        url="https://lmarena.ai/leaderboard",
        main_benchmark="arena_score",
        benchmarks=(
            BenchmarkDef(
                "arena_score",
                "Arena score",
                "chat",
                "Bradley-Terry (Elo-scale) rating",
                scale="elo",
                min_value=0.0,
                max_value=4000.0,
            ),
            BenchmarkDef(
                "votes",
                "Votes",
                "popularity",
                "Number of votes behind the rating",
                scale="count",
                min_value=0.0,
                max_value=None,
            ),
            BenchmarkDef(
                "ci_plus",
                "95% CI (+)",
                "uncertainty",
                "Upper half-width of the 95% interval",
                scale="elo",
                higher_is_better=False,
                min_value=0.0,
                max_value=1000.0,
            ),
            BenchmarkDef(
                "ci_minus",
                "95% CI (-)",
                "uncertainty",
                "Lower half-width of the 95% interval",
                scale="elo",
                higher_is_better=False,
                min_value=0.0,
                max_value=1000.0,
            ),
            BenchmarkDef(
                "arena_rank",
                "Arena rank",
                "rank",
                "The Arena's own rank: models whose intervals overlap share a rank",
                scale="rank",
                higher_is_better=False,
                min_value=1.0,
                max_value=None,
            ),
        ),
        # Live: ``ingest run lmarena`` reads LMArena's own lmarena-ai/leaderboard-dataset (the old
        # mirror mathewhe/chatbot-arena-elo, no longer updated, is the archive source lmarena-mathewhe).
        retired=None,
        priority=1,
        provenance=MEASURED,
        importer="ingest.lmarena_dataset:cli_import",
        aliased=True,
    ),
    LeaderboardDef(
        key=MODEL_CARD,
        display_name="Self-reported (model cards)",
        description="Evaluation results a model's own card reports in its model-index (not verified).",
        url="https://huggingface.co/docs/hub/model-cards#evaluation-results",
        main_benchmark="average",
        benchmarks=(
            BenchmarkDef("average", "Average", "overall", "Mean of the card's v1-style results"),
            BenchmarkDef("arc", "ARC", "reasoning", "as reported by the card"),
            BenchmarkDef("hellaswag", "HellaSwag", "commonsense", "as reported by the card"),
            BenchmarkDef("mmlu", "MMLU", "knowledge", "as reported by the card"),
            BenchmarkDef("truthfulqa", "TruthfulQA", "truthfulness", "as reported by the card"),
            BenchmarkDef("winogrande", "Winogrande", "commonsense", "as reported by the card"),
            BenchmarkDef("gsm8k", "GSM8K", "math", "as reported by the card"),
            BenchmarkDef("drop", "DROP", "reasoning", "as reported by the card"),
        ),
        provenance=SELF_REPORTED,
    ),
    LeaderboardDef(
        key=HUB_EVALS,
        display_name="Hub eval results",
        description=(
            "Evaluation results stored in model repos (.eval_results/*.yaml) and ranked on the "
            "Hub's official benchmark datasets; each score is verified, community or self-reported."
        ),
        url="https://huggingface.co/docs/hub/eval-results",
        main_benchmark="Idavidrein/gpqa",
        benchmarks=(),
        dynamic=True,
    ),
    LeaderboardDef(
        key=EPOCH,
        display_name="Epoch AI Benchmarking Hub",
        description=(
            "Independent runs by Epoch AI (with standard errors and logs), curated external results "
            "and the Epoch Capabilities Index. CC BY 4.0."
        ),
        url="https://epoch.ai/benchmarks",
        main_benchmark="epoch_capabilities_index",
        benchmarks=(),
        dynamic=True,
        importer="ingest.epoch:cli_import",
        aliased=True,
    ),
)


@dataclass(frozen=True)
class LiveSource:
    """A source ``python -m ingest run`` reads.

    ``reader`` is ``module:function`` in ``ingest/``, called with one ``ingest.live.RunContext``
    and returning ``(status, detail)``. ``nightly`` sources run when no source is named, in the
    order of :data:`LIVE`; the others (archives) only when named. ``per_model`` sources honour
    ``--models``.
    """

    key: str
    reader: str
    description: str
    nightly: bool = True
    per_model: bool = False


HUB = "hub"
HUB_CONFIGS = "hub-configs"
LMARENA_MIRROR = "lmarena-mathewhe"
# In this order: model metadata first, then the boards' datasets; configs and quantised builds of
# tracked models last, once the hub source has their revisions.
LIVE: tuple[LiveSource, ...] = (
    LiveSource(HUB, "ingest.hub:run_source", "model metadata and model-card results", per_model=True),
    LiveSource(OPEN_LLM_V2, "ingest.contents:run_source", "the v2 board's contents dataset (archive, read-only)"),
    LiveSource(LMARENA, "ingest.lmarena_dataset:run_source", "LMArena's lmarena-ai/leaderboard-dataset"),
    LiveSource(HUB_EVALS, "ingest.hub_evals:run_source", "the Hub's eval results", per_model=True),
    LiveSource(EPOCH, "ingest.epoch:run_source", "Epoch AI's Benchmarking Hub zip"),
    LiveSource(HUB_CONFIGS, "ingest.hub_configs:run_source", "configs and quantised builds", per_model=True),
    # The Arena's old Hub mirror (mathewhe/chatbot-arena-elo, one tag a day, stopped in 2025),
    # kept to read its archive; ``lmarena`` reads LMArena's own dataset.
    LiveSource(LMARENA_MIRROR, "ingest.lmarena_hub:run_source", "the Arena's old Hub mirror", nightly=False),
)

LEADERBOARD_KEYS = tuple(lb.key for lb in LEADERBOARDS)
IMPORT_SOURCES = tuple(lb.key for lb in LEADERBOARDS if lb.importer)
LIVE_SOURCES = tuple(s.key for s in LIVE if s.nightly)
ARCHIVE_SOURCES = tuple(s.key for s in LIVE if not s.nightly)
ALIASED_BOARDS = tuple(lb.key for lb in LEADERBOARDS if lb.aliased)
# Boards that list models of their own, by priority (whose facts win on the same date first).
LISTING_BOARDS = tuple(lb.key for lb in sorted(LEADERBOARDS, key=lambda lb: -lb.priority) if lb.priority)
BOARD_PRIORITY = {lb.key: lb.priority for lb in LEADERBOARDS if lb.priority}
# The provenance of every score of each board that keeps none per score (in registry order).
BOARD_PROVENANCE = {lb.key: lb.provenance for lb in LEADERBOARDS if lb.provenance}
PROVENANCE_BOARDS = tuple(lb.key for lb in LEADERBOARDS if lb.provenance is None)


def live_source(key: str) -> LiveSource:
    for source in LIVE:
        if source.key == key:
            return source
    raise KeyError(key)


def leaderboard_def(key: str) -> LeaderboardDef:
    for lb in LEADERBOARDS:
        if lb.key == key:
            return lb
    raise KeyError(key)


def benchmark_values(bm: BenchmarkDef) -> dict:
    """A benchmark's row in ``benchmarks`` (without its board, key and position)."""
    return {
        "display_name": bm.display_name,
        "description": bm.description,
        "higher_is_better": bm.higher_is_better,
        "scale": bm.scale,
        "min_value": bm.min_value,
        "max_value": bm.max_value,
        "task_group": bm.task_group,
    }


# --------------------------------------------------------------------------- tasks across boards

# The agreed vocabulary of tasks (benchmark ``task_group`` values), then the non-task groups of
# auxiliary columns. Every benchmark and Arena category of every board maps to one of these.
TASKS = (
    "overall",
    "chat",
    "coding",
    "math",
    "reasoning",
    "knowledge",
    "instruction following",
    "long context",
    "multilingual",
    "function calling",
    "creative writing",
    "commonsense",
    "truthfulness",
    "safety",
)
AUXILIARY_GROUPS = ("popularity", "uncertainty", "rank")

# Benchmarks registered from data (Epoch's file stems, the Hub's benchmark datasets, Arena
# categories): exact names first (lower case) ...
NAMED_TASKS: dict[str, str] = {
    "epoch_capabilities_index": "overall",
    "gpqa_diamond": "knowledge",
    "math_level_5": "math",
    "mmlu_external": "knowledge",
    "idavidrein/gpqa": "knowledge",
    "tiger-lab/mmlu-pro": "knowledge",
    "cais/hle": "knowledge",
    "matharena/aime_2026": "math",
    "matharena/aime_2025": "math",
    "openai/gsm8k": "math",
    "mmmu/mmmu_pro": "reasoning",
    "lukaemon/bbh": "reasoning",
    "ai2_arc": "reasoning",
    "allenai/ai2_arc": "reasoning",
    "google/ifeval": "instruction following",
    "livecodebench": "coding",
    "overall": "overall",
    "hard_prompts": "reasoning",
    "multi_turn": "chat",
    "longer_query": "long context",
    "creative_writing": "creative writing",
    "instruction_following": "instruction following",
    # Arena categories (LMArena's text leaderboard): filters of the overall board, styles, languages.
    "coding": "coding",
    "math": "math",
    "hard_prompts_english": "reasoning",
    "english": "chat",
    "no_tie": "chat",
    "no_short": "chat",
    "no_refusal": "chat",
    "expert": "knowledge",
    "long_user": "long context",
    "software_and_it_services": "coding",
    "mathematical": "math",
    "writing_and_literature_and_language": "creative writing",
    "life_and_physical_and_social_science": "knowledge",
    "medicine_and_healthcare": "knowledge",
    "legal_and_government": "knowledge",
    "business_management_and_financial_operations": "knowledge",
    "entertainment_sports_and_media": "chat",
}
# ... then words in the name, in this order (the first match wins).
_TASK_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overall", ("capabilities_index", "eci", "average")),
    ("coding", ("swe", "code", "coding", "aider", "humaneval", "mbpp", "terminal", "webdev", "cybench")),
    ("math", ("math", "aime", "gsm", "otis", "hmmt", "usamo", "imo")),
    ("function calling", ("tool", "function", "bfcl", "tau")),
    ("long context", ("long", "fiction", "needle", "ruler", "context")),
    ("instruction following", ("ifeval", "instruction", "ifbench")),
    ("creative writing", ("writing", "creative", "story")),
    (
        "multilingual",
        ("multilingual", "mgsm", "chinese", "french", "german", "spanish", "japanese", "korean", "russian", "language"),
    ),
    ("safety", ("safety", "harm", "jailbreak")),
    ("truthfulness", ("truthful", "simpleqa", "hallucination", "factual")),
    ("commonsense", ("hellaswag", "winogrande", "piqa", "commonsense")),
    ("knowledge", ("mmlu", "gpqa", "hle", "trivia", "knowledge", "qa", "geobench", "chess")),
    ("reasoning", ("reason", "arc", "bbh", "puzzle", "logic", "mmmu", "video", "vision", "weird")),
    ("chat", ("chat", "arena", "turn")),
)


def task_of(name: str) -> str:
    """The task of a benchmark registered from data (an Epoch file stem, a Hub dataset id, an
    Arena category): its entry in :data:`NAMED_TASKS`, else the first word rule that matches,
    else ``overall`` (a general benchmark the registry does not name yet). Always one of TASKS.
    """
    import re

    key = name.strip().lower()
    if key in NAMED_TASKS:
        return NAMED_TASKS[key]
    # Whole words, word starts or ends ("gsm" in "gsm8k", "fiction" in "fictionlivebench", "math"
    # in "frontiermath"), so that "arc" does not match "research"; a long needle anywhere.
    tokens = [t for t in re.split(r"[^a-z0-9]+", key) if t]
    for task, needles in _TASK_WORDS:
        for needle in needles:
            if any(t.startswith(needle) or (len(needle) >= 4 and t.endswith(needle)) for t in tokens) or (
                len(needle) >= 6 and needle in key
            ):
                return task
    return "overall"
