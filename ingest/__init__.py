"""SLM Tracker ingesters: one module per source (extract -> normalise -> load), the CLI and
the scheduler. Depends on ``db``; nothing depends on it."""
