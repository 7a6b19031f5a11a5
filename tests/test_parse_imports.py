"""`python -m etl parse` imports only what the file's kind needs: a text or HTML report must not pay for the
warehouse (pandas, duckdb, pyarrow), the region resolver (cpca) or the PDF and Word readers.

Measured by the modules loaded in a fresh process, not by time (timings belong in bench/parse.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
HEAVY = ("pandas", "numpy", "duckdb", "pyarrow", "cpca", "pymupdf", "fitz", "docx")
# `python -m etl parse --json FILE` as the shell runs it (etl/__main__.py included), then the loaded packages
_PROBE = """
import contextlib, io, json, runpy, sys
sys.argv = ["etl", "parse", "--json", sys.argv[1]]
rc = 0
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        runpy.run_module("etl", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        rc = e.code
print(json.dumps({"rc": rc, "report": json.loads(out.getvalue().splitlines()[0]),
                  "modules": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def _first(pattern: str) -> Path:
    found = sorted(SAMPLES.rglob(pattern))
    assert found, f"no {pattern} under {SAMPLES}"
    return found[0]


@pytest.mark.parametrize("pattern,allowed", [("*.txt", ()), ("*.html", ("lxml",))])
def test_parse_imports_only_its_reader(pattern: str, allowed: tuple[str, ...]) -> None:
    path = _first(pattern)
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=120,
                         cwd=ROOT, check=True)
    res = json.loads(out.stdout)
    assert res["rc"] == 0
    assert res["report"]["cells"], "the report parsed to no cells"
    loaded = set(res["modules"])
    assert loaded.isdisjoint(HEAVY), f"{path.name} pulled in {sorted(loaded & set(HEAVY))}"
    if not allowed:
        assert "lxml" not in loaded
