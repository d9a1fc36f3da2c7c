"""Parameter counts read from model names: the fallback when no better source says.

Pure functions. A name gives a *nominal* size ("7B" for 6.74 B), so every value from here is
stored with the confidence ``name`` (see :mod:`db.facts`). The spellings read:

- ``7b``, ``7B``, ``1.3b``, ``0.5B``: billions; ``160M``, ``350m``: millions (0.16, 0.35);
- ``1_8B`` (Qwen-1_8B), ``1b7``, ``1B5``, ``7b1`` (bloom-7b1): 1.8, 1.7, 1.5, 7.1;
- ``LLaMA_2_70B_LoRA``: the "2" is Llama's version, the size is 70 (an underscore is a
  decimal point only between two single digits before the unit);
- mixture-of-experts names are marked MoE and never give N x M as the total:
  ``8x7B``, ``7Bx2`` (experts share layers: Mixtral-8x7B totals 46.7 B, not 56),
  ``17B-128E`` and ``A3B`` name the *active* count (Llama-4-Maverick-17B-128E,
  Qwen3-30B-A3B; the latter also names its total, 30), ``E4B`` an *effective* count
  (Gemma 3n). Only an upper bound is known for ``NxM``; the total comes from a better source.

When a name carries several sizes, the largest billions figure is the model's own
("...-7B-...-1M" is a 7 B model with a 1 M context; "70B" beats Llama's version digit).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["NameSize", "parse_name_size", "params_from_name"]


@dataclass(frozen=True)
class NameSize:
    """What a model's name says about its size (billions)."""

    total_b: float | None  # the total count, when the name gives one
    is_moe: bool = False
    active_b: float | None = None  # active (or effective) parameters of an MoE name
    upper_b: float | None = None  # an upper bound, when only that is known (N x M)
    text: str = ""  # the part of the name that was read


# A number not glued to a preceding digit, dot or version letter.
_NUM = r"(?<![0-9.])(?<![vV])(?<![vV]\d)"
_FLOAT = r"(\d{1,4}(?:\.\d{1,3})?)"
_END = r"(?![a-zA-Z0-9])"

# 8x7B, 8x22b, 2x34B, 4x1.1B (experts x expert size)
_MOE_NXM = re.compile(_NUM + r"(\d{1,3})\s*[xX]\s*" + _FLOAT + r"\s*([bBmM])" + _END)
# 7Bx2, 1.8Bx4 (expert size x experts)
_MOE_MXN = re.compile(_NUM + _FLOAT + r"\s*([bBmM])\s*[xX]\s*(\d{1,3})" + _END)
# 17B-128E, 17B-16E: active count and experts
_MOE_EXPERTS = re.compile(_NUM + _FLOAT + r"[bB][-_](\d{1,4})[eE]" + _END)
# A3B, A22B (active), E2B, E4B (effective): a token of its own
_ACTIVE = re.compile(r"(?<![a-zA-Z0-9.])([aAeE])(\d{1,4}(?:\.\d{1,3})?)[bB]" + _END)
# 1b7, 1B5, 7b1: billions with the decimal digit after the unit
_B_DIGIT = re.compile(_NUM + r"(\d{1,3})[bB](\d)" + _END)
# 1_8B, 0_5B, 2_61B: one digit, underscore, one or two digits; never a digit glued to a word
# or after "llama" ("LLaMA_2_70B", "llama3_7b", "l3_8B", "LLAMA-3_8B", "v1_8b": a version,
# then the size)
_UNDERSCORE = re.compile(r"(?<![0-9._a-zA-Z])(?<!llama[-_])(\d)_(\d{1,2})\s*([bBmM])" + _END, re.IGNORECASE)
# "MoE" in a name: the size named is an expert's, not the total
_MOE_WORD = re.compile(r"(?<![a-zA-Z])moe(?![a-zA-Z])", re.IGNORECASE)
# 7B, 1.3b, 160M, 3Bgeneral is not read (a word follows), 4bit is not a size
_TOKENS = re.compile(r"[-_ ]?tokens(?![a-zA-Z])", re.IGNORECASE)
_TOKENS_BEFORE = re.compile(r"tokens?[-_ ]?$", re.IGNORECASE)
_PLAIN = re.compile(_NUM + _FLOAT + r"\s*([bBmM])" + _END)


