"""The dashboard's filter state: one dataclass, mirrored into the URL query string.

``FilterState.from_query`` validates what a URL says (unknown values and junk are dropped
with a friendly message, the rest keeps its meaning); ``to_query`` writes only what differs
from the page's defaults, so a copied URL restores the view exactly and stays short.
Widget keys live here too (``WIDGET_KEYS``) so that pages and tests use the same names.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from core.boards import LEADERBOARD_KEYS, LMARENA, MODEL_CARD, OPEN_LLM_V2, leaderboard_def
from db.dates import future_as_of
from db.queries import ModelFilter
from db.schema import LICENSE_CATEGORIES, MODEL_TYPES

# Boards a visitor can pick (the self-reported model-card "board" is shown on model pages only).
# Boards whose benchmarks are registered from data (Epoch, the Hub's eval results) have their own
# page (dashboard/views/evals.py).
BOARDS = tuple(k for k in LEADERBOARD_KEYS if k != MODEL_CARD and not leaderboard_def(k).dynamic)


@dataclass(frozen=True)
class SizeClass:
    key: str
    label: str
    low: float | None  # exclusive lower bound in billions (None: no bound)
    high: float | None  # inclusive upper bound (None: no bound)

    def contains(self, params_b: float | None) -> bool:
        if params_b is None or (isinstance(params_b, float) and math.isnan(params_b)):
            return False
        return (self.low is None or params_b > self.low) and (self.high is None or params_b <= self.high)


# The presets people use; the bounds do not overlap (a 3.0B model is "edge", not "laptop").
SIZE_CLASSES = (
    SizeClass("edge", "Edge (up to 3B)", None, 3.0),
    SizeClass("laptop", "Laptop (3-8B)", 3.0, 8.0),
    SizeClass("mid", "8-15B", 8.0, 15.0),
    SizeClass("large", "15B and up", 15.0, None),
)
# A preset that is not a class: everything a "small model" tracker is about, the default of the
# leaderboard. It overlaps the classes, so it is a preset only (never a size_class() key).
SMALL = SizeClass("small", "Up to 15B", None, 15.0)
SIZE_PRESETS = (SMALL, *SIZE_CLASSES)
SIZE_BY_KEY = {s.key: s for s in SIZE_PRESETS}
# The size pill and URL value that mean "no size limit" (``?size=all``).
ALL_SIZES = "all"
# A lower bound is exclusive; parameter counts are stored to 3 decimals, so this is enough.
_EXCLUSIVE = 1e-6

# Stops of the custom size slider (billions); the last one means "no upper limit".
PARAM_STOPS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0, 10.0, 13.0, 15.0, 20.0, 35.0, 70.0, 100.0, math.inf)

HIDE_FLAGS = ("merged", "flagged", "offhub")
# What size filters, classes, frontiers and reigns leave out unless asked (db.facts, db tenure).
INCLUDE_FLAGS = ("doubtful", "flagged")
COLOR_BY = ("license", "type")
TOP_N_CHOICES = (10, 25, 50, 100)
MAX_COMPARE = 6
MAX_LIST_ITEMS = 20
# Orgs, architectures, tasks and ids come from strangers: bound them, but keep their text.
_TOKEN = re.compile(r"^[\w .:/()+@'&,-]{1,200}$")

WIDGET_KEYS = {
    "board": "f_board",
    "preset": "f_size",
    "params": "f_params",
    "licenses": "f_license",
    "types": "f_type",
    "orgs": "f_org",
    "archs": "f_arch",
    "tasks": "f_task",
    "rank_by": "f_rank",
    "search": "f_search",
    "hide": "f_hide",
    "as_of": "f_asof",
    "color": "f_color",
    "top_n": "f_top",
    "ids": "f_ids",
    "include": "f_include",
}


def group_key(task_group: str) -> str:
    """The URL/data key of ranking by a task group: ``group:instruction-following``."""
    return "group:" + task_group.replace(" ", "-")


def group_name(key: str) -> str | None:
    return key.removeprefix("group:").replace("-", " ") if key.startswith("group:") else None


# Task groups that are not skills (no point ranking by the mean of them).
_NOT_SKILLS = {"overall", "popularity", "uncertainty", "chat"}


def rank_choices(board: str) -> list[str]:
    """Keys a board can be ranked by: its benchmarks (best first), then its task groups."""
    lb = leaderboard_def(board)
    keys = [b.key for b in lb.benchmarks if b.higher_is_better and b.task_group != "uncertainty"]
    groups: list[str] = []
    for b in lb.benchmarks:
        if b.task_group not in _NOT_SKILLS and b.task_group not in groups:
            groups.append(b.task_group)
    return keys + [group_key(g) for g in groups]


def group_members(board: str, key: str) -> list[str]:
    """Benchmark keys of a task group on a board (a plain benchmark key gives itself)."""
    name = group_name(key)
    if name is None:
        return [key]
    return [b.key for b in leaderboard_def(board).benchmarks if b.task_group == name]


def rank_label(board: str, key: str) -> str:
    name = group_name(key)
    if name is not None:
        members = group_members(board, key)
        labels = [b.display_name for b in leaderboard_def(board).benchmarks if b.key in members]
        return (
            f"{name.capitalize()} ({' + '.join(labels)})" if len(labels) > 1 else f"{name.capitalize()} ({labels[0]})"
        )
    bench = leaderboard_def(board).find(key)
    return bench.display_name if bench is not None else key


@dataclass(frozen=True)
class FilterState:
    """Everything a page's view depends on. Defaults mean "no filter"."""

    board: str = OPEN_LLM_V2
    preset: str | None = None
    min_params: float | None = None
    max_params: float | None = None
    licenses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    archs: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    rank_by: str | None = None  # None: the board's main benchmark
    search: str = ""
    hide: tuple[str, ...] = ()
    as_of: dt.date | None = None
    color: str = "license"
    top_n: int = 10
    ids: tuple[str, ...] = field(default=())
    include: tuple[str, ...] = ()  # INCLUDE_FLAGS: doubtful sizes, flagged models in reigns

    # ------------------------------------------------------------------ derived

    @property
    def rank_key(self) -> str:
        return self.rank_by or leaderboard_def(self.board).main_benchmark

    def size_bounds(self) -> tuple[float | None, float | None]:
        """(min, max) in billions for ModelFilter; a preset's lower bound is exclusive."""
        if self.preset:
            size = SIZE_BY_KEY[self.preset]
            return (None if size.low is None else size.low + _EXCLUSIVE, size.high)
        return self.min_params, self.max_params

    def model_filter(self) -> ModelFilter:
        low, high = self.size_bounds()
        return ModelFilter(
            min_params=low,
            max_params=high,
            license_categories=self.licenses,
            model_types=self.types,
            orgs=self.orgs,
            architectures=self.archs,
            pipeline_tags=self.tasks,
            search=self.search,
            hide_merged="merged" in self.hide,
            hide_flagged="flagged" in self.hide,
            hide_off_hub="offhub" in self.hide,
            include_doubtful="doubtful" in self.include,
        )

    def describe(self) -> str:
        """A short human summary of the active filters (for captions and empty states)."""
        parts = []
        if self.preset:
            parts.append(SIZE_BY_KEY[self.preset].label)
        elif self.min_params is not None or self.max_params is not None:
            parts.append(f"{_fmt_b(self.min_params or 0)}-{_fmt_b(self.max_params)} params")
        for label, values in (
            ("license", self.licenses),
            ("type", self.types),
            ("org", self.orgs),
            ("architecture", self.archs),
            ("task", self.tasks),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.search:
            parts.append(f"name contains {self.search!r}")
        for flag, text in (("merged", "no merges"), ("flagged", "no flagged"), ("offhub", "on the Hub only")):
            if flag in self.hide:
                parts.append(text)
        return "; ".join(parts)

    # ------------------------------------------------------------------ URL

    def to_query(self, defaults: FilterState | None = None) -> dict[str, str]:
        """Query parameters for this state: only what differs from ``defaults``."""
        base = defaults or FilterState()
        out: dict[str, str] = {}
        if self.board != base.board:
            out["board"] = self.board
        if self.preset:
            if self.preset != base.preset:
                out["size"] = self.preset
        else:
            if base.preset and self.min_params is None and self.max_params is None:
                out["size"] = ALL_SIZES
            if self.min_params is not None:
                out["min"] = _num(self.min_params)
            if self.max_params is not None:
                out["max"] = _num(self.max_params)
        for name, key in (
            ("licenses", "license"),
            ("types", "type"),
            ("orgs", "org"),
            ("archs", "arch"),
            ("tasks", "task"),
            ("hide", "hide"),
            ("ids", "ids"),
            ("include", "include"),
        ):
            value = getattr(self, name)
            if value != getattr(base, name):
                out[key] = ",".join(value) if value or name != "hide" else "none"
        if self.rank_by and self.rank_by != base.rank_by and self.rank_by != self.rank_key_default():
            out["rank"] = self.rank_by
        if self.search:
            out["q"] = self.search
        if self.as_of is not None:
            out["asof"] = self.as_of.isoformat()
        if self.color != base.color:
            out["color"] = self.color
        if self.top_n != base.top_n:
            out["top"] = str(self.top_n)
        return out

    def rank_key_default(self) -> str:
        return leaderboard_def(self.board).main_benchmark

    @classmethod
    def from_query(
        cls, params: Mapping[str, object], defaults: FilterState | None = None
    ) -> tuple[FilterState, list[str]]:
        """Parse query parameters; returns the state and messages about what was ignored."""
        base = defaults or FilterState()
        notes: list[str] = []
        values: dict = {}

        def get(key: str) -> str | None:
            raw = params.get(key)
            if isinstance(raw, (list, tuple)):
                raw = raw[-1] if raw else None
            if raw is None:
                return None
            return str(raw).strip()

        board = get("board")
        if board:
            if board in BOARDS:
                values["board"] = board
            else:
                notes.append(f"There is no leaderboard called {_show(board)}; showing {_board_name(base.board)}.")
        board_key = values.get("board", base.board)

        size = get("size")
        if size:
            if size in SIZE_BY_KEY:
                values["preset"] = size
            elif size == ALL_SIZES:
                values["preset"] = None
            else:
                notes.append(f"Unknown size class {_show(size)}; choose {', '.join(SIZE_BY_KEY)} or {ALL_SIZES}.")
        if not values.get("preset"):
            low, high = _param_bound(get("min"), "min", notes), _param_bound(get("max"), "max", notes)
            if low is not None and high is not None and low > high:
                notes.append("The smallest size was larger than the largest; the size range was reset.")
                low = high = None
            if low is not None or high is not None:
                values["preset"] = None  # a range from the URL replaces the page's default preset
            values["min_params"], values["max_params"] = low, high

        values["licenses"] = _choices(get("license"), LICENSE_CATEGORIES, "license category", notes)
        values["types"] = _choices(get("type"), MODEL_TYPES, "model type", notes)
        hide = get("hide")
        if hide is not None:  # absent: the page's default; "none" (or empty): hide nothing
            values["hide"] = () if hide in ("", "none") else _choices(hide, HIDE_FLAGS, "hide option", notes)
        values["include"] = _choices(get("include"), INCLUDE_FLAGS, "include option", notes)
        values["orgs"] = _tokens(get("org"), "organisation", notes)
        values["archs"] = _tokens(get("arch"), "architecture", notes)
        values["tasks"] = _tokens(get("task"), "task", notes)
        ids = _tokens(get("ids"), "model id", notes)
        if len(ids) > MAX_COMPARE:
            notes.append(f"At most {MAX_COMPARE} models at a time; showing the first {MAX_COMPARE}.")
            ids = ids[:MAX_COMPARE]
        values["ids"] = ids if "ids" in params else base.ids

        rank = get("rank")
        if rank:
            if rank in rank_choices(board_key):
                values["rank_by"] = rank
            else:
                notes.append(f"{_board_name(board_key)} cannot be ranked by {_show(rank)}; ranking by its default.")
                values["rank_by"] = None
        elif "board" in values and base.rank_by and base.rank_by not in rank_choices(board_key):
            values["rank_by"] = None

        search = get("q")
        if search:
            values["search"] = search[:100]

        as_of = get("asof")
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                notes.append(f"{_show(as_of)} is not a date (YYYY-MM-DD); showing the latest board.")
            else:
                if future_as_of(day) is not None:
                    notes.append("The 'as of' date is in the future; showing the latest board.")
                else:
                    values["as_of"] = day

        color = get("color")
        if color:
            if color in COLOR_BY:
                values["color"] = color
            else:
                notes.append(f"Cannot colour by {_show(color)}; colouring by license.")
        top = get("top")
        if top:
            try:
                values["top_n"] = int(top)
                if not 1 <= values["top_n"] <= 1000:
                    raise ValueError
            except ValueError:
                values.pop("top_n", None)
                notes.append(f"'Top N' must be a whole number from 1 to 1000, not {_show(top)}.")
        return replace(base, **values), notes

    # ------------------------------------------------------------------ widgets

    def widget_values(self) -> dict[str, object]:
        """Initial values of the widgets (by widget key) that show this state."""
        low = 0.0 if self.min_params is None else self.min_params
        high = math.inf if self.max_params is None else self.max_params
        if self.preset:
            size = SIZE_BY_KEY[self.preset]
            low, high = size.low or 0.0, math.inf if size.high is None else size.high
        return {
            WIDGET_KEYS["board"]: self.board,
            WIDGET_KEYS["preset"]: self.preset
            or (ALL_SIZES if self.min_params is None and self.max_params is None else None),
            WIDGET_KEYS["params"]: (low, high),
            WIDGET_KEYS["licenses"]: list(self.licenses),
            WIDGET_KEYS["types"]: list(self.types),
            WIDGET_KEYS["orgs"]: list(self.orgs),
            WIDGET_KEYS["archs"]: list(self.archs),
            WIDGET_KEYS["tasks"]: list(self.tasks),
            WIDGET_KEYS["rank_by"]: self.rank_key,
            WIDGET_KEYS["search"]: self.search,
            WIDGET_KEYS["hide"]: list(self.hide),
            WIDGET_KEYS["as_of"]: self.as_of,
            WIDGET_KEYS["color"]: self.color,
            WIDGET_KEYS["top_n"]: self.top_n,
            WIDGET_KEYS["ids"]: list(self.ids),
            WIDGET_KEYS["include"]: list(self.include),
        }

    @classmethod
    def from_widgets(cls, values: Mapping[str, object], base: FilterState) -> FilterState:
        """Read the widgets that exist in ``values`` (session state); the rest stays as in ``base``."""
        changes: dict = {}
        keys = WIDGET_KEYS

        def has(name: str) -> bool:
            return keys[name] in values

        if has("board") and values[keys["board"]] in BOARDS:
            changes["board"] = values[keys["board"]]
        if has("preset"):
            preset = values[keys["preset"]]
            changes["preset"] = preset if preset in SIZE_BY_KEY else None
        if has("params") and not changes.get("preset", base.preset):
            low, high = values[keys["params"]]  # type: ignore[misc]
            changes["min_params"] = None if not low else float(low)
            changes["max_params"] = None if high is None or math.isinf(high) else float(high)
        elif changes.get("preset", base.preset):
            changes["min_params"] = changes["max_params"] = None
        for name in ("licenses", "types", "orgs", "archs", "tasks", "hide", "ids", "include"):
            if has(name):
                changes[name] = tuple(values[keys[name]] or ())
        board = changes.get("board", base.board)
        if has("rank_by"):
            rank = values[keys["rank_by"]]
            main = leaderboard_def(board).main_benchmark
            changes["rank_by"] = None if rank in (None, main) or rank not in rank_choices(board) else rank
        if has("search"):
            changes["search"] = str(values[keys["search"]] or "").strip()[:100]
        if has("as_of"):
            day = values[keys["as_of"]]
            changes["as_of"] = day if isinstance(day, dt.date) else None
        if has("color") and values[keys["color"]] in COLOR_BY:
            changes["color"] = values[keys["color"]]
        if has("top_n") and isinstance(values[keys["top_n"]], int):
            changes["top_n"] = values[keys["top_n"]]
        return replace(base, **changes)


def _num(value: float) -> str:
    return f"{value:g}"


def _fmt_b(value: float | None) -> str:
    if value is None or math.isinf(value):
        return "any"
    return f"{value:g}B"


def _show(text: str) -> str:
    """Quote user text for a message, shortened (messages are shown as plain text)."""
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"'{text}'"


def _board_name(key: str) -> str:
    return leaderboard_def(key).display_name


def _param_bound(raw: str | None, name: str, notes: list[str]) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        notes.append(f"The {name} size {_show(raw)} is not a number of billions; ignored.")
        return None
    if not math.isfinite(value) or value < 0 or value > 10000:
        notes.append(f"The {name} size {_show(raw)} is out of range; ignored.")
        return None
    return value


def _split(raw: str | None) -> list[str]:
    if not raw:
        return []
    seen: list[str] = []
    for item in raw.split(","):
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def _choices(raw: str | None, allowed: tuple[str, ...], what: str, notes: list[str]) -> tuple[str, ...]:
    items = _split(raw)
    good = tuple(i for i in items if i in allowed)
    bad = [i for i in items if i not in allowed]
    if bad:
        notes.append(
            f"Ignored unknown {what} {', '.join(_show(b) for b in bad[:3])}; choose from {', '.join(allowed)}."
        )
    return good


def _tokens(raw: str | None, what: str, notes: list[str]) -> tuple[str, ...]:
    items = _split(raw)
    good = tuple(i for i in items if _TOKEN.match(i))[:MAX_LIST_ITEMS]
    if len(good) < len(items):
        notes.append(f"Ignored {len(items) - len(good)} {what} value(s) that cannot be right.")
    return good


__all__ = [
    "ALL_SIZES",
    "BOARDS",
    "COLOR_BY",
    "HIDE_FLAGS",
    "LMARENA",
    "MAX_COMPARE",
    "PARAM_STOPS",
    "SIZE_CLASSES",
    "SIZE_PRESETS",
    "TOP_N_CHOICES",
    "WIDGET_KEYS",
    "INCLUDE_FLAGS",
    "FilterState",
    "SizeClass",
    "group_key",
    "group_members",
    "rank_choices",
    "rank_label",
]
