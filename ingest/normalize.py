"""Normalisation of the values that every source spells its own way.

Pure functions: ids, precision, model types (emoji labels), booleans, licenses and their
categories, parameter counts and scores. Each raises :class:`BadValue` with a reason that
is stored with the rejected row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import math
import operator
import re
import unicodedata

from db import facts as facts_rules
from ingest.sizes import params_from_name

__all__ = [
    "BadValue",
    "license_category",
    "normalize_license",
    "normalize_model_type",
    "normalize_precision",
    "params_from_name",
    "parse_bool",
    "parse_date",
    "parse_float",
    "parse_hub_id",
    "parse_display_id",
]


class BadValue(ValueError):
    """A cell that cannot be used; the message is the rejection reason."""


# Hub repo ids: ASCII letters, digits, "-", "_", "." and one "/" (org/name). A bare name is
# allowed because the 2023 boards listed some models without an org (e.g. "llama-65b").
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9._-]{1,96})?$")


def _id_text(raw: object, column: str) -> str:
    """The cell as text; JSON and parquet cells can be numbers, lists or objects."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadValue(f"model id in column {column!r} is not text but {type(raw).__name__}: {str(raw)[:40]!r}")
    return raw


def parse_hub_id(raw: str | None, column: str = "model") -> str:
    value = _id_text(raw, column).strip()
    if value.startswith("https://huggingface.co/"):
        value = value.removeprefix("https://huggingface.co/")
    if not value:
        raise BadValue(f"empty model id in column {column!r}")
    if not value.isascii():
        raise BadValue(f"model id {value[:80]!r} has non-ASCII characters (look-alike letters?)")
    if not _HUB_ID.match(value) or ".." in value:
        raise BadValue(f"model id {value[:80]!r} is not a Hugging Face repo id")
    return value


def parse_display_id(raw: str | None, column: str = "model") -> str:
    """A display name used as an id (Chatbot Arena lists closed models that have no repo)."""
    value = " ".join(_id_text(raw, column).split())
    if not value:
        raise BadValue(f"empty model name in column {column!r}")
    if len(value) > 200:
        raise BadValue(f"model name in column {column!r} is longer than 200 characters")
    # Arena names are free text (closed models have no repo id), so letters of any script are
    # kept as they are; control and invisible format characters (zero-width, bidi overrides)
    # are not, since they make two different-looking names compare equal or reorder text.
    value = unicodedata.normalize("NFC", value)
    if not value.isprintable() or any(unicodedata.category(ch) == "Cf" for ch in value):
        raise BadValue(f"model name {value[:80]!r} has control or invisible characters")
    return value


