"""Will it run on my device? The memory a model needs, as pure rules (no SQL, no I/O).

Every figure is an estimate that carries its formula and its inputs (each with where it came
from), so the dashboard and the CLI can show how it was reached:

- weights at ``bits`` per parameter: ``params x bits / 8`` bytes (GB = 10^9 bytes);
- the KV cache at ``context`` tokens: ``2 x layers x kv_heads x head_dim x context x bytes per
  element`` (keys and values, every layer, full attention; the cache is held at
  :data:`CACHE_BITS` bits unless asked otherwise). Sliding-window layers (Gemma 2/3, Mistral)
  need less, so for them the figure is an upper bound;
- total = weights + KV cache + a stated runtime overhead (:data:`OVERHEAD_GB`).

A model without a usable config gets weights only and "KV cache unknown (...)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

GB = 1e9  # decimal gigabytes: what disk and most device specs say
PRECISIONS = (16, 8, 4)
CACHE_BITS = 16  # fp16/bf16 KV cache: the default of llama.cpp, vLLM and transformers
OVERHEAD_GB = 0.5  # runtime, activations and buffers; a round, stated allowance, not a measurement
DEFAULT_CONTEXT = 4096
CONTEXTS = (4096, 32768)

# Architectures whose head dimension is NOT hidden_size / num_attention_heads when the config
# omits it (their config classes carry another default, e.g. Gemma 3 uses 256 with a hidden
# size of 2560 and 8 heads): without an explicit head_dim the KV cache stays unknown.
_OWN_HEAD_DIM = ("gemma",)


@dataclass(frozen=True)
class Input:
    """One input of a figure: its value and where it came from."""

    name: str
    value: float | int | str | None
    source: str


@dataclass(frozen=True)
class Figure:
    """An estimate in GB with its formula and inputs; ``value_gb`` None means unknown (``note`` says why)."""

    name: str
    value_gb: float | None
    formula: str
    inputs: tuple[Input, ...] = ()
    note: str = ""

    @property
    def known(self) -> bool:
        return self.value_gb is not None


@dataclass(frozen=True)
class ArchConfig:
    """The architecture facts the KV cache needs, read from a model's ``config.json``."""

    layers: int | None = None
    heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    hidden_size: int | None = None
    max_context: int | None = None
    dtype: str | None = None
    model_type: str | None = None
    sliding_window: int | None = None
    source: str = ""
    # How each derived field was reached (e.g. "head_dim": "hidden_size / num_attention_heads").
    derived: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # why the KV cache cannot be computed, when it cannot

    @property
    def usable(self) -> bool:
        return not self.problem and all(v for v in (self.layers, self.kv_heads, self.head_dim))


