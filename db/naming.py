"""Pure helpers about model ids shared by the ingesters and the database layer."""

from __future__ import annotations

import re

# "7b", "1_8B", "1.3b", "350M", "8x7B", "2x34b"; a size is a number followed by b/m that is
# not part of a longer word ("v0.1b" is not matched because of the preceding "v").
_SIZE = re.compile(
    r"(?<![a-z0-9.])(?:(\d{1,3})\s*x\s*)?(\d{1,4}(?:[._]\d{1,3})?)\s*([bm])(?![a-z])",
    re.IGNORECASE,
)


def params_from_name(repo_id: str) -> float | None:
    """Estimate a parameter count in billions from a model name; ``None`` when it has none.

    Only a fallback: ``8x7B`` gives 56 although Mixtral-8x7B has 46.7 B (shared layers),
    which is why every value from here is stored as an estimate.
    """
    name = repo_id.rsplit("/", 1)[-1]
    billions: list[float] = []
    millions: list[float] = []
    for match in _SIZE.finditer(name):
        experts, number, unit = match.groups()
        value = float(number.replace("_", "."))
        if experts:
            value *= int(experts)
        if value <= 0:
            continue
        if unit.lower() == "b" and value <= 5000:
            billions.append(value)
        elif unit.lower() == "m":
            millions.append(value / 1000.0)
    # "Qwen2.5-14B-Instruct-1M" is a 14B model with a 1M context: a "B" size wins over "M";
    # among several, the last one is usually the model's own ("xgen-7b-8k" has only one).
    best = billions[-1] if billions else (millions[-1] if millions else None)
    return round(best, 3) if best is not None else None
