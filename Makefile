# The two commands of README.md: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: run test setup system-deps lint unit fmt bench clean

$(VENV)/.installed: pyproject.toml requirements.lock package-lock.json
	SCARF_ANALYTICS=false npm ci --ignore-scripts --silent --no-audit --no-fund
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

setup: $(VENV)/.installed

system-deps:
	bash scripts/system-deps.sh

## Set everything up and start Taut's main job: the web app on SQLite with a demo clinic; prints the login.
run: setup
	$(BIN)/taut serve --demo

## Run every test: lint, types, import layers, then the whole pytest suite.
test: setup system-deps lint
	$(BIN)/pytest -n 2 --dist loadgroup

## The fast tests, in seconds: the pure core, the CLI and the docs' examples (no root, no PostgreSQL, no browser).
unit: setup
	$(BIN)/pytest -n 2 tests/unit

## Format the code and apply ruff's safe fixes.
fmt: setup
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

lint: setup
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup  # the targets of issue 18 as one table, fast settings; make bench FULL=1 for the stated sizes
	bash scripts/bench-deps.sh
	$(PY) -m bench $(if $(FULL),--full)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
