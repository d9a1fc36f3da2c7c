"""SLM Tracker database layer: schema, migrations, engine, history writes and read queries.

This package is the only place that issues SQL. It imports neither Streamlit nor
huggingface_hub, so the dashboard and the ingesters can both stand on it.
"""
