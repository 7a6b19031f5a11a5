"""Downloads: charts as PNG/SVG rendered server-side by kaleido (the same figure as on screen), tables as
CSV and Excel.

kaleido ≥ 1 drives a local Chrome/Chromium through choreographer: the one named by BROWSER_PATH (etl.settings
`browser`), else the system Chromium, passed to kaleido as its `path` (the server's environment is never
changed). One kaleido browser is kept per process (started on
first use) — a fresh browser per image costs ~2 s, a kept one ~0.1 s. Without a browser, or when one
does not answer within TIMEOUT seconds, an export fails at once with ExportUnavailable saying what is
missing, never a hang.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import re
import shutil
import threading
import warnings

import pandas as pd
import plotly.graph_objects as go

from etl import settings

_LOCK = threading.Lock()
_started = False
SCALE = 2  # PNG pixel density: sharp in Word and slides
TIMEOUT = 60.0  # seconds for one image, browser start included


class ExportUnavailable(RuntimeError):
    """A chart cannot be rendered here: the message says what is missing."""


def browser_path() -> str:
    """The Chrome/Chromium charts are rendered with: the `browser` setting (BROWSER_PATH), else the system's."""
    path = settings.value("browser")
    if not path:
        cands = ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("google-chrome") or "")
        path = next((c for c in cands if c and os.path.exists(c)), None)
    if not path or not os.access(path, os.X_OK):
        raise ExportUnavailable("PNG/SVG export needs Chromium, which was not found: install it "
                                "(apt-get install chromium) or set BROWSER_PATH to a Chrome/Chromium binary")
    return path


def _bounded(browser: str, fn, *args):
    """Run fn in a daemon thread and wait at most TIMEOUT: a browser that never answers must not hang."""
    out: list = []
    th = threading.Thread(target=lambda: out.append(_call(fn, *args)), daemon=True)
    th.start()
    th.join(TIMEOUT)
    if th.is_alive():
        raise ExportUnavailable(f"PNG/SVG export: Chromium ({browser}) did not answer "
                                f"within {TIMEOUT:g} s")
    ok, value = out[0]
    if not ok:
        raise value
    return value


def _call(fn, *args) -> tuple[bool, object]:
    try:
        return True, fn(*args)
    except BaseException as e:  # noqa: BLE001 - handed back to the waiting thread
        return False, e


