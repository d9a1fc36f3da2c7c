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
    from dashboard import browser, heap, page_cache
    from dashboard.ui import md
except ModuleNotFoundError as exc:  # a bare `streamlit run dashboard/app.py` from a checkout
    if exc.name not in ("core", "dashboard", "db"):
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

# Built once per process (page_cache.pages), copied for each run.
pages = page_cache.pages(
    (
        page_cache.PageSpec(str(PAGES / "leaderboard.py"), "Leaderboard", ":material/leaderboard:", "", default=True),
        page_cache.PageSpec(str(PAGES / "size.py"), "Size vs score", ":material/scatter_plot:", "size"),
        page_cache.PageSpec(str(PAGES / "licenses.py"), "Licenses", ":material/gavel:", "licenses"),
        page_cache.PageSpec(str(PAGES / "history.py"), "History", ":material/history:", "history"),
        page_cache.PageSpec(str(PAGES / "devices.py"), "Best for your device", ":material/devices:", "devices"),
        page_cache.PageSpec(str(PAGES / "model.py"), "Model", ":material/deployed_code:", "model"),
        page_cache.PageSpec(str(PAGES / "compare.py"), "Compare", ":material/compare_arrows:", "compare"),
        page_cache.PageSpec(str(PAGES / "evals.py"), "Eval results", ":material/verified:", "evals"),
        page_cache.PageSpec(str(PAGES / "tasks.py"), "Tasks", ":material/task_alt:", "tasks"),
        page_cache.PageSpec(str(PAGES / "status.py"), "Data status", ":material/monitor_heart:", "status"),
    )
)
page = st.navigation(pages)
# Static CSS shipped with the app (never built from data).
st.html(f"<style>{page_cache.static_text(str(PAGES.parent / 'theme' / 'app.css'))}</style>")
browser.enter_commits_dates()

with st.sidebar:
    st.caption(
        "SLM Tracker follows small open language models on public leaderboards. "
        "Data: Open LLM Leaderboard v1 and v2, Chatbot Arena, the Hugging Face Hub."
    )

try:
    page.run()
    heap.release_later()  # give the run's freed memory back to the system, off this thread
except (RerunException, StopException):
    heap.release_later()
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
