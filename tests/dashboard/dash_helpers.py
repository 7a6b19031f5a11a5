"""Helpers shared by the dashboard tests (a uniquely named module: `conftest` may exist elsewhere too)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")


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
