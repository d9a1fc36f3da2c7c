"""The ``slm-tracker`` command: one entry point for the ingest CLI, the reports and the dashboard."""
