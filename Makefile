# Two commands set everything up on a fresh machine: `make generate` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NODE_BIN := node_modules/.bin
SPECS := specs/hotbit-rest.openapi.yaml specs/hotbit-websocket.asyncapi.yaml
GEN_ARGS := --openapi specs/hotbit-rest.openapi.yaml --asyncapi specs/hotbit-websocket.asyncapi.yaml --package hotbit

.PHONY: all deps browser validate generate check test test-fast bench mock clean

all: generate

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Headless Chromium for the docs page test (Debian package; installing it needs root, as on CI).
# `command -v` makes this a no-op once it is there: apt runs only on a machine without it.
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

deps: $(VENV)/.installed node_modules/.installed browser

validate: deps
	$(PY) -m generator validate --strict --require-external $(SPECS)

generate: validate
	$(PY) -m generator generate --strict $(GEN_ARGS) --out generated

# generated/ must be exactly what the specs render to, and must lint and type-check; so must the
# generator itself, runtime modules included.
check: deps
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m generator generate --strict $(GEN_ARGS) --out "$$tmp/out" >/dev/null && \
	if ! diff -r --exclude=__pycache__ --exclude=.mypy_cache --exclude=.ruff_cache --exclude="*.egg-info" --exclude=build generated "$$tmp/out"; then \
	  echo "generated/ drifted from specs/: run 'make generate'" >&2; exit 1; fi
	$(PY) -m ruff check generated
	$(PY) -m ruff format --check generated
	cd generated && ../$(PY) -m mypy --strict hotbit
	$(PY) -m ruff check generator
	$(PY) -m ruff format --check generator
	$(PY) -m mypy --strict generator

# Every layer: tests/unit, tests/sdk and tests/integration (README "Tests").
test: validate check
	$(PY) -m pytest

# The offline layers only (no Node, no browser): unit and sdk.
test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not integration"

# The bench extra (peer generators and their clients' deps), on top of dev; see bench/README.md.
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	touch $@

bench: deps $(VENV)/.bench-installed
	$(PY) -m bench

mock: deps
	$(PY) -m generator mock $(GEN_ARGS) --recordings tests/recordings/rest --ws-recordings tests/recordings/ws --port 8080 --ws-port 8081

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
