"""The URL names people guess, read as the names the dashboard writes (pure, no Streamlit).

The dashboard writes short query parameters (``asof``, ``max``, ``q`` ...). People who type a
URL by hand guess others (``?as_of=``, ``?max_params=``, ``?search=``); those are accepted as
aliases, and the page then rewrites the URL with the canonical names. When a URL gives both an
alias and its canonical name, the canonical one wins and a note says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.boards import LMARENA, OPEN_LLM_V1, OPEN_LLM_V2

# alias -> the parameter the dashboard reads (canonical names map to themselves implicitly).
ALIASES: dict[str, str] = {
    **dict.fromkeys(("as_of", "as-of", "asOf", "date", "day", "snapshot"), "asof"),
    **dict.fromkeys(("max_params", "max-params", "maxParams", "max_size", "max_b", "params_max"), "max"),
    **dict.fromkeys(("min_params", "min-params", "minParams", "min_size", "min_b", "params_min"), "min"),
    **dict.fromkeys(("search", "query", "s", "name"), "q"),
    **dict.fromkeys(("license_category", "license-category", "licenses", "licence"), "license"),
    **dict.fromkeys(("types", "model_type", "model-type"), "type"),
    **dict.fromkeys(("orgs", "organisation", "organization", "author"), "org"),
    **dict.fromkeys(("architecture", "architectures", "archs"), "arch"),
    **dict.fromkeys(("tasks", "pipeline_tag", "pipeline"), "task"),
    **dict.fromkeys(("leaderboard", "lb"), "board"),
    **dict.fromkeys(("size_class", "size-class", "preset", "class"), "size"),
    **dict.fromkeys(("rank_by", "rank-by", "sort", "sort_by"), "rank"),
    **dict.fromkeys(("top_n", "top-n", "n"), "top"),
    **dict.fromkeys(("models", "model_ids", "compare"), "ids"),
    **dict.fromkeys(("colour", "color_by", "colour_by"), "color"),
    **dict.fromkeys(("model", "model_id", "repo", "repo_id"), "id"),
}

# Values people guess for a board.
BOARD_ALIASES = {
    "v1": OPEN_LLM_V1,
    "open-llm-v1": OPEN_LLM_V1,
    "v2": OPEN_LLM_V2,
    "open-llm-v2": OPEN_LLM_V2,
    "open-llm-leaderboard": OPEN_LLM_V2,
    "arena": LMARENA,
    "chatbot-arena": LMARENA,
    "lmsys": LMARENA,
}
_COMPACT_DATE = re.compile(r"^(\d{4})[/.]?(\d{2})[/.]?(\d{2})$")


def canonical(params: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """``params`` with aliases renamed to the dashboard's names, and notes on conflicts."""
    out: dict[str, object] = {}
    notes: list[str] = []
    for key, value in params.items():
        if key not in ALIASES:
            out[key] = value
    for key, value in params.items():
        name = ALIASES.get(key)
        if name is None:
            continue
        if name in out:
            notes.append(f"The URL gives both '{key}' and '{name}'; using '{name}'.")
            continue
        out[name] = value
    board = out.get("board")
    if isinstance(board, str) and board.strip().lower() in BOARD_ALIASES:
        out["board"] = BOARD_ALIASES[board.strip().lower()]
    day = out.get("asof")
    if isinstance(day, str):
        match = _COMPACT_DATE.match(day.strip())
        if match:  # 20240101 and 2024/01/01 mean 2024-01-01
            out["asof"] = "-".join(match.groups())
    return out, notes


def aliases_of(name: str) -> list[str]:
    """The aliases of one canonical parameter (to drop them once the page wrote the real name)."""
    return [alias for alias, target in ALIASES.items() if target == name]
