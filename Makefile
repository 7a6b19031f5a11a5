# Everything a new user needs: `make demo` and `make test`. Both create .venv on first use.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: venv test lint demo bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

test: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

demo: venv
	$(BIN)/python -m etl build data/samples --db data/warehouse.duckdb
	$(BIN)/streamlit run dashboard/app.py

bench: venv
	$(BIN)/python bench/parse.py

clean:
	rm -rf $(VENV) data/warehouse.duckdb*
