"""Small fixes to how the browser side behaves, shipped with the app (static, never built from data)."""

from __future__ import annotations

import streamlit as st

# Streamlit's date input applies a typed date only when the field loses focus; pressing Enter
# did nothing. This listener turns Enter in a date field into a blur, which commits the date.
# Installed once per browser tab (the flag), in the page itself (no outside script).
_ENTER_COMMITS_DATES = """
<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.defaultView.__slmEnterCommitsDates) return;
  doc.defaultView.__slmEnterCommitsDates = true;
  doc.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key === "Enter" && field instanceof doc.defaultView.HTMLInputElement
        && field.closest('[data-testid="stDateInput"]')) {
      field.blur();
    }
  }, true);
})();
</script>
"""


def enter_commits_dates() -> None:
    """Make Enter apply a date typed into any st.date_input of the page."""
    st.html(_ENTER_COMMITS_DATES, unsafe_allow_javascript=True)
