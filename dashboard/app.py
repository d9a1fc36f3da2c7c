"""SLM Tracker dashboard: ``slm-tracker dashboard``, or ``streamlit run dashboard/app.py`` from a checkout.

Navigation only: each page is one module in ``dashboard/pages``. Every page runs inside a
guard that logs any error and shows a friendly message instead of a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

# `dashboard` must be importable: installed (`pip install .`, then `slm-tracker dashboard`), or
# the checkout on PYTHONPATH (`make run` sets it; `streamlit run` only adds dashboard/ itself).
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

try:
    from core.errors import ConfigError, DatabaseError, TrackerError
    from dashboard import browser
    from dashboard.ui import md
except ModuleNotFoundError as exc:  # a bare `streamlit run dashboard/app.py` from a checkout
    if exc.name not in ("dashboard", "db"):
        raise
    st.error(
        "SLM Tracker's packages are not on the Python path: start the dashboard with `make run`, "
        "`slm-tracker dashboard` (after `pip install .`) or `PYTHONPATH=. streamlit run dashboard/app.py`."
    )
    st.stop()

log = logging.getLogger("dashboard")
PAGES = Path(__file__).resolve().parent / "views"

# A file served by this server: a ":material/..." page icon is fetched from an outside font host.
st.set_page_config(page_title="SLM Tracker", page_icon=PAGES.parent / "theme" / "favicon.png", layout="wide")

pages = [
    st.Page(PAGES / "leaderboard.py", title="Leaderboard", icon=":material/leaderboard:", url_path="", default=True),
    st.Page(PAGES / "size.py", title="Size vs score", icon=":material/scatter_plot:", url_path="size"),
    st.Page(PAGES / "licenses.py", title="Licenses", icon=":material/gavel:", url_path="licenses"),
    st.Page(PAGES / "history.py", title="History", icon=":material/history:", url_path="history"),
    st.Page(PAGES / "devices.py", title="Best for your device", icon=":material/devices:", url_path="devices"),
    st.Page(PAGES / "model.py", title="Model", icon=":material/deployed_code:", url_path="model"),
    st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page(PAGES / "evals.py", title="Eval results", icon=":material/verified:", url_path="evals"),
    st.Page(PAGES / "tasks.py", title="Tasks", icon=":material/task_alt:", url_path="tasks"),
    st.Page(PAGES / "status.py", title="Data status", icon=":material/monitor_heart:", url_path="status"),
]
page = st.navigation(pages)
# Static CSS shipped with the app (never built from data).
st.html(f"<style>{(Path(__file__).resolve().parent / 'theme' / 'app.css').read_text(encoding='utf-8')}</style>")
browser.enter_commits_dates()

with st.sidebar:
    st.caption(
        "SLM Tracker follows small open language models on public leaderboards. "
        "Data: Open LLM Leaderboard v1 and v2, Chatbot Arena, the Hugging Face Hub."
    )

try:
    page.run()
except (RerunException, StopException):
    raise
except (DatabaseError, ConfigError) as exc:
    log.warning("dashboard cannot read its data: %s", exc)
    st.error(
        "The dashboard cannot read its database right now. "
        + md(str(exc)[:300])
        + "  \nIf you run this site, see docs/dashboard.md (Setup).",
        icon=":material/database:",
    )
except TrackerError as exc:
    log.info("page error: %s", exc)
    st.warning(md(str(exc)[:300]), icon=":material/warning:")
except Exception:
    log.exception("page %s failed", page.title)
    st.error(
        "Sorry, this page hit a problem and could not be shown. "
        "Try again, or reset the filters by opening the page without its query string.",
        icon=":material/error:",
    )
