"""Small fixes to how the browser side behaves, shipped with the app (static, never built from data)."""

from __future__ import annotations

import streamlit as st

# Streamlit's date input applies a typed date only when the field loses focus; pressing Enter
# did nothing. This listener turns Enter in a date field into a blur, which commits the date.
# Installed once per browser tab (the flag), in the page itself (no outside script). No "<" in
# the script: Streamlit's HTML sanitiser drops a script whose text looks like markup.
_ENTER_COMMITS_DATES = """
<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.defaultView.__slmEnterCommitsDates) return;
  doc.defaultView.__slmEnterCommitsDates = true;
  doc.addEventListener("keydown", (event) => {
    const field = event.target;
    // The field is a row of editable segments (year, month, day). Escape closes its calendar,
    // which is when Streamlit applies the typed date; Enter now does the same.
    if (event.key === "Enter" && field && field.closest && field.closest('[data-testid="stDateInput"]')) {
      event.preventDefault();
      field.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", code: "Escape", bubbles: true}));
    }
  }, true);
})();
</script>
"""


def enter_commits_dates() -> None:
    """Make Enter apply a date typed into any st.date_input of the page."""
    # In the sidebar: the main area never holds a script (the hostile-names test checks it).
    st.sidebar.html(_ENTER_COMMITS_DATES, unsafe_allow_javascript=True)
