# Two commands set everything up on a fresh machine: `make generate` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NODE_BIN := node_modules/.bin
SPECS := specs/hotbit-rest.openapi.yaml specs/hotbit-websocket.asyncapi.yaml specs/hotbit-websocket.asyncapi3.yaml
GEN_ARGS := --openapi specs/hotbit-rest.openapi.yaml --asyncapi specs/hotbit-websocket.asyncapi.yaml --package hotbit

.PHONY: all deps test-tools browser validate generate check test test-fast bench mock clean

all: generate

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# `make generate` installs only the validators (package.json "dependencies": Spectral and the AsyncAPI
# schemas); `make test` adds the test tools ("devDependencies": Prism, Newman, Insomnia's importer).
# Neither needs root.
node_modules/.installed: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	rm -f node_modules/.test-installed
	touch $@

node_modules/.test-installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed $@

# Headless Chromium for the docs page test, only for `make test`. CI (root, Debian) apt-installs it;
# elsewhere, without it, this prints one line and the docs browser test skips saying why
# (under CI=true that test fails instead).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && apt-get install -y --no-install-recommends chromium; \
	elif [ "$${CI:-}" = true ]; then \
	  echo "chromium is required on CI: install it (Debian package chromium)" >&2; exit 1; \
	else \
	  echo "note: no chromium and no root/apt-get to install it: the docs browser test will be skipped"; \
	fi

deps: $(VENV)/.installed node_modules/.installed

# Everything `make test` needs on top of `make generate`'s.
test-tools: deps node_modules/.test-installed browser

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
	$(PY) -m ruff check generator tests bench
	$(PY) -m ruff format --check generator tests bench
	$(PY) -m mypy --strict generator

# Every layer: tests/unit, tests/sdk and tests/integration (README "Tests"), on every core, with
# the full hypothesis profile.
test: test-tools validate check
	$(PY) -m pytest --hypothesis-profile=full

# The offline layers only (no Node, no browser): unit and sdk, on every core (about a minute).
test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not integration"

# The bench extra (peer generators and their clients' deps), on top of dev; see bench/README.md.
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	touch $@

bench: deps $(VENV)/.bench-installed
	$(PY) -m bench

mock: $(VENV)/.installed
	$(PY) -m generator mock $(GEN_ARGS) --recordings tests/recordings/rest --ws-recordings tests/recordings/ws --port 8080 --ws-port 8081

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
