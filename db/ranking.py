"""Ranks with ties: equal scores share a rank (1, 2, 2, 4), everywhere a rank is shown."""

from __future__ import annotations

import numpy as np
import pandas as pd


def tie_ranks(scores, higher_is_better: bool = True, groups=None) -> np.ndarray:
    """Standard competition ranks of ``scores`` (within each of ``groups`` when given).

    Missing scores get no rank (NaN). Used by ``db leaderboard``, ``db history`` and the
    dashboard, so one rule decides every rank shown.
    """
    values = pd.Series(pd.to_numeric(pd.Series(scores).reset_index(drop=True), errors="coerce"))
    key = -values if higher_is_better else values
    if groups is None:
        ranked = key.rank(method="min", na_option="keep")
    else:
        ranked = key.groupby(pd.Series(groups).reset_index(drop=True)).rank(method="min", na_option="keep")
    return ranked.to_numpy()


def ranks_in_order(scores) -> np.ndarray:
    """Competition ranks of scores already sorted best first (either direction): 1, 2, 2, 4."""
    values = pd.Series(scores).reset_index(drop=True)
    if values.empty:
        return np.array([], dtype=int)
    new = values.ne(values.shift()) | values.isna()
    position = pd.Series(np.arange(1, len(values) + 1))
    return position.where(new).ffill().astype(int).to_numpy()
