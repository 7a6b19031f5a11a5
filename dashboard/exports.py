"""Downloads: charts as PNG/SVG rendered server-side by kaleido (the same figure as on screen), tables as
CSV and Excel.

kaleido ≥ 1 drives a local Chrome/Chromium through choreographer, which honours BROWSER_PATH: point it at
the system Chromium when nothing else is configured. One kaleido browser is kept per process (started on
first use) — a fresh browser per image costs ~2 s, a kept one ~0.1 s. Without a browser, or when one
does not answer within TIMEOUT seconds, an export fails at once with ExportUnavailable saying what is
missing, never a hang.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import threading
import warnings

import pandas as pd
import plotly.graph_objects as go

_LOCK = threading.Lock()
_started = False
SCALE = 2  # PNG pixel density: sharp in Word and slides
TIMEOUT = 60.0  # seconds for one image, browser start included


class ExportUnavailable(RuntimeError):
    """A chart cannot be rendered here: the message says what is missing."""


def _browser() -> None:
    if not os.environ.get("BROWSER_PATH"):
        for cand in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("google-chrome") or ""):
            if cand and os.path.exists(cand):
                os.environ["BROWSER_PATH"] = cand
                break
    path = os.environ.get("BROWSER_PATH")
    if not path or not os.access(path, os.X_OK):
        raise ExportUnavailable("PNG/SVG export needs Chromium, which was not found: install it "
                                "(apt-get install chromium) or set BROWSER_PATH to a Chrome/Chromium binary")


def _bounded(fn, *args):
    """Run fn in a daemon thread and wait at most TIMEOUT: a browser that never answers must not hang."""
    out: list = []
    th = threading.Thread(target=lambda: out.append(_call(fn, *args)), daemon=True)
    th.start()
    th.join(TIMEOUT)
    if th.is_alive():
        raise ExportUnavailable(f"PNG/SVG export: Chromium ({os.environ.get('BROWSER_PATH')}) did not answer "
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


def _ensure_server() -> None:
    global _started
    if not _started:
        import kaleido

        _browser()
        kaleido.start_sync_server(silence_warnings=True)
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

    _browser()
    if not _LOCK.acquire(timeout=TIMEOUT):  # another export is stuck on the browser
        raise ExportUnavailable(f"PNG/SVG export: the browser is busy or stuck (waited {TIMEOUT:g} s)")
    try:
        _bounded(_ensure_server)
        width = fig.layout.width or 900
        height = fig.layout.height or 480
        opts = {"format": fmt, "width": width, "height": height, "scale": SCALE if fmt == "png" else 1}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _bounded(kaleido.calc_fig_sync, fig.to_dict(), opts)
    finally:
        _LOCK.release()


# Columns that identify rows for the program, never for a reader: left out of every export.
INTERNAL_COLUMNS = ("report_id", "agency_id", "finding_id", "sha256", "link", "rankable")
PERCENT = "0.0%"
DECIMAL = "#,##0.00"
INTEGER = "#,##0"


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


def csv_bytes(df: pd.DataFrame) -> bytes:
    # utf-8 with BOM: Excel opens Chinese CSV correctly only with it
    return df.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "data", note: str = "", title: str = "",
               percent: tuple[str, ...] = (), sample_note: str = "") -> bytes:
    """An Excel workbook a reader can use as it is: a title row naming the table, a row with the filters,
    years and data date (`note`), the sample-data note when generated data is included, then the table with
    a bold frozen header, numbers as numbers with number formats (`percent` columns as 0.0%, other
    fractions with two decimals, whole numbers with thousands separators) and columns wide enough."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    out = df.copy()
    for c in out.columns:  # Excel has no time zones; JSON and other objects become text
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
        elif out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str | int | float) else str(v))
    head = [x for x in (title, note, sample_note) if x]
    start = len(head) + 1 if head else 0
    name = sheet[:31]
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
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        for j, col in enumerate(out.columns, start=1):
            series = out[col]
            fmt = None
            if col in percent:
                fmt = PERCENT
            elif pd.api.types.is_integer_dtype(series):
                fmt = INTEGER
            elif pd.api.types.is_float_dtype(series):
                whole = series.dropna()
                fmt = INTEGER if len(whole) and (whole == whole.round()).all() else DECIMAL
            if fmt:
                for r in range(header_row + 1, header_row + 1 + len(out)):
                    ws.cell(row=r, column=j).number_format = fmt
            width = max([len(str(col))] + [len(str(v)) for v in series.head(200).tolist()]) * 1.6 + 2
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width))
    return buf.getvalue()
