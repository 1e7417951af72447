# One-command set-up: every target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz stateful soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check aioble_hci aioble bluetooth tests benchmarks examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,fuzz]'
	$(BIN)/python -m tests.fuzz

stateful: $(STAMP)
	AIOBLE_HCI_STATEFUL=long $(BIN)/python -m pytest tests/stateful -p no:cacheprovider

soak: $(STAMP)
	AIOBLE_HCI_SOAK=long $(BIN)/python -m pytest tests/soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
