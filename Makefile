# Everything a new user needs: `make demo` and `make test`. Both create .venv on first use.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: venv test test-fast lint demo docs bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

test: venv
	@command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || [ -n "$$BROWSER_PATH" ] || \
	  { echo "make test needs Chromium (chart export, browser test): apt-get install chromium fonts-noto-cjk," \
	    "or run .ci/run, which installs them"; exit 2; }
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --durations=15

# The fast lane while working: no OCR, LibreOffice, Scrapy, install, kill or browser tests (tests/conftest.py
# lists the slow ones). CI runs `make test`, which runs everything.
test-fast: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow and not browser" -n 2 --dist loadfile --durations=15

lint: venv
	$(BIN)/ruff check .

# docs/reference/*.md from the registries (etl/docsgen.py); tests/test_docs.py fails while they lag behind
docs: venv
	$(BIN)/python -m etl docs

# the dashboard has no login: it listens on this machine only unless ADDRESS says otherwise (README)
ADDRESS ?= 127.0.0.1

demo: venv
	$(BIN)/python -m etl build data/samples --db data/warehouse.duckdb
	@echo "Opening the dashboard at http://$(ADDRESS):8501 (Ctrl+C to stop)"
	$(BIN)/streamlit run dashboard/app.py --server.headless true --server.address $(ADDRESS)

bench: venv
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/roundtrip.py
	$(BIN)/python bench/build.py --reports 10000
	$(BIN)/python bench/dashboard.py --reports 10000

clean:
	rm -rf $(VENV) data/warehouse.duckdb*
