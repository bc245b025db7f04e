# jaxdojo: the two commands of the quick start are `make run` and `make test`.
# Both create .venv in the checkout and install everything they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint typecheck pytest browser-deps bench clean

$(BIN)/jaxdojo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/jaxdojo

## Start the platform on the embedded default (SQLite + a local worker).
run: setup
	$(BIN)/jaxdojo serve --host $(HOST) --port $(PORT)

## Everything CI runs: lint, format check, types, the whole test suite.
test: setup browser-deps lint typecheck pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# The tests that run the real sandbox many times (marked slow: every problem's solutions
# and mutants) go on two workers; the rest, some of which time things, run one at a time.
PYTEST_WORKERS ?= 2
pytest: setup
# (Exit status 5 is "nothing selected", e.g. PYTEST_ARGS=-k picking from one half only.)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS) || test $$? -eq 5
	$(BIN)/python -m pytest -m slow -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || test $$? -eq 5

# Browser tests drive Debian's Chromium through Playwright (Playwright cannot download
# its own browsers here). Installs it when we are root and it is missing.
browser-deps:
	@bash scripts/ensure-chromium.sh

bench: setup
	$(BIN)/python bench/grade_latency.py

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
