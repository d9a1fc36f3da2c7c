"""The Streamlit dashboard: app.py (navigation), views/ (layout), and plain helpers that tests call."""
