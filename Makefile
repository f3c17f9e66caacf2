VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3

.PHONY: demo test lint install install-test install-spark clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

# The Spark engine and its tests (pyspark; the tests also need Java): .ci/run installs it.
$(VENV)/.installed-spark: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[spark]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

install-spark: $(VENV)/.installed-spark

demo: install
	$(VENV)/bin/robotrace demo

# mypy reads its settings (files, strictness per package) from pyproject.toml's [tool.mypy].
test: install-test
	$(VENV)/bin/ruff check src tests benchmarks scripts fuzz
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check src tests benchmarks scripts fuzz
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