def _billions(number: str, unit: str) -> float:
    value = float(number)
    return value / 1000.0 if unit.lower() == "m" else value


@functools.lru_cache(maxsize=1 << 16)
def parse_name_size(repo_id: str) -> NameSize | None:
    """What the name (the part after the org) says about the size; ``None`` when nothing."""
    name = str(repo_id).rsplit("/", 1)[-1]
    # Expert layouts first: they must not be read as plain sizes.
    for pattern, order in ((_MOE_NXM, (0, 1, 2)), (_MOE_MXN, (2, 0, 1))):
        for match in pattern.finditer(name):
            experts, number, unit = (match.groups()[i] for i in order)
            size = _billions(number, unit)
            if int(experts) < 2 or size <= 0:
                continue
            upper = round(size * int(experts), 3)
            # "...-MOE-4X8B-...-24B": a plain size after the layout is the total it states.
            rest = name[: match.start()] + " " + name[match.end() :]
            stated = [float(m.group(1)) for m in _PLAIN.finditer(rest) if m.group(2) in "bB"]
            total = max((v for v in stated if size < v <= upper), default=None)
            return NameSize(total, True, None, upper, match.group(0) + (f" {total:g}B" if total else ""))
    rest = name
    active: float | None = None
    text = ""
    moe = False
    match = _MOE_EXPERTS.search(rest)
    if match:
        active, moe, text = float(match.group(1)), True, match.group(0)
        rest = rest[: match.start()] + " " + rest[match.end() :]
    match = _ACTIVE.search(rest)
    if match and active is None:
        active, moe, text = float(match.group(2)), match.group(1) in "aA", match.group(0)
        rest = rest[: match.start()] + " " + rest[match.end() :]
        if not moe:  # Gemma 3n's E4B: an effective count; the total is not in the name
            return NameSize(None, False, active, None, text)
    sizes: list[tuple[float, str]] = []
    for pattern, reader in (
        (_B_DIGIT, lambda m: float(f"{m.group(1)}.{m.group(2)}")),
        (_UNDERSCORE, lambda m: _billions(f"{m.group(1)}.{m.group(2)}", m.group(3))),
    ):
        for m in pattern.finditer(rest):
            sizes.append((reader(m), m.group(0)))
            rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    for m in _PLAIN.finditer(rest):
        if _TOKENS.match(rest, m.end()) or _TOKENS_BEFORE.search(rest, 0, m.start()):
            continue  # "pile-7b-250b-tokens", "nucleus-22B-token-500B": a training-set size
        sizes.append((_billions(m.group(1), m.group(2)), m.group(0)))
    # "1M" or "2M" after a size is a context length; no language model here has under 10 M.
    sizes = [(v, t) for v, t in sizes if 0.01 <= v <= 5000]
    if _MOE_WORD.search(name) and not moe:
        biggest = max((v for v, t in sizes if not t.strip().lower().endswith("m")), default=None)
        # "Yi-Coder-9B-...-MoE": 9 B is an expert's size; the total is more and unknown here.
        return NameSize(None, True, None, None, "MoE" + (f" of {biggest:g}B experts" if biggest else ""))
    if moe and not sizes:
        # "Llama-4-Maverick-17B-128E": the name gives the active count only.
        return NameSize(None, True, active, None, text)
    if not sizes:
        return None
    billions = [(v, t) for v, t in sizes if not t.strip().lower().endswith("m")]
    value, part = max(billions) if billions else max(sizes)
    if moe and active is not None and value <= active:
        return NameSize(None, True, active, None, text)
    return NameSize(round(value, 3), moe, active, None, part.strip() + (f" {text}" if text else ""))


def params_from_name(repo_id: str) -> float | None:
    """The total count in billions that a name states, or ``None`` (MoE names state none)."""
    parsed = parse_name_size(repo_id)
    return parsed.total_b if parsed is not None else None
