"""How far a size or a license can be trusted, in words: the model page and the status page.

The texts are plain functions (tested without Streamlit); ``show_*`` lay them out.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard import format as fmt
from db import facts as rules

CONFIDENCE_WORDS = {
    "exact": "exact: counted from the weights (the Hub's safetensors or GGUF total)",
    "corrected": "corrected: the source's own count was wrong and was replaced",
    "board-decimal": "the board's decimal count (computed by the board from the weights)",
    "floor": "a whole number rounded down by the board: the size lies between x and x+1",
    "name": "an estimate: the size the name, a paper or a card states (nominal, e.g. 7B for 6.74 B)",
    "doubtful": "doubtful: it failed a plausibility check, so size filters, classes, frontiers "
    "and reigns leave it out unless asked",
}


def _num(value: float) -> str:
    return fmt.number(float(value))  # the same significant digits as every other size shown


def size_text(model: dict) -> str:
    """The size as a short value: '6.74 B', '6-7 B', '~7 B', '56 B?' or 'unknown'."""
    value = model.get("params_b")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    confidence = model.get("params_confidence") or rules.classify(value, model.get("params_source"))
    if confidence == "floor":
        return f"{_num(value)}-{_num(value + 1)} B"
    if confidence == "name":
        return f"~{_num(value)} B"
    if confidence == "doubtful":
        return f"{_num(value)} B?"
    return f"{_num(value)} B"


def size_explanation(model: dict) -> str:
    """Where the size comes from, how far it is trusted and why (one paragraph)."""
    value = model.get("params_b")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "No source gives this model's size: it is left out of size filters, classes and frontiers."
    source = model.get("params_source") or "unknown source"
    confidence = model.get("params_confidence") or rules.classify(value, source)
    text = f"Size {size_text(model)}, from {source}. Confidence: {CONFIDENCE_WORDS.get(confidence, confidence)}."
    note = model.get("params_note")
    if note:
        text += f" Why: {note}."
    return text


def license_text(model: dict) -> str:
    """The repo's own license, or the base model's marked as inherited (never as the repo's own)."""
    own = model.get("license")
    if own:
        return own
    inherited = model.get("license_inherited")
    if inherited:
        return f"none stated (base model {model.get('license_inherited_from')}: {inherited}, inherited)"
    return "no license given"


def audit_frame(conn) -> pd.DataFrame:
    """The fidelity report (``python -m db audit``)."""
    from db.fidelity import audit

    return audit(conn)


def show_size_provenance(model: dict) -> None:
    """The model page's paragraph on its size (a warning when doubtful)."""
    import streamlit as st

    from dashboard import ui

    text = ui.md(size_explanation(model))
    if (model.get("params_confidence") or "") == "doubtful":
        st.warning(text, icon=":material/help:")
    else:
        st.caption(text)
    if not model.get("license") and model.get("license_inherited"):
        st.caption(ui.md(f"License: {license_text(model)}."))


def show_fidelity(url: str, ver: tuple) -> None:
    """The status page's section: how far each board's sizes and licenses can be trusted."""
    import streamlit as st

    from dashboard import data

    frame = _cached_audit(url, ver)
    st.subheader("How far the sizes and licenses can be trusted")
    st.caption(
        "Per board, the models it lists: sizes counted exactly, estimated (a board's decimal, a "
        "rounded-down whole number, a name), corrected, or doubtful (left out of size filters unless "
        "asked); licenses unknown; partial snapshots. The same as 'python -m db audit'."
    )
    shown = frame[frame["models"] > 0].assign(leaderboard=lambda f: f["leaderboard"].map(data.source_label))
    st.dataframe(shown, hide_index=True, key="fidelity_table")


def _cached_audit(url: str, ver: tuple) -> pd.DataFrame:
    import streamlit as st

    @st.cache_data(show_spinner=False, max_entries=4)
    def run(url: str, ver: tuple) -> pd.DataFrame:
        from dashboard import ui

        with ui.engine().connect() as conn:
            return audit_frame(conn)

    return run(url, ver)
