"""The leaderboards and benchmarks the tracker knows: one registry, used by every layer.

Benchmark keys are data keys (never display labels). ``position`` orders columns for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from db.errors import NotFoundError
from db.schema import Benchmark, Leaderboard


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
class LeaderboardDef:
    key: str
    display_name: str
    description: str
    url: str
    main_benchmark: str
    benchmarks: tuple[BenchmarkDef, ...]

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
    ),
)

LEADERBOARD_KEYS = tuple(lb.key for lb in LEADERBOARDS)
IMPORT_SOURCES = (OPEN_LLM_V1, OPEN_LLM_V2, LMARENA)
# What ``python -m ingest run`` reads from the Hub, in this order: model metadata, then datasets.
LIVE_SOURCES = ("hub", OPEN_LLM_V2, LMARENA)
# Live sources run only when named: the Arena's old Hub mirror (mathewhe/chatbot-arena-elo, one
# tag a day, stopped in 2025), kept to read its archive; ``lmarena`` reads LMArena's own dataset.
LMARENA_MIRROR = "lmarena-mathewhe"
ARCHIVE_SOURCES = (LMARENA_MIRROR,)


def leaderboard_def(key: str) -> LeaderboardDef:
    for lb in LEADERBOARDS:
        if lb.key == key:
            return lb
    raise KeyError(key)


def ensure_registry(engine: Engine) -> None:
    """Insert or update the registered leaderboards and benchmarks (idempotent)."""
    with engine.begin() as conn:
        existing_lb = {row.key: row for row in conn.execute(select(Leaderboard.__table__))}
        existing_bm = {(row.leaderboard_key, row.key): row for row in conn.execute(select(Benchmark.__table__))}
        lb_table = Leaderboard.__table__
        bm_table = Benchmark.__table__
        for position, lb in enumerate(LEADERBOARDS):
            values = {
                "display_name": lb.display_name,
                "description": lb.description,
                "url": lb.url,
                "main_benchmark": lb.main_benchmark,
                "position": position,
            }
            current = existing_lb.get(lb.key)
            if current is None:
                conn.execute(lb_table.insert().values(key=lb.key, **values))
            elif any(getattr(current, k) != v for k, v in values.items()):
                conn.execute(lb_table.update().where(lb_table.c.key == lb.key).values(**values))
            for bpos, bm in enumerate(lb.benchmarks):
                bvalues = {
                    "display_name": bm.display_name,
                    "description": bm.description,
                    "higher_is_better": bm.higher_is_better,
                    "scale": bm.scale,
                    "min_value": bm.min_value,
                    "max_value": bm.max_value,
                    "task_group": bm.task_group,
                    "position": bpos,
                }
                bcur = existing_bm.get((lb.key, bm.key))
                if bcur is None:
                    conn.execute(bm_table.insert().values(leaderboard_key=lb.key, key=bm.key, **bvalues))
                elif any(getattr(bcur, k) != v for k, v in bvalues.items()):
                    conn.execute(
                        bm_table.update()
                        .where(bm_table.c.leaderboard_key == lb.key, bm_table.c.key == bm.key)
                        .values(**bvalues)
                    )
        from db.arena import ensure_categories

        ensure_categories(conn)