def _int(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    return None


def _first_key(cfg: dict, *keys: str):
    for key in keys:
        if key in cfg and cfg[key] is not None:
            return key, cfg[key]
    return None, None


def parse_config(config: dict, source: str = "config.json") -> ArchConfig:
    """The KV-cache facts of a ``config.json`` (multimodal configs: their ``text_config``)."""
    if not isinstance(config, dict):
        return ArchConfig(source=source, problem="config is not a JSON object")
    top = config
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else None
    cfg = {**top, **text} if text else top
    derived: dict[str, str] = {}
    if text:
        derived["config"] = "text_config"
    _, layers = _first_key(cfg, "num_hidden_layers", "n_layer", "num_layers", "n_layers")
    _, heads = _first_key(cfg, "num_attention_heads", "n_head", "num_heads")
    _, hidden = _first_key(cfg, "hidden_size", "n_embd", "d_model")
    kv_key, kv = _first_key(cfg, "num_key_value_heads", "n_head_kv", "num_kv_heads", "multi_query_group_num")
    layers, heads, hidden, kv = _int(layers), _int(heads), _int(hidden), _int(kv)
    if kv is None and cfg.get("multi_query") is True:
        kv = 1
        derived["kv_heads"] = "1 (multi_query: true)"
    elif kv is None and heads is not None:
        kv = heads
        derived["kv_heads"] = "num_attention_heads (no num_key_value_heads: multi-head attention)"
    head_dim = _int(cfg.get("head_dim"))
    model_type = str(cfg.get("model_type") or top.get("model_type") or "") or None
    problem = ""
    if head_dim is None and hidden and heads:
        if model_type and model_type.startswith(_OWN_HEAD_DIM):
            problem = f"config has no head_dim and {model_type} does not use hidden_size / heads"
        elif hidden % heads == 0:
            head_dim = hidden // heads
            derived["head_dim"] = "hidden_size / num_attention_heads"
        else:
            problem = "hidden_size is not a multiple of num_attention_heads and no head_dim is given"
    _, max_ctx = _first_key(cfg, "max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")
    sliding = _int(cfg.get("sliding_window"))
    if cfg.get("use_sliding_window") is False:
        sliding = None
    dtype = cfg.get("torch_dtype") or cfg.get("dtype") or top.get("torch_dtype")
    if not problem:
        missing = [n for n, v in (("num_hidden_layers", layers), ("num_attention_heads", heads)) if v is None]
        if missing:
            problem = "config has no " + " or ".join(missing)
    return ArchConfig(
        layers=layers,
        heads=heads,
        kv_heads=kv,
        head_dim=head_dim,
        hidden_size=hidden,
        max_context=_int(max_ctx),
        dtype=str(dtype) if dtype else None,
        model_type=model_type,
        sliding_window=sliding,
        source=source,
        derived=derived,
        problem=problem,
    )


# --------------------------------------------------------------------------- the rules


def weights_bytes(params: float, bits: float) -> float:
    """Bytes of ``params`` weights at ``bits`` each."""
    return params * bits / 8


def kv_cache_bytes(layers: int, kv_heads: int, head_dim: int, context: int, cache_bits: float = CACHE_BITS) -> float:
    """Bytes of keys and values for ``context`` tokens on every layer."""
    return 2 * layers * kv_heads * head_dim * context * cache_bits / 8


def weights(params_b: float | None, bits: float, params_source: str = "") -> Figure:
    formula = "params x bits / 8"
    if params_b is None or not math.isfinite(params_b) or params_b < 0:
        return Figure("weights", None, formula, note="parameter count unknown")
    inputs = (Input("params", params_b * 1e9, params_source or "params_b"), Input("bits", bits, "chosen precision"))
    return Figure("weights", weights_bytes(params_b * 1e9, bits) / GB, formula, inputs)


def kv_cache(cfg: ArchConfig | None, context: int, cache_bits: float = CACHE_BITS) -> Figure:
    formula = "2 x layers x kv_heads x head_dim x context x cache_bits / 8"
    if cfg is None:
        return Figure("kv_cache", None, formula, note="KV cache unknown (no config)")
    if not cfg.usable:
        return Figure("kv_cache", None, formula, note=f"KV cache unknown ({cfg.problem or 'config incomplete'})")
    src = cfg.source or "config.json"
    inputs = (
        Input("layers", cfg.layers, f"{src}: num_hidden_layers"),
        Input("kv_heads", cfg.kv_heads, f"{src}: {cfg.derived.get('kv_heads', 'num_key_value_heads')}"),
        Input("head_dim", cfg.head_dim, f"{src}: {cfg.derived.get('head_dim', 'head_dim')}"),
        Input("context", context, "chosen context length"),
        Input("cache_bits", cache_bits, f"KV cache precision ({cache_bits:g}-bit)"),
    )
    note = ""
    if cfg.max_context is not None and context > cfg.max_context:
        note = f"beyond the model's own maximum context ({cfg.max_context} tokens)"
    elif cfg.sliding_window and cfg.sliding_window < context:
        note = f"upper bound: the config has a {cfg.sliding_window}-token sliding window"
    value = kv_cache_bytes(cfg.layers, cfg.kv_heads, cfg.head_dim, context, cache_bits) / GB
    return Figure("kv_cache", value, formula, inputs, note)


@dataclass(frozen=True)
class Estimate:
    """Weights, KV cache and total for one precision and context."""

    bits: float
    context: int
    weights: Figure
    kv_cache: Figure
    overhead_gb: float
    total: Figure

    @property
    def total_gb(self) -> float | None:
        return self.total.value_gb


def estimate(
    params_b: float | None,
    cfg: ArchConfig | None,
    *,
    bits: float,
    context: int = DEFAULT_CONTEXT,
    params_source: str = "",
    overhead_gb: float = OVERHEAD_GB,
    cache_bits: float = CACHE_BITS,
) -> Estimate:
    """The memory a model needs at ``bits`` per weight with ``context`` tokens of KV cache.

    The total is known only when both the weights and the KV cache are (an unknown cache is
    never counted as zero).
    """
    w = weights(params_b, bits, params_source)
    kv = kv_cache(cfg, context, cache_bits)
    formula = "weights + kv_cache + overhead"
    inputs = (
        Input("weights", w.value_gb, "weights"),
        Input("kv_cache", kv.value_gb, "kv_cache"),
        Input("overhead", overhead_gb, "stated runtime allowance"),
    )
    if w.known and kv.known:
        total = Figure("total", w.value_gb + kv.value_gb + overhead_gb, formula, inputs)
    else:
        total = Figure("total", None, formula, inputs, note=w.note or kv.note)
    return Estimate(bits, context, w, kv, overhead_gb, total)


def memory_table(
    params_b: float | None,
    cfg: ArchConfig | None,
    *,
    context: int = DEFAULT_CONTEXT,
    params_source: str = "",
    overhead_gb: float = OVERHEAD_GB,
    precisions: tuple[float, ...] = PRECISIONS,
) -> list[Estimate]:
    """One estimate per precision (16, 8, 4 bits)."""
    return [
        estimate(params_b, cfg, bits=b, context=context, params_source=params_source, overhead_gb=overhead_gb)
        for b in precisions
    ]


def build_total(
    size_bytes: int | None, cfg: ArchConfig | None, *, context: int = DEFAULT_CONTEXT, overhead_gb: float = OVERHEAD_GB
) -> Figure:
    """Memory to run a quantised build whose file size is known: its size + the KV cache + overhead.

    The build's weights are its real bytes (the file), not params x bits / 8; the KV cache comes
    from the base model's config (a build keeps its base's architecture).
    """
    formula = "build file size + kv_cache + overhead"
    kv = kv_cache(cfg, context)
    if size_bytes is None or size_bytes <= 0:
        return Figure("build_total", None, formula, note="build size unknown")
    inputs = (
        Input("build_size", size_bytes / GB, "the Hub's file size"),
        Input("kv_cache", kv.value_gb, "kv_cache"),
        Input("overhead", overhead_gb, "stated runtime allowance"),
    )
    if not kv.known:
        return Figure("build_total", None, formula, inputs, note=kv.note)
    return Figure("build_total", size_bytes / GB + kv.value_gb + overhead_gb, formula, inputs)


def fits(total_gb: float | None, budget_gb: float) -> bool:
    """A model fits when its estimated total is known and at most the budget."""
    return total_gb is not None and total_gb <= budget_gb


# --------------------------------------------------------------------------- vectorised (many models)


def totals_gb(
    params_b: np.ndarray,
    layers: np.ndarray,
    kv_heads: np.ndarray,
    head_dim: np.ndarray,
    *,
    bits: float,
    context: int,
    overhead_gb: float = OVERHEAD_GB,
    cache_bits: float = CACHE_BITS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights_gb, kv_cache_gb, total_gb) for many models at once; NaN where unknown.

    The same rules as :func:`estimate` (a property test holds them equal).
    """
    params = np.asarray(params_b, dtype=float) * 1e9
    w = params * bits / 8 / GB
    w = np.where(params >= 0, w, np.nan)
    kv = 2 * np.asarray(layers, dtype=float) * np.asarray(kv_heads, dtype=float) * np.asarray(head_dim, dtype=float)
    kv = np.where(kv > 0, kv * context * cache_bits / 8 / GB, np.nan)
    return w, kv, w + kv + overhead_gb


# --------------------------------------------------------------------------- devices


@dataclass(frozen=True)
class Device:
    """A device preset: the memory a model may use on it."""

    key: str
    label: str
    usable_gb: float
    note: str


DEVICES: tuple[Device, ...] = (
    Device("phone", "Phone (4 GB usable)", 4.0, "a recent phone: about 4 GB left for a model"),
    Device("laptop-8", "Laptop 8 GB", 8.0, "8 GB of unified memory or RAM"),
    Device("laptop-16", "Laptop 16 GB", 16.0, "16 GB of unified memory or RAM"),
    Device("gpu-12", "GPU 12 GB", 12.0, "a 12 GB graphics card"),
    Device("gpu-24", "GPU 24 GB", 24.0, "a 24 GB graphics card"),
)
DEVICE_KEYS = tuple(d.key for d in DEVICES)


def device(key: str) -> Device | None:
    return next((d for d in DEVICES if d.key == key), None)


def budget_gb(value: str | float) -> float:
    """A device key or a typed number of GB -> GB; ValueError (with the choices) otherwise."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().lower()
        preset = device(text)
        if preset is not None:
            return preset.usable_gb
        try:
            number = float(text.removesuffix("gb").strip())
        except ValueError:
            raise ValueError(f"not a device or a number of GB: {value!r} (devices: {', '.join(DEVICE_KEYS)})") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"a memory budget must be a positive number of GB: {value!r}")
    return number