def _ensure_server(browser: str) -> None:
    global _started
    if not _started:
        import kaleido

        kaleido.start_sync_server(path=browser, silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _started = True


SAMPLE_MARK = "样例数据（程序生成，非真实报告）· Generated sample data, not real reports"


def with_sample_mark(fig: go.Figure) -> go.Figure:
    """A copy of `fig` carrying the sample-data mark at its foot, for files that leave the app."""
    out = go.Figure(fig)
    # below everything (axis title and legend sit in the bottom margin): the margin grows to hold it, and a
    # legend at the figure's foot (charts.style) moves up above it
    bottom = out.layout.margin.b if out.layout.margin.b is not None else 80
    height = (out.layout.height or 480) + 26
    out.update_layout(margin={"b": bottom + 26}, height=height)
    if out.layout.legend.yref == "container":
        out.update_layout(legend={"y": 28 / height})
    out.add_annotation(text=SAMPLE_MARK, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       yshift=-bottom - 4, showarrow=False, font={"size": 11, "color": "#b03a2e"})
    return out


def figure_bytes(fig: go.Figure, fmt: str, sample: bool = False) -> bytes:
    """PNG or SVG of `fig` at its own layout size (what the screen shows); with `sample`, marked as
    generated sample data."""
    if fmt not in ("png", "svg"):
        raise ValueError(fmt)
    if sample:
        fig = with_sample_mark(fig)
    import kaleido

    browser = browser_path()
    if not _LOCK.acquire(timeout=TIMEOUT):  # another export is stuck on the browser
        raise ExportUnavailable(f"PNG/SVG export: the browser is busy or stuck (waited {TIMEOUT:g} s)")
    try:
        _bounded(browser, _ensure_server, browser)
        width = fig.layout.width or 900
        height = fig.layout.height or 480
        opts = {"format": fmt, "width": width, "height": height, "scale": SCALE if fmt == "png" else 1}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _bounded(browser, kaleido.calc_fig_sync, fig.to_dict(), opts)
    finally:
        _LOCK.release()


# Columns that identify rows for the program, never for a reader: left out of every export.
INTERNAL_COLUMNS = ("report_id", "agency_id", "finding_id", "sha256", "link", "rankable")
PERCENT = "0.0%"
DECIMAL = "#,##0.00"
INTEGER = "#,##0"
YEAR = "0"  # 2022, never 2,022
HIGHLIGHT_FILL = "FFE08A"  # the Report page's highlight: a cell a finding is about
# A text cell starting with one of these is a formula to Excel, LibreOffice and Sheets (a tab or CR may hide
# one after it): names from an uploaded 应报名单 or SOURCES.csv reach exports, and stay text there.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_TEXT = re.compile(r"[+-]?[\d,]*\.?\d*%?")  # "-", "-3", "+1.5": a number or a lone sign, no formula


def formula_like(v: object) -> bool:
    return isinstance(v, str) and v.startswith(FORMULA_START) and not _NUMBER_TEXT.fullmatch(v)


def excel_format(screen: str | None, s: pd.Series) -> str | None:
    """The Excel number format for a column the screen shows in `screen` (a st.column_config NumberColumn
    format the page declared from the metric: "percent", "%.2f", "%+.1f", "localized", "%d"); undeclared, a
    whole-number column with thousands separators and any other with two decimals."""
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return None
    if screen == "percent":
        return PERCENT
    if screen in ("%d", "plain"):
        return YEAR
    m = re.fullmatch(r"%(\+?),?\.(\d)f", screen or "")
    if m:
        base = "#,##0" + ("." + "0" * int(m.group(2)) if int(m.group(2)) else "")
        return f"+{base};-{base};{base}" if m.group(1) else base
    whole = s.dropna()
    return INTEGER if pd.api.types.is_integer_dtype(s) or (len(whole) and (whole == whole.round()).all()) else DECIMAL


def readable(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The table as it leaves the app: internal ids dropped, cell addresses (a `cells` column) in printed
    labels, floats rounded to what a reader can use."""
    from etl.checks.labels import addr_en, addr_zh

    name = addr_zh if lang == "zh" else addr_en

    out = df.drop(columns=[c for c in df.columns if c in INTERNAL_COLUMNS])
    if "cells" in out.columns:
        def cells(v) -> str:
            try:
                addrs = json.loads(v) if isinstance(v, str) else list(v or [])
            except (TypeError, ValueError):
                return str(v)
            return ("；" if lang == "zh" else "; ").join(name(str(a)) for a in addrs)

        out = out.assign(cells=out["cells"].map(cells)).rename(columns={"cells": "单元格" if lang == "zh" else "Cells"})
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(6)  # 0.157894736842… is noise in a briefing table
    return out


def csv_safe(v: object) -> object:
    """A CSV cell that a spreadsheet would run as a formula, prefixed with ' (read as text)."""
    return "'" + v if formula_like(v) else v


def csv_bytes(df: pd.DataFrame) -> bytes:
    out = df.rename(columns={c: csv_safe(c) for c in df.columns if isinstance(c, str)})
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(csv_safe)
    # utf-8 with BOM: Excel opens Chinese CSV correctly only with it
    # CRLF rows (RFC 4180): a field holding a CR or LF is then quoted, so it cannot start a row of its own
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _as_text(cell) -> None:
    """Keep a cell text: openpyxl writes a string starting with "=" as a formula."""
    if cell.data_type == "f" or formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


MISSING = "—"  # what an unknown value shows in a workbook (a blank cell reads as 0 to many)
WIDE = 7  # columns from which a sheet prints landscape


def xlsx_bytes(df: pd.DataFrame, sheet: str = "data", note: str = "", title: str = "",
               formats: dict | None = None, sample_note: str = "",
               marks: dict[tuple[int, str], str] | None = None, highlight: set[tuple[int, str]] = frozenset(),
               legend: tuple[str, ...] = ()) -> bytes:
    """An Excel workbook a reader can use as it is: a title row naming the table, a row with the scope,
    years and data date (`note`), the sample-data note when the rows include generated data, any `legend`
    lines, then the table with a bold frozen header (repeated on every printed page), numbers as numbers in
    the format of their unit (`formats`: column -> Excel number format, from the metric; years plain; others
    by excel_format), unknown values as —, every text cell that could be a formula kept text, columns wide
    enough, and A4 print setup fitted to the page width (landscape when the table is wide).

    `highlight` (row index, column) cells are filled like the Report page's highlight; `marks` gives such a
    cell a comment (how it was placed or read)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    out = df.copy()
    for c in out.columns:  # Excel has no time zones; JSON and other objects become text
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
        elif out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str | int | float) else str(v))
    fmts = {c: (formats or {}).get(c) or excel_format(None, out[c]) for c in out.columns}
    head = [x for x in (title, note, sample_note, *legend) if x]
    start = len(head) + 1 if head else 0
    name = re.sub(r"[\\/*?:\[\]]", "_", sheet)[:31] or "data"
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        out.to_excel(xw, sheet_name=name, index=False, startrow=start)
        ws = xw.sheets[name]
        for i, text in enumerate(head, start=1):
            cell = ws.cell(row=i, column=1, value=text)
            cell.font = Font(bold=i == 1 and bool(title), size=13 if i == 1 and title else 10,
                             color="B03A2E" if text == sample_note else None)
        header_row = start + 1
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        fill = PatternFill("solid", fgColor=HIGHLIGHT_FILL)
        index = {c: j for j, c in enumerate(out.columns, start=1)}
        rows = {r: header_row + 1 + i for i, r in enumerate(out.index)}
        for j, col in enumerate(out.columns, start=1):
            series = out[col]
            numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
            for i, v in enumerate(series.tolist()):
                cell = ws.cell(row=header_row + 1 + i, column=j)
                if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
                    cell.value = MISSING  # unknown, never a blank that reads as 0
                    cell.alignment = Alignment(horizontal="right" if numeric else "left")
                elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    # a figure in a column of figures and words (a report's table): whole or two decimals
                    cell.number_format = fmts.get(col) or (INTEGER if float(cell.value).is_integer() else DECIMAL)
            width = max([len(str(col))] + [len(str(v)) for v in series.head(200).tolist()]) * 1.6 + 2
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width))
        for (r, col), text in (marks or {}).items():
            if r in rows and col in index:
                ws.cell(row=rows[r], column=index[col]).comment = Comment(text, "")
        for r, col in highlight:
            if r in rows and col in index:
                ws.cell(row=rows[r], column=index[col]).fill = fill
        for row in ws.iter_rows():
            for cell in row:
                _as_text(cell)
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if len(out.columns) >= WIDE else "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    return buf.getvalue()


# --- file names -------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u2060\u200b]+')
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) | (?=[\u3000-\u9fff\uff00-\uffef])")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME = 80  # characters before the extension: Chinese takes 3 bytes a character, file systems allow 255


def file_name(parts: list[str], ext: str, fallback: str = "export") -> str:
    """A file name from `parts` (what, whom, years… in the reader's language) joined by "_", safe on every
    file system: no path separators, control or reserved characters, no leading dot, bounded length."""
    words = []
    for p in parts:
        w = _UNSAFE.sub(" ", str(p or "")).replace("–", "-").replace("—", "-")
        w = re.sub(r"\s+", " ", w).strip(" ._")
        w = _CJK_SPACE.sub("", w)  # "2023 年度" -> "2023年度"; spaces between Latin words stay, as "_"
        if w:
            words.append(w.replace(" ", "_"))
    stem = "_".join(words)[:MAX_NAME].strip(" ._") or fallback
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return f"{stem}.{ext}"
