# `make run` serves the API on the embedded SQLite default; `make test` runs the suite;
# `make lint` checks style, formatting and the layers.
# Each builds its own virtual environment on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint upgrade clean

$(BIN)/.installed-runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/.installed-runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

upgrade: $(BIN)/.installed-runtime
	$(BIN)/flask db upgrade

run: upgrade
	$(BIN)/flask run

test: $(BIN)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider --no-cov tests/test_layers.py

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov

.PHONY: bench bench-quick

$(BIN)/.installed-bench: requirements-bench.txt $(BIN)/.installed-runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

bench: $(BIN)/.installed-bench     # the full run that writes BENCHMARKS.md (needs wrk)
	$(BIN)/python -m bench --large 1000000 $(BENCH_ARGS)

bench-quick: $(BIN)/.installed-bench   # a few seconds, no thresholds: keeps the script working
	$(BIN)/python -m bench --quick

.PHONY: image-test

# Builds the container image with podman and runs it (SQLite on a volume, then this
# machine's PostgreSQL and Redis); skips with the reason when podman cannot run here.
image-test:
	bash tests/image/run.sh
