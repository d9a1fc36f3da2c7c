# SLM Tracker: `make run` (dashboard on http://localhost:8501) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint format bench db seed clean audit

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SLM Tracker needs Python 3.11 or newer: set PYTHON=/path/to/python3.11")'
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "error: cannot create a virtualenv; on Debian: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

db: $(VENV)/.runtime
	$(BIN)/python -m ingest init
	$(BIN)/python -m ingest seed --if-empty

# From the checkout, not installed: PYTHONPATH makes the packages importable to the app
# (`pip install .` and `slm-tracker dashboard` do the same from a wheel; see README, Install).
run: db
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" $(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true

test: $(VENV)/.dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev
	$(BIN)/python -m bench --quick

audit: $(VENV)/.dev
	$(BIN)/pip-audit -r requirements.txt

seed: $(VENV)/.dev
	$(BIN)/python scripts/build_seed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
