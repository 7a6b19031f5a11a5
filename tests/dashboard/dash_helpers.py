"""Helpers shared by the dashboard tests (a uniquely named module: `conftest` may exist elsewhere too)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")

# Where a generated report's cells are said to have been placed (the generated corpus prints full headers, so
# the parser places every cell by "header"): one cell of every other kind of evidence, two by arithmetic.
PLACED = {("t3", "new_received", "natural_person"): "arithmetic", ("t3", "new_received", "commercial"): "arithmetic",
          ("t4", "review", "upheld"): "official_order", ("t2", "regulations", "issued"): "position"}
BROKEN = ("t3", "granted", "research")  # printed one higher: a table-3 finding to highlight beside the marks

# An agency name that is Markdown for an image from a local port nothing listens on: if any page renders it as
# Markdown, the browser fetches that URL (the browser test watches for it) and the heading links it.
INJECTED = "![p](http://127.0.0.1:9/px.png)样例局"
INJECTED_TITLE = "[标题](http://127.0.0.1:9/t) <img src=http://127.0.0.1:9/t.png> $x$ :streamlit:"
INJECTED_PROBLEM = "![q](http://127.0.0.1:9/q.png) **粗体** www.example.com"


def open_app(page: str | None = None, query: dict | None = None):
    """An AppTest of dashboard/app.py run once, then switched to `page` (e.g. "quality") and run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def report_files(run, report_id: str) -> tuple[str, str]:
    """(agency, "<year>年度"): how the files of one report's tables are named (`<agency>_<year>年度_表三.csv`)."""
    r = run("SELECT agency_name, year FROM reports WHERE report_id = ?", [report_id]).iloc[0]
    return r["agency_name"], f"{int(r['year'])}年度"


def chromium_ok() -> bool:
    return os.path.exists("/usr/bin/chromium")


def sql_runner(con):
    """`run(sql, params)` over a DuckDB connection, a cursor per query, as the dashboard's pages call it."""
    def _run(sql: str, params=()):
        cur = con.cursor()
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()

    return _run


def with_problems(text: str) -> str:
    """A generated report's text made to trip the parser: a figure printed as words in table 2 (text_cell)
    and table 4 cut off with the chapters after it (missing_table) — problems it words from its registry."""
    import re

    out = re.sub(r"(行政许可[^0-9\n]*\n?[^0-9\n]*)(\d+)", r"\1待统计", text, count=1)
    head = re.search(r"^.*政府信息公开行政复议、行政诉讼情况.*$", out, re.M)
    return out[:head.start()] if head else out
