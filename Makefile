# Qiyue: developer and CI entry points. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

# Python 3.11 for the venv (pyproject: >=3.11,<3.14); override with `make venv PYTHON=...`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py
VAR_DIR := $(or $(QIYUE_VAR_DIR),var)

# Extra pytest arguments for `make test`, e.g. make test PYTEST_ARGS="-k lifecycle".
PYTEST_ARGS ?=
# pytest-xdist workers per pass for `make test` (0 = serial; the machines have 2 cores).
PYTEST_WORKERS ?= 2
# The passes `make test` runs, in order.
TEST_DBS ?= sqlite postgres
export PYTEST_ARGS PYTEST_WORKERS TEST_DBS

# Drops pip's warnings about configured package directories that do not exist here.
PIP_FILTER := { grep -v "^WARNING: Location '.*' is ignored" || true; }
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.PHONY: help venv sysdeps messages migrate fonts demo run serve test bench lint clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## Create .venv (Python 3.11) and install the project with its dev extra

# uv installs the same packages from PyPI in a few seconds where pip takes half a minute; where
# uv cannot reach its index (a machine that reaches only a mirror configured for pip), pip does.
$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "==> creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@{ $(PY) -m pip install -q uv 2>&1 | $(PIP_FILTER) && \
	  $(VENV)/bin/uv pip install -q --python $(PY) -e ".[dev]"; } || { \
	  echo "==> uv could not install; installing with pip"; \
	  $(PY) -m pip install -q --upgrade pip 2>&1 | $(PIP_FILTER) && \
	  $(PY) -m pip install -q -e ".[dev]" 2>&1 | $(PIP_FILTER); }
	@rm -rf qiyue.egg-info
	@touch $@

sysdeps: ## Install missing Debian packages (PostgreSQL, gettext, CJK fonts, poppler, WeasyPrint libs)
	@scripts/sysdeps.sh

messages: venv ## Compile the translations in locale/ (.po -> .mo)
	@$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var --ignore=node_modules >&2

migrate: venv messages ## Apply the database migrations (default: SQLite in var/)
	@mkdir -p "$(VAR_DIR)"
	$(MANAGE) migrate --noinput

demo: migrate fonts ## Load the demo data (manage.py seed_demo)
	$(MANAGE) seed_demo

fonts: migrate ## Prepare the CJK fonts for PDFs once (manage.py build_fonts)
	$(MANAGE) build_fonts --if-missing

# `make run` serves as officials see it (the app's own error pages, static files by WhiteNoise);
# `make run QIYUE_DEBUG=1` shows Django's debug pages instead. Without DEBUG the demo signs its
# sessions with a key of its own, made once in $(VAR_DIR)/ (unless QIYUE_SECRET_KEY is set).
QIYUE_DEBUG ?= 0
run: venv sysdeps messages migrate fonts demo ## Serve the demo on http://127.0.0.1:8000 (QIYUE_DEBUG=1 for debug pages)
	@test -s "$(VAR_DIR)/demo-secret-key" || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > "$(VAR_DIR)/demo-secret-key"
	QIYUE_DEBUG=$(QIYUE_DEBUG) QIYUE_SECRET_KEY="$${QIYUE_SECRET_KEY:-$$(cat "$(VAR_DIR)/demo-secret-key")}" $(MANAGE) runserver 127.0.0.1:8000

# `make serve`: the production start. Everything else comes from the environment (.env.example,
# README "Deployment"); these three are gunicorn's own.
QIYUE_BIND ?= 127.0.0.1:8000
QIYUE_WORKERS ?= 3
QIYUE_WORKER_TIMEOUT ?= 60
serve: export QIYUE_DEBUG = 0
serve: export QIYUE_MANIFEST_STATIC = 1
# Rate-limit counters shared by the workers, unless the environment names another cache.
serve: export QIYUE_CACHE_URL ?= file://$(abspath $(VAR_DIR))/cache
serve: venv messages ## Serve in production: gunicorn + WhiteNoise, DEBUG off, settings from the environment
	@$(PY) -c "import qiyue.wsgi" 2>&1 | tail -n 1 >&2  # refuses a default or short secret key
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) build_fonts --if-missing
	exec $(VENV)/bin/gunicorn qiyue.wsgi --preload --bind "$(QIYUE_BIND)" \
	  --workers "$(QIYUE_WORKERS)" --timeout "$(QIYUE_WORKER_TIMEOUT)" \
	  --max-requests 1000 --max-requests-jitter 100 --access-logfile - --error-logfile -

test: venv sysdeps messages ## Run the tests on SQLite, then on a private PostgreSQL (PYTEST_ARGS=...)
	@scripts/test.sh

bench: venv messages ## Run the benchmarks (python -m benchmarks), printing JSON
	@$(MANAGE) build_fonts --if-missing >&2
	@$(PY) -m benchmarks

lint: venv ## ruff check, ruff format --check and the import-linter layer contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean: ## Remove var/, build leftovers and caches (keeps .venv)
	-@scripts/pg-test-server stop >/dev/null 2>&1
	rm -rf var/ build/ *.egg-info .pytest_cache .ruff_cache staticfiles/ media/
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