def parse_float(
    raw: object,
    column: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    required: bool = False,
) -> float | None:
    """A finite number within [minimum, maximum]; empty cells give ``None``."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            raise BadValue(f"missing value in column {column!r}")
        return None
    if isinstance(raw, bool):
        raise BadValue(f"{column!r} is a boolean, not a number")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip()
        try:
            value = float(text)
        except ValueError:
            raise BadValue(f"{column!r} is not a number: {str(raw)[:40]!r}") from None
    if math.isnan(value):
        raise BadValue(f"{column!r} is NaN")
    if math.isinf(value):
        raise BadValue(f"{column!r} is infinite")
    if minimum is not None and value < minimum:
        raise BadValue(f"{column!r} is {value:g}, below {minimum:g}")
    if maximum is not None and value > maximum:
        raise BadValue(f"{column!r} is {value:g}, above {maximum:g}")
    return value


_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


def parse_bool(raw: object, column: str) -> bool | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and not (isinstance(raw, float) and math.isnan(raw)):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in ("", "nan", "none"):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(f"{column!r} is not true/false: {str(raw)[:20]!r}")


def parse_date(raw: object, column: str) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if not text or text.lower() in ("nan", "none", "nat"):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise BadValue(f"{column!r} is not a date: {text[:30]!r}") from None


def optional_date(raw: object) -> dt.date | None:
    """:func:`parse_date` for a date that may be missing or unreadable (a run's timestamp): ``None`` then."""
    try:
        return parse_date(raw, "date")
    except BadValue:
        return None


_PRECISIONS = {
    "float16": "float16",
    "fp16": "float16",
    "torch.float16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "torch.bfloat16": "bfloat16",
    "float32": "float32",
    "fp32": "float32",
    "torch.float32": "float32",
    "8bit": "8bit",
    "int8": "8bit",
    "4bit": "4bit",
    "int4": "4bit",
    "gptq": "gptq",
    "awq": "awq",
}


def normalize_precision(raw: object) -> str | None:
    text = str(raw or "").strip().lower()
    if text in ("", "?", "unknown", "nan", "none"):
        return None
    return _PRECISIONS.get(text, text[:40])


_TYPE_BY_EMOJI = {
    "🟢": "pretrained",
    "🟩": "continuously pretrained",
    "🔶": "fine-tuned",
    "⭕": "fine-tuned",
    "💬": "chat",
    "🤝": "merge",
    "🌸": "multimodal",
    "❓": "unknown",
    "?": "unknown",
}


def normalize_model_type(raw: object) -> str:
    """Map the boards' type labels (with or without emoji, spaces stripped or not)."""
    text = str(raw or "").strip()
    if not text:
        return "unknown"
    if text[0] in _TYPE_BY_EMOJI:
        return _TYPE_BY_EMOJI[text[0]]
    flat = re.sub(r"[^a-z]", "", text.lower())
    if flat.startswith("continuously"):
        return "continuously pretrained"
    if flat.startswith("pretrained"):
        return "pretrained"
    if flat.startswith(("finetuned", "instructiontuned", "rl")):
        return "fine-tuned"
    if flat.startswith("chat"):
        return "chat"
    if flat.startswith(("basemerges", "merge")):
        return "merge"
    if flat.startswith("multimodal"):
        return "multimodal"
    return "unknown"


# Chatbot Arena spells licenses as prose; map them to Hub license ids where one exists.
_LICENSE_ALIASES = {
    "apache 2.0": "apache-2.0",
    "apache-2.0": "apache-2.0",
    "apache2": "apache-2.0",
    "mit": "mit",
    "modified mit": "modified-mit",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0": "cc-by-nc-sa-4.0",
    "non-commercial": "non-commercial",
    "llama 2 community": "llama2",
    "llama 3 community": "llama3",
    "llama 3.1 community": "llama3.1",
    "llama 3.1": "llama3.1",
    "llama 3.2": "llama3.2",
    "llama-3.3": "llama3.3",
    "llama 4": "llama4",
    "llama": "llama",
    "gemma": "gemma",
    "gemma license": "gemma",
    "proprietary": "proprietary",
    "propretary": "proprietary",
    "other": "other",
    "qianwen license": "tongyi-qianwen",
    "qwen": "qwen",
    "yi license": "yi-license",
    "deepseek": "deepseek",
    "deepseek license": "deepseek",
    "dbrx license": "dbrx",
    "falcon-180b tii license": "falcon-180b-tii",
    "mistral research": "mrl",
    "mrl": "mrl",
    "jamba open": "jamba-open",
    "nvidia open model": "nvidia-open-model",
    "nvidia": "nvidia",
    "nexusflow": "nexusflow",
    "ai2 impact low-risk": "ai2-impact-low-risk",
    "microsoft research license": "microsoft-research-license",
    "microsoft research license agreement": "microsoft-research-license",
}

_PERMISSIVE = {
    "mit",
    "apache-2.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "cc-by-4.0",
    "cc-by-3.0",
    "cc-by-2.0",
    "cc0-1.0",
    "unlicense",
    "wtfpl",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "isc",
    "zlib",
    "ms-pl",
    "postgresql",
    "ecl-2.0",
    "pddl",
    "odc-by",
    "ncsa",
    "modified-mit",
    "apple-amlr",
}
_COPYLEFT = {
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "agpl-3.0",
    "mpl-2.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "epl-1.0",
    "epl-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "osl-3.0",
    "odbl",
    "gfdl",
    "lgpl-lr",
    "cdla-sharing-1.0",
}
_NON_COMMERCIAL_PREFIXES = ("cc-by-nc", "non-commercial", "mrl", "ai2-impact", "msrla", "microsoft-research")
# Research-only licenses forbid commercial use: non-commercial, whatever the family.
_RESEARCH = re.compile(r"research|(?<![a-z])msrla(?![a-z])")
# Licenses that name no version or terms: "cc" alone could be CC0 or CC BY-NC-ND.
_UNKNOWN_IDS = {"cc", "creative-commons", "unknown"}
_CUSTOM = {
    "other",
    "llama",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "gemma",
    "openrail",
    "creativeml-openrail-m",
    "bigscience-openrail-m",
    "bigcode-openrail-m",
    "bigscience-bloom-rail-1.0",
    "deepseek",
    "tongyi-qianwen",
    "qwen",
    "yi-license",
    "dbrx",
    "falcon-180b-tii",
    "jamba-open",
    "nvidia-open-model",
    "nvidia",
    "nexusflow",
    "apple-ascl",
    "cc-by-nd-4.0",
    "intel-research",
    "c-uda",
    "deepfloyd-if-license",
    "etalab-2.0",
    "lgpl-lr",
    "h-research",
}


def normalize_license(raw: object) -> str | None:
    """The Hub's license id, lower case; prose names from the Arena are mapped to ids."""
    text = " ".join(str(raw or "").split()).strip()
    if not text or text.lower() in ("nan", "none", "unknown", "?"):
        return None
    lowered = text.lower()
    if lowered in _LICENSE_ALIASES:
        return _LICENSE_ALIASES[lowered]
    return re.sub(r"\s+", "-", lowered)[:100]


def license_category(license_id: str | None) -> str:
    """permissive, copyleft, non-commercial, custom, proprietary or unknown."""
    if not license_id or license_id in _UNKNOWN_IDS:
        return "unknown"
    if _RESEARCH.search(license_id):
        return "non-commercial"
    if "openrail" in license_id or "-rail-" in license_id or license_id.endswith("-rail"):
        return "custom"  # one family (openrail, openrail++, *-openrail-m): use-based restrictions
    if license_id == "proprietary":
        return "proprietary"
    if license_id in _PERMISSIVE:
        return "permissive"
    if license_id in _COPYLEFT:
        return "copyleft"
    if license_id.startswith(_NON_COMMERCIAL_PREFIXES):
        return "non-commercial"
    if license_id in _CUSTOM or license_id.startswith(("llama", "gemma", "openrail")):
        return "custom"
    if license_id.startswith(("cc-by-sa", "gpl", "agpl", "lgpl")):
        return "copyleft"
    return "custom"


def normalize_base_model(raw: object, repo_id: str) -> str | None:
    """Base model id, or ``None`` for "self", "Removed" and the like."""
    text = str(raw or "").strip()
    text = re.sub(r"\s*\((merge|adapter|finetune|quantized|[a-z ]+)\)\s*$", "", text, flags=re.I)
    if not text or text.lower() in ("removed", "nan", "none", "unknown", "?"):
        return None
    if text.lower() == repo_id.lower():
        return None
    try:
        return parse_hub_id(text, "base_model")
    except BadValue:
        return None


@functools.lru_cache(maxsize=1 << 16)  # called for every row of every snapshot; ids repeat
def looks_packed(repo_id: str, precision: str | None) -> bool:
    """True for a repo of packed weights (by its precision or its name): :func:`db.facts.looks_packed`."""
    return facts_rules.looks_packed(repo_id, precision)


_BASE_MODEL = operator.attrgetter("facts.base_model")


def correct_packed_params(entries: list, lowers: list[str] | None = None, candidates: list[int] | None = None) -> int:
    """Give packed-weight repos their base model's count when the same snapshot lists the base.

    ``entries`` are :class:`db.records.BoardEntry`; ``lowers`` their lower-case ids and
    ``candidates`` the positions of those that name a base model and look packed, when the
    caller knows them. Returns how many were corrected.
    """
    # Few rows name a base model and look packed: only their bases need a count (this runs on
    # every snapshot of a series, so it must not cost much per row).
    if candidates is None:
        named = itertools.compress(range(len(entries)), map(_BASE_MODEL, entries))
        candidates = [i for i in named if looks_packed((e := entries[i]).facts.repo_id, e.precision)]
    packed = [(i, entries[i]) for i in candidates]
    if not packed:
        return 0
    bases = {e.facts.base_model.lower() for _, e in packed}
    if lowers is None:
        lowers = [e.facts.repo_id.lower() for e in entries]
    own = {}
    for i in itertools.compress(range(len(entries)), map(bases.__contains__, lowers)):
        e = entries[i]
        if (
            e.facts.params_b is not None
            and not e.facts.params_is_estimate
            and not looks_packed(e.facts.repo_id, e.precision)
        ):
            own[lowers[i]] = e.facts.params_b
    fixed = 0
    for i, e in packed:
        base_params = own.get(e.facts.base_model.lower())
        if not base_params:
            continue
        if e.facts.params_b is None or base_params > e.facts.params_b * 1.3:
            source = e.facts.params_source or "board"
            said = f"{e.facts.params_b:g}" if e.facts.params_b is not None else "nothing"
            note = f"corrected: count of base model {e.facts.base_model} ({source} counted packed weights: {said})"
            # New objects, never a change in place: parsed rows may be shared with a row cache.
            facts = dataclasses.replace(e.facts, params_b=base_params, params_source=note, params_is_estimate=False)
            entries[i] = dataclasses.replace(e, facts=facts)
            fixed += 1
    return fixed
