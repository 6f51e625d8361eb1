# The two fresh-machine commands (see README.md). Both install what they need, idempotently.
PYTHON ?= python3
APT_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup demo test bench

setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	$(PYTHON) -m pip install -q -e '.[test]'

demo: setup
	tinygen check --board mps2-an386
	tinygen run --board mps2-an386 --random 10

test: setup
	$(PYTHON) -m pytest -q

bench: setup
	$(PYTHON) benchmarks/check.py
	$(PYTHON) benchmarks/codegen.py
