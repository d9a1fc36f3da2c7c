"""How numbers, dates and empty values read on every page: one module, used everywhere.

Pure functions (no Streamlit). A missing value is an empty string or a word, never ``None``
or ``nan``; a count is a whole number ("4,321", not "4321.00"); a parameter count keeps three
significant digits wherever it appears ("10.7 B", "0.494 B", "141 B"); a date is YYYY-MM-DD.
The table column formats (``PARAMS_FORMAT`` ...) say the same thing to Streamlit's tables, so a
sortable number column and a text cell show one value alike.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import pandas as pd

# printf formats for st.column_config.NumberColumn (sprintf-js: "%.3g" is 3 significant digits).
PARAMS_FORMAT = "%.3g"
SCORE_FORMAT = "%.2f"
COUNT_FORMAT = "localized"
PARAMS_DIGITS = 3


def missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA (the values a table would print as None/nan)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False


def sig(value: float, digits: int = PARAMS_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (as a number, for sortable columns)."""
    if missing(value) or value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def number(value: float, digits: int = PARAMS_DIGITS) -> str:
    """A number with ``digits`` significant digits, no exponent, no trailing zeros: 10.7, 0.494, 141."""
    rounded = sig(float(value), digits)
    if abs(rounded) >= 10 ** (digits - 1):
        return f"{rounded:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded)))) if rounded else 0
    return f"{rounded:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{rounded:.0f}"


def params(value: object, unknown: str | None = "unknown", unit: str = " B") -> str | None:
    """A parameter count in billions: "10.7 B", "7.24 B", "0.494 B"; ``unknown`` when missing."""
    if missing(value):
        return unknown
    return number(float(value)) + unit  # type: ignore[arg-type]


def integer(value: object, unknown: str = "") -> str:
    """A whole number with thousands separators: "4,321"."""
    if missing(value):
        return unknown
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def score(value: object, scale: str = "percent", unknown: str = "") -> str:
    """A benchmark value as its scale reads: percent scores to 2 decimals, Elo and counts whole."""
    if missing(value):
        return unknown
    if scale in ("elo", "count"):
        return integer(value, unknown)
    return f"{float(value):.2f}"  # type: ignore[arg-type]


def date(value: object, unknown: str = "") -> str:
    """A date (or timestamp, or ISO text) as YYYY-MM-DD."""
    if missing(value):
        return unknown
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()[:10]
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def age(days: float) -> str:
    """An age in words: "today", "1 day", "20 days", "about 16 months", "about 2.4 years"."""
    if days < 1:
        return "today"
    if days < 60:
        whole = int(days)
        return f"{whole} day" + ("" if whole == 1 else "s")
    if days < 730:
        return f"about {days / 30.44:.0f} months"
    return f"about {days / 365.25:.1f} years"


def cell(value: object) -> str:
    """Any value as table text: empty when missing, whole floats without ".0", dates as dates."""
    if missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return date(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return f"{value:,.0f}" if value.is_integer() else number(value, 4)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def text_cells(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` whose ``columns`` (default: the object columns) hold no missing value."""
    out = frame.copy()
    chosen = list(columns) if columns is not None else [c for c in out.columns if out[c].dtype == object]
    for column in chosen:
        if column in out:
            out[column] = out[column].map(cell).astype(object)
    return out


__all__ = [
    "COUNT_FORMAT",
    "PARAMS_FORMAT",
    "SCORE_FORMAT",
    "age",
    "cell",
    "date",
    "integer",
    "missing",
    "number",
    "params",
    "score",
    "sig",
    "text_cells",
]

# What a table shows in a cell with no value (st.dataframe(placeholder=...)): never "None".
MISSING = "–"
