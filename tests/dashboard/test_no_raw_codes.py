"""No raw code reaches a reader: rule codes, canonical keys, reason codes and ids stay inside the program, and
no None/nan shows for an unknown value. Every page in both languages is opened on the fixture warehouse; its
visible text and every table and Excel, CSV or Word file it offers are searched — and the Report page's parser
problems, the Load page (a file's preview, then the build's summary after adding it) in both languages, where
the Chinese interface shows no English either."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from dash_helpers import open_app, with_problems
from docx import Document
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
# a Python or pandas null as a reader would see it
NULLS = re.compile(r"(?<![\w.])(?:None|nan|NaN|NaT|<NA>)(?![\w.])")
# English words a Chinese page may show: file kinds, units and names of programs
ENGLISH_OK = {"OCR", "PDF", "DOCX", "Excel", "CSV", "PNG", "SVG", "Word", "HTML", "robots", "txt"}


def visible(at) -> list[str]:
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error",
                 "text"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    for d in at.dataframe:
        df = d.value.drop(columns=[c for c in d.value.columns if c in KEEP_COLUMNS])
        out += [str(c) for c in df.columns]
        # an unknown value shows the table's placeholder (Streamlit prints "None" without one)
        null = d.proto.placeholder if d.proto.HasField("placeholder") else "None"
        out += [null if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT else str(v)
                for v in df.to_numpy().ravel().tolist() if not str(v).startswith("report?report=")]
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
    if name.endswith(".docx"):
        doc = Document(io.BytesIO(data))
        return [p.text for p in doc.paragraphs] + [c.text for tb in doc.tables for row in tb.rows for c in row.cells]
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


def leaks(texts: list[str]) -> list[str]:
    return sorted({m.group(0) for text in texts for m in RAW.finditer(text)})


def nulls(texts: list[str]) -> list[str]:
    return sorted({m.group(0) for text in texts for m in NULLS.finditer(text)})


def english(texts: list[str]) -> list[str]:
    """Latin words in Chinese text, leaving out what a report printed (quoted) and the allowed words."""
    words = {w for text in texts for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"“[^”]*”", "", text))}
    return sorted(words - ENGLISH_OK)


def check_exports(downloads: dict, where: str, kinds: tuple[str, ...] = (".csv", ".xlsx", ".docx")) -> int:
    n = 0
    for name, make in list(downloads.items()):
        if not name.endswith(kinds):
            continue
        texts = export_text(name, make())
        assert not leaks(texts), f"{where} {name} holds {leaks(texts)[:10]}"
        assert not nulls(texts), f"{where} {name} holds {nulls(texts)}"
        n += 1
    return n


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_raw_code_on_screen_or_in_exports(app_env, downloads, page, lang):
    at = open_app(page, {"lang": lang})
    shown = visible(at)
    assert not leaks(shown), f"{page}/{lang} shows {leaks(shown)[:10]}"
    assert not nulls(shown), f"{page}/{lang} shows {nulls(shown)}"
    check_exports(downloads, f"{page}/{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_page_parser_problems_in_the_readers_language(problems_warehouse, monkeypatch, downloads, lang):
    """A report the parser had problems with: each problem worded from the registry (a figure printed as
    words named by its table, row and column; the missing table by its title), no key, no None, no English
    in Chinese; its table and cell downloads likewise."""
    from etl.checks.labels import addr_en, addr_zh

    db, rid = problems_warehouse
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    at = open_app("report", {"report": rid, "lang": lang})
    from dashboard.i18n import t

    probs = next(d.value for d in at.dataframe if list(d.value.columns) == [t("message", lang), t("where", lang)])

    messages, where = probs[t("message", lang)].tolist(), probs[t("where", lang)].tolist()
    label = addr_zh if lang == "zh" else addr_en
    # the figure printed as words (a text cell, or a row whose figures cannot be placed): named by its printed
    # table and row, as in the where column, then what is wrong in words
    at_row = label("t2.licensing")[:-1]  # 表二「行政许可」 / Table 2 row "Licensing"
    i = next(i for i, w in enumerate(where) if w.startswith(at_row[:4]) and ("行政许可" in w or "icens" in w))
    assert messages[i].startswith(where[i]) and len(messages[i]) > len(where[i]) + 4, (messages[i], where[i])
    assert label("t4") in " ".join(messages)  # the table not found, by its title
    shown = visible(at)
    assert not leaks(shown) and not nulls(shown), (leaks(shown), nulls(shown))
    if lang == "zh":
        assert not english(messages + where), english(messages + where)
    assert check_exports(downloads, f"report/{lang}") >= 4


NUMBER_FORMATS = {"0.0%", "#,##0.00", "#,##0", "#,##0.0", "0", "+#,##0.0;-#,##0.0;#,##0.0",
                  "+#,##0.00;-#,##0.00;#,##0.00", "+#,##0;-#,##0;#,##0"}


def test_every_excel_export_opens_with_a_title_typed_numbers_and_formats(app_env, downloads):
    """Every Excel file every page offers: a bold title, a frozen bold header, numbers as numbers in a format
    of their unit — a year as a plain year (2022, never 2,022), a share in percent (0.96 → 96.0 %) —, unknown
    values as —, A4 printing fitted to the page width (landscape when wide), and the sample note (the fixture
    is generated data)."""
    from dashboard.i18n import t
    from etl import metrics as M

    for page in PAGES:
        open_app(page)
    books = {n: f for n, f in downloads.items() if n.endswith(".xlsx")}
    assert len(books) >= 15, sorted(books)
    years = {t("year", lang) for lang in ("zh", "en")}
    shares = {m.label(lang) for m in M.METRICS if m.is_share for lang in ("zh", "en")}
    shares |= {t(k, lang) for k in ("reported_rate", "on_time_rate") for lang in ("zh", "en")}
    printed = {t("cell_raw", lang) for lang in ("zh", "en")}  # the text as printed, beside its value: text
    seen_year = seen_share = 0
    for name, make in books.items():
        ws = load_workbook(io.BytesIO(make())).active
        title = ws.cell(1, 1).value
        assert title and ws.cell(1, 1).font.bold, name
        assert ws.freeze_panes is not None, name
        header = int(re.match(r"[A-Z]+(\d+)", ws.freeze_panes).group(1)) - 1
        heads = {c: ws.cell(header, c).value for c in range(1, ws.max_column + 1)}
        assert all(ws.cell(header, c).font.bold for c, v in heads.items() if v)
        for row in ws.iter_rows(min_row=header + 1):
            for c in row:
                if isinstance(c.value, str) and heads.get(c.column) not in printed:
                    # a number stored as text Excel cannot compute with
                    assert not re.fullmatch(r"[+-]?[\d,]+(\.\d+)?%?", c.value.strip()), (name, c.coordinate, c.value)
                    assert c.value not in ("None", "nan"), (name, c.coordinate)
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    assert c.number_format in NUMBER_FORMATS, (name, c.coordinate, c.number_format)
                    if heads.get(c.column) in years:
                        assert c.number_format == "0" and 1990 < c.value < 2100, (name, c.coordinate)
                        seen_year += 1
                    if heads.get(c.column) in shares:
                        assert c.number_format == "0.0%" and 0 <= c.value <= 1, (name, c.coordinate, c.value)
                        seen_share += 1
        setup = ws.page_setup
        assert int(setup.paperSize) == int(ws.PAPERSIZE_A4) and setup.fitToWidth == 1, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert setup.orientation == ("landscape" if ws.max_column >= 7 else "portrait"), name
        above = [str(ws.cell(r, 1).value) for r in range(2, header)]
        assert any("样例" in v for v in above), name  # the fixture is generated data: the files say so
    assert seen_year and seen_share, (seen_year, seen_share)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_load_page_preview_and_build_summary_in_the_readers_language(warehouse, tmp_path, monkeypatch, lang):
    """The Load page: a file's preview (its parser problems and missing cells, a file that cannot be read)
    and, after adding it, the build's summary — in the reader's language from the registries, with printed
    labels, no key, no None, no server path; no English in Chinese."""
    import shutil

    from dashboard.i18n import t
    from dashboard.ui import escape_md

    db = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, db)
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    monkeypatch.setenv("DISCLOSURE_UPLOADS", str(tmp_path / "uploads"))
    src = sorted((warehouse.parent / "corpus").rglob("*.txt"))[0]
    at = open_app("upload", {"lang": lang})
    at.file_uploader(key="upload_files").set_value([
        ("甲.txt", with_problems(src.read_text(encoding="utf-8")).encode(), "text/plain"),
        ("broken.pdf", b"%PDF-1.7 garbage", "application/pdf")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    probs = next(d.value for d in at.dataframe if t("where", lang) in d.value.columns)
    assert len(probs) >= 2
    preview = visible(at)
    assert not leaks(preview) and not nulls(preview), (leaks(preview), nulls(preview))
    if lang == "zh":
        words = [*probs[t("message", lang)], *probs[t("where", lang)],
                 *(e.value.replace(escape_md("broken.pdf"), "") for e in at.error),
                 *(c.value for c in at.caption if c.value.startswith(t("missing_cells", lang)))]
        assert not english(words), english(words)
    at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = visible(at)
    # the summary's lines (etl.warehouse.summary): the sources, then what the build did
    summary = [c.value for c in at.caption if c.value.startswith(("数据来源", "数据仓库", "无法读取", "已跳过"))
               or "source folder" in c.value or c.value.startswith(("Warehouse", "Unreadable", "Skipped"))]
    assert any(s.value == t("added", lang) for s in at.success), [s.value for s in at.success]
    assert len(summary) >= 2, [c.value for c in at.caption]
    assert not leaks(after) and not nulls(after), (leaks(after), nulls(after))
    assert not [v for v in after if str(tmp_path) in v.replace("\\", "")]  # no server path
    if lang == "zh":
        assert not english(summary), english(summary)
