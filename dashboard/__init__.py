"""The Streamlit dashboard: app.py (navigation), pages/ (layout), and plain helpers that tests call."""
