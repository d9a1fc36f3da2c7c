"""``python -m db memory``, ``python -m db devices`` and ``leaderboard --fits``: the CLI side of db.devices."""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd

from db import devices, memory, queries
from db.ranking import ranks_in_order

FITS_COLUMNS = ["memory_gb", "memory_basis", "bits", "context"]


def _budget(text: str) -> float:
    try:
        return memory.budget_gb(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _bits(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of bits: {text!r}") from None
    if not math.isfinite(value) or not 1 <= value <= 32:
        raise argparse.ArgumentTypeError(f"bits per weight must be between 1 and 32: {text!r}")
    return value


def _context(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of tokens: {text!r}") from None
    if not 1 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError(f"context must be between 1 and 10,000,000 tokens: {value}")
    return value


def add_fits_args(p: argparse.ArgumentParser) -> None:
    """``--fits GB|DEVICE [--bits B] [--context N] [--include-unknown-kv]`` on a ranked report."""
    keys = ", ".join(memory.DEVICE_KEYS)
    p.add_argument(
        "--fits",
        type=_budget,
        metavar="GB",
        help=f"only models whose estimated memory is at most GB (a number, or a device: {keys})",
    )
    p.add_argument("--bits", type=_bits, default=4.0, metavar="B", help="bits per weight for --fits (default: 4)")
    p.add_argument(
        "--context",
        type=_context,
        default=memory.DEFAULT_CONTEXT,
        metavar="N",
        help=f"tokens of KV cache for --fits (default: {memory.DEFAULT_CONTEXT})",
    )
    # --include-doubtful comes with the size filters (db.reports._filters) and applies to --fits too.
    p.add_argument(
        "--include-unknown-kv",
        action="store_true",
        help="with --fits, keep models without a config, counting weights + overhead only (marked)",
    )


def add_commands(sub, common) -> None:
    me = sub.add_parser(
        "memory",
        help="memory a model needs at 16, 8 and 4 bits",
        description=(
            "One row per precision: weights (params x bits / 8), the KV cache at --context tokens "
            f"(2 x layers x kv_heads x head_dim x context x {memory.CACHE_BITS}-bit / 8, from the model's config), "
            f"the total with a {memory.OVERHEAD_GB} GB runtime overhead; GB = 10^9 bytes."
        ),
    )
    me.add_argument("model_id", metavar="MODEL_ID", help="Hub repo id (case does not matter)")
    me.add_argument(
        "--context",
        type=_context,
        default=memory.DEFAULT_CONTEXT,
        metavar="N",
        help="tokens of context (default: 4096)",
    )
    common(me)
    de = sub.add_parser(
        "devices",
        help="the best model per task for each device preset",
        description=(
            "One row per device preset and task: the best-scoring model that fits at 16, 8 or 4 bits "
            "(the highest precision it fits), how sure its size is, and a quantised build that fits."
        ),
    )
    de.add_argument("--task", metavar="T", help=f"one task (default: all): {', '.join(devices.task_groups())}")
    de.add_argument(
        "--context",
        type=_context,
        default=memory.DEFAULT_CONTEXT,
        metavar="N",
        help="tokens of context (default: 4096)",
    )
    de.add_argument("--include-doubtful", action="store_true", help="also recommend models whose size is doubtful")
    de.add_argument(
        "--include-unknown-kv",
        action="store_true",
        help="also recommend models without a config (weights + overhead only, marked)",
    )
    common(de)


def report_memory(conn, args) -> pd.DataFrame:
    model = queries.find_model(conn, args.model_id)
    table, cfg = devices.model_memory(conn, model, context=args.context)
    return devices.memory_frame(model, table, cfg)


def report_devices(conn, args) -> pd.DataFrame:
    if args.task is not None and args.task not in devices.task_groups():
        devices.task_board(args.task)  # raises the InputError naming the choices
    return devices.devices_report(
        conn,
        task=args.task,
        context=args.context,
        include_doubtful=args.include_doubtful,
        include_unknown_kv=args.include_unknown_kv,
    )


REPORTS = {"memory": report_memory, "devices": report_devices}


def wants_fits(args) -> bool:
    return getattr(args, "fits", None) is not None


def apply_fits(conn, frame: pd.DataFrame, args) -> pd.DataFrame:
    """The ranked board filtered to what fits in ``--fits`` GB, ranks re-numbered, memory columns added."""
    if not wants_fits(args):
        return frame
    keys = frame["model_id"].astype(str).str.lower().tolist() if not frame.empty else []
    with_mem = devices.add_memory(frame, devices.configs_frame(conn, keys), bits=args.bits, context=args.context)
    kept = devices.fits_filter(
        with_mem, args.fits, include_doubtful=args.include_doubtful, include_unknown_kv=args.include_unknown_kv
    ).copy()
    # Numbered again, equal scores sharing a rank (1, 2, 2, 4).
    kept["rank"] = ranks_in_order(kept["score"]) if "score" in kept.columns else np.arange(1, len(kept) + 1)
    kept["memory_gb"] = kept["memory_gb"].round(3)
    kept["bits"] = kept["memory_bits"].map(lambda b: int(b) if float(b).is_integer() else b)
    kept["context"] = kept["memory_context"]
    if getattr(args, "limit", None) is not None:
        kept = kept.head(args.limit)
    return kept.reset_index(drop=True)


def fits_columns(args) -> list[str]:
    return FITS_COLUMNS if wants_fits(args) else []
