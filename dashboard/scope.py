"""What a page's defaults leave out, said in one line with a one-click way to show it.

The leaderboard opens on small models with flagged models hidden (its name promises small
models; a flagged model's scores are in doubt). ``hidden_by_default`` is the pure rule;
``scope_note`` is the Streamlit line above the table.
"""

from __future__ import annotations

import math

import streamlit as st

from dashboard.filters import ALL_SIZES, SIZE_BY_KEY, WIDGET_KEYS, FilterState


def hidden_by_default(state: FilterState, defaults: FilterState) -> list[str]:
    """Which of the page's default limits are still in force: "size", "flagged" (in that order)."""
    out = []
    if defaults.preset and state.preset == defaults.preset:
        out.append("size")
    if "flagged" in defaults.hide and "flagged" in state.hide:
        out.append("flagged")
    return out


def describe_hidden(state: FilterState, hidden: list[str]) -> str:
    parts = []
    if "size" in hidden and state.preset:
        size = SIZE_BY_KEY[state.preset]
        parts.append(f"models up to {size.high:g}B (unknown sizes left out)")
    if "flagged" in hidden:
        parts.append("flagged models hidden (the board doubts their scores)")
    return "Showing " + " and ".join(parts) + "." if parts else ""


def _show_all_sizes() -> None:
    st.session_state[WIDGET_KEYS["preset"]] = ALL_SIZES
    st.session_state[WIDGET_KEYS["params"]] = (0.0, math.inf)


def _show_flagged() -> None:
    hide = [h for h in st.session_state.get(WIDGET_KEYS["hide"]) or [] if h != "flagged"]
    st.session_state[WIDGET_KEYS["hide"]] = hide


def scope_note(state: FilterState, defaults: FilterState) -> None:
    """A caption naming what the defaults hide, with buttons that show it (one click each)."""
    hidden = hidden_by_default(state, defaults)
    if not hidden:
        return
    with st.container(horizontal=True, vertical_alignment="center", key="scope_note"):
        st.caption(describe_hidden(state, hidden), width="content")
        if "size" in hidden:
            st.button("Show all sizes", key="scope_all_sizes", on_click=_show_all_sizes, type="tertiary")
        if "flagged" in hidden:
            st.button("Show flagged", key="scope_flagged", on_click=_show_flagged, type="tertiary")
