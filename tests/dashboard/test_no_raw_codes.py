"""No raw code reaches a reader: rule codes, canonical keys, reason codes and ids stay inside the program.
Every page in both languages is opened on the fixture warehouse; its visible text and every table and Excel
or CSV file it offers are searched."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from dash_helpers import open_app
from openpyxl import load_workbook

from dashboard import PAGES as DASHBOARD_PAGES
from etl import formats as F
from etl.checks.categories import CATEGORY_OF
from etl.reasons import REASONS

PAGES = list(DASHBOARD_PAGES)
# snake_case canonical keys (row and column keys of every table and format), rule and reason codes
KEYS = sorted({k for t in F.TABLES for fmt in F.FORMATS for a in F.table_cells(t, fmt) for k in (a.row, a.col)
               if "_" in k} | {"granted_or_partly"})
# rule codes that are not plain English words (non-negative, duplicate, coverage … read as words in the
# English interface), and the snake_case reason codes
# and the template codes (a report printed in both forms, or before the national form), which the sidebar, the
# Report page and the Load page print as words
CODES = sorted({c for c in CATEGORY_OF if c[0].isupper() or "-vs-" in c} | {c for c in REASONS if "_" in c}
               | {F.MIXED, F.LEGACY})
RAW = re.compile(r"(?<![0-9a-zA-Z])(?:" + "|".join(map(re.escape, KEYS + CODES)) + r")(?![0-9a-zA-Z_])"
                 r"|(?<![0-9a-f])(?=[0-9]*[a-f])[0-9a-f]{16,64}(?![0-9a-f])")  # an id: hex with a letter
# The glossary's data-dictionary column names the exported columns on purpose; a link column's value is the
# address behind its "open report" text, not what the screen prints.
KEEP_COLUMNS = {"导出数据中的列名", "Column name in exported data"}


def visible(at) -> list[str]:
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    for d in at.dataframe:
        df = d.value.drop(columns=[c for c in d.value.columns if c in KEEP_COLUMNS])
        out += [str(c) for c in df.columns]
        out += [str(v) for v in df.to_numpy().ravel().tolist() if not str(v).startswith("report?report=")]
    for w in (*at.selectbox, *at.multiselect, *at.radio):
        out.append(str(w.label))
        try:
            out += [str(w.format_func(o)) for o in w.options] if hasattr(w, "format_func") else []
        except Exception:  # noqa: BLE001 (options already formatted by Streamlit)
            out += [str(o) for o in w.options]
    return out


def export_text(name: str, data: bytes) -> list[str]:
    if name.endswith(".csv"):
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, comment="#")
        df = df.drop(columns=[c for c in df.columns if c in KEEP_COLUMNS])
        return [*map(str, df.columns), *df.to_numpy().ravel().tolist()]
    if name.endswith(".xlsx"):
        wb = load_workbook(io.BytesIO(data))
        out = []
        for ws in wb:
            rows = list(ws.iter_rows(values_only=True))
            header = next((i for i, r in enumerate(rows) if any(v in KEEP_COLUMNS for v in r)), None)
            skip = {j for j, v in enumerate(rows[header]) if v in KEEP_COLUMNS} if header is not None else set()
            out += [str(v) for r in rows for j, v in enumerate(r) if v is not None and j not in skip]
        return out
    return []


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_raw_code_on_screen_or_in_exports(app_env, downloads, page, lang):
    at = open_app(page, {"lang": lang})
    leaks = sorted({m.group(0) for text in visible(at) for m in RAW.finditer(text)})
    assert not leaks, f"{page}/{lang} shows {leaks[:10]}"
    for name, make in list(downloads.items()):
        if not name.endswith((".csv", ".xlsx")):
            continue
        found = sorted({m.group(0) for text in export_text(name, make()) for m in RAW.finditer(text)})
        assert not found, f"{page}/{lang} {name} holds {found[:10]}"


def test_every_excel_export_opens_with_a_title_typed_numbers_and_formats(app_env, downloads):
    for page in ("overview", "compare", "quality", "requests"):
        open_app(page)
    books = {n: f for n, f in downloads.items() if n.endswith(".xlsx")}
    assert len(books) >= 8
    for name, make in books.items():
        ws = load_workbook(io.BytesIO(make())).active
        title = ws.cell(1, 1).value
        assert title and ws.cell(1, 1).font.bold, name
        assert ws.freeze_panes is not None, name
        header = int(re.match(r"[A-Z]+(\d+)", ws.freeze_panes).group(1)) - 1
        assert all(ws.cell(header, c).font.bold for c in range(1, ws.max_column + 1) if ws.cell(header, c).value)
        for row in ws.iter_rows(min_row=header + 1):
            for c in row:
                if isinstance(c.value, str):
                    # a number stored as text Excel cannot compute with
                    assert not re.fullmatch(r"[+-]?[\d,]+(\.\d+)?%?", c.value.strip()), (name, c.coordinate, c.value)
                if isinstance(c.value, float):
                    assert c.number_format in ("0.0%", "#,##0.00", "#,##0"), (name, c.coordinate, c.number_format)
    sample = pd.Series([ws.cell(r, 1).value for ws in (load_workbook(io.BytesIO(f())).active for f in books.values())
                        for r in (2, 3)]).astype(str)
    assert sample.str.contains("样例").any()  # the fixture is generated data: the files say so
