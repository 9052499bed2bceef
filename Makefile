# gongkai — two commands on a fresh machine (Python 3.11 + make):
#   make demo   set up, then run the whole pipeline on the bundled sample corpus
#   make test   set up, then run every test
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export PYTHONUNBUFFERED := 1

.PHONY: setup demo test lint bench clean

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/gongkai: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra ocr --python $(PYTHON)
	@touch $@

setup: $(BIN)/gongkai ## create .venv from the committed lockfile

lint: setup
	$(BIN)/ruff check .

test: setup ## every test
	$(BIN)/ruff check .
	$(BIN)/pytest -q

demo: setup ## the whole pipeline end to end on the sample corpus
	$(BIN)/gongkai demo

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) $(TOOLS) data dbt_project/target
