# One-command set-up: every target creates .venv on first use.
# `make demo` installs the package with its runtime dependencies only; `make test` and the other
# developer targets add the dev extra. Each has its own stamp, so neither reinstalls the other.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.created
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz stateful soak clean check-python

# The Python check runs before anything touches .venv: a wrong interpreter names what to install.
check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	    echo "aioble-hci needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>/dev/null || echo 'not found')." >&2; \
	    echo "Install python3.11 (or newer) with its venv module (Debian/Ubuntu: sudo apt install python3.11 python3.11-venv;" >&2; \
	    echo "macOS: brew install python@3.12; Windows: python.org), then run: make $(or $(MAKECMDGOALS),test) PYTHON=python3.11" >&2; \
	    exit 1; }

# A .venv made by another Python is replaced; if creating one fails it is removed again, so a
# failed or interrupted set-up never leaves a broken .venv for the next `make`.
$(VENV_STAMP): | check-python
	@if [ -e $(VENV) ] && ! $(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then \
	    echo "removing $(VENV): its Python is missing or older than 3.11" >&2; rm -rf $(VENV); fi
	@if [ ! -x $(BIN)/python ]; then \
	    { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip; } \
	    || { rm -rf $(VENV); echo "could not create $(VENV) with $(PYTHON): install its venv module (Debian/Ubuntu: sudo apt install python3-venv)" >&2; exit 1; }; \
	fi
	touch $(VENV_STAMP)

$(RUNTIME_STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

demo: $(RUNTIME_STAMP)
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
