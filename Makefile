# gongkai — two commands on a fresh machine (Python 3.11 + make):
#   make demo   set up, then run the whole pipeline on the bundled sample corpus
#   make test   set up, then run every test
#   make cluster-demo  the same chain on a real scheduler with Celery workers (needs Redis), UI until Ctrl-C
#   make bi     then: Apache Superset with the dashboards on that warehouse (installs .venv-bi once)
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export PYTHONUNBUFFERED := 1

.PHONY: setup demo test lint bench clean bi bi-env cluster-demo

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/gongkai: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

setup: $(BIN)/gongkai ## create .venv from the committed lockfile

lint: setup
	$(BIN)/ruff check .

test: setup ## every test
	$(BIN)/ruff check .
	$(BIN)/pytest -q

demo: setup ## the whole pipeline end to end on the sample corpus
	$(BIN)/gongkai demo

cluster-demo: setup ## the demo on a real Airflow cluster (scheduler + 2 Celery workers; needs Redis), up until Ctrl-C
	$(BIN)/gongkai demo --executor celery

bi-env: setup ## Superset's own environment (.venv-bi, from gongkai/bi/requirements.txt)
	GONGKAI_UV=$(UV) $(BIN)/gongkai bi --install-only

bi: bi-env ## Apache Superset on the warehouse, dashboards imported (http://127.0.0.1:8088)
	GONGKAI_UV=$(UV) $(BIN)/gongkai bi

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) .venv-bi $(TOOLS) data dbt_project/target
