# The two fresh-machine commands (see README.md). Both install what they need, idempotently,
# into a project virtual environment (.venv/), never into the system Python (PEP 668).
# PYTHON only creates the venv: to switch interpreters, delete .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm python3-venv cmake
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The install is redone only when pyproject.toml changes (or the venv is new).
STAMP := $(VENV)/.tinygen-installed
# Narrows the suite, e.g. make test PYTEST_ARGS="tests/test_boards.py"
PYTEST_ARGS ?=

.PHONY: setup apt demo test lint bench wheel-check

setup: $(STAMP)

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

# A venv whose pip does not run (created before python3-venv was installed) is made again.
$(STAMP): pyproject.toml | apt
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

demo: setup
	$(BIN)/tinygen check --board mps2-an386
	$(BIN)/tinygen run --board mps2-an386 --random 10

test: setup lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# ruff (lint, import order) and mypy (pyproject.toml), before the suite; tests/test_layers.py checks the layers.
lint: setup
	$(BIN)/ruff check tinygen tests benchmarks scripts
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/check.py
	$(BIN)/python benchmarks/codegen.py

# The wheel as users install it, in a fresh venv of its own (not .venv): see scripts/wheel_check.sh.
wheel-check: apt
	PYTHON=$(PYTHON) bash scripts/wheel_check.sh