def needed_bits(
    params_b: float | None,
    cfg: ArchConfig | None,
    budget: float,
    *,
    context: int = DEFAULT_CONTEXT,
    overhead_gb: float = OVERHEAD_GB,
) -> float | None:
    """The highest precision of :data:`PRECISIONS` at which the model fits ``budget``, or None."""
    for bits in PRECISIONS:
        if fits(estimate(params_b, cfg, bits=bits, context=context, overhead_gb=overhead_gb).total_gb, budget):
            return bits
    return None


def build_bits(name: str) -> float | None:
    """Bits per weight a quantised build's repo or file name states (Q4_K_M -> 4, Int8 -> 8), or None."""
    import re

    text = name.lower()
    match = re.search(r"(?:^|[^a-z0-9])(?:i?q)(\d)(?:_[a-z0-9]+)*(?:\.gguf)?(?:$|[^a-z0-9])", text)
    if match:
        return float(match.group(1))
    match = re.search(r"(?:int|w)(\d{1,2})(?:$|[^0-9])|(\d{1,2})[-_]?bits?(?:$|[^a-z])", text)
    if match:
        return float(match.group(1) or match.group(2))
    if re.search(r"(?:^|[^a-z0-9])(?:f16|fp16|bf16)(?:$|[^a-z0-9])", text):
        return 16.0
    if re.search(r"(?:^|[^a-z0-9])(?:awq)(?:$|[^a-z0-9])", text):
        return 4.0  # AWQ checkpoints are 4-bit
    return None


def build_format(repo_id: str, tags: list[str] | tuple[str, ...] = ()) -> str:
    """The format of a quantised build from its tags and name."""
    low = {t.lower() for t in tags}
    name = repo_id.lower()
    checks = (
        ("GGUF", "gguf" in low or name.endswith("gguf") or "-gguf" in name),
        ("AWQ", "awq" in low or "awq" in name),
        ("GPTQ", "gptq" in low or "gptq" in name),
        ("EXL2", "exl2" in low or "exl2" in name),
        ("MLX", "mlx" in low or name.startswith("mlx-community/") or "-mlx" in name),
        ("MLC", "mlc" in low or "-mlc" in name),
        ("bnb", "bitsandbytes" in low or "bnb" in name),
        ("ONNX", "onnx" in low or "onnx" in name),
    )
    return next((fmt for fmt, hit in checks if hit), "other")
