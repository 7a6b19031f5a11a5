"""`python -m etl parse PATH... [--json]`: parse report files and show what landed in which cell."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from etl import formats as F
from etl.completeness import expected_formats
from etl.document import ReadError
from etl.model import Report
from etl.parse import parse_file
from etl.readers import sniff
from etl.warehouse.files import check
from etl.warehouse.workers import DEFAULT_LIMITS, read_limited


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="report files (text/HTML/PDF/DOCX)")
    ap.add_argument("--json", action="store_true", help="one JSON object per line per report")


def _error_source(path: Path, data: bytes | None) -> dict:
    if data is None:
        return {"path": str(path), "sha256": None, "kind": None}
    try:
        kind = sniff(data, path.name)
    except ReadError:
        kind = None
    return {"path": str(path), "sha256": hashlib.sha256(data).hexdigest(), "kind": kind}


def read(path: Path) -> bytes:
    """The file's bytes, after the build's own checks: a regular file (a FIFO would block the read forever,
    /dev/zero never ends: both refused from their mode, unopened), read up to the build's per-file limit."""
    why = check(str(path), None)
    if why is not None:
        raise ReadError(why.code, why.detail)
    data, code, detail = read_limited(str(path), DEFAULT_LIMITS.file_mb)
    if data is None:
        raise ReadError(code, detail)
    return data


def run(args: argparse.Namespace) -> int:
    status = 0
    for path in args.paths:
        data = None
        try:
            data = read(path)
            report = parse_file(path, data)
        except ReadError as e:
            status = 1
            print(f"{path}: {e}", file=sys.stderr)
            if args.json:
                print(json.dumps({"source": _error_source(path, data), "error": str(e)}, ensure_ascii=False))
            continue
        except Exception as e:  # a parser bug must not stop the other files
            status = 1
            reason = f"internal error while parsing ({type(e).__name__}: {e})"
            print(f"{path}: {reason}", file=sys.stderr)
            if args.json:
                print(json.dumps({"source": _error_source(path, data), "error": reason}, ensure_ascii=False))
            continue
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False))
        else:
            print(render(report))
    sys.stdout.flush()
    return status


def _fmt(report: Report, table: str, row: str, col: str) -> str:
    c = report.cell(table, row, col)
    if c is None:
        return "·"  # not in the report
    if c.kind == "empty":
        return "(空)"
    if c.kind in ("na", "text"):
        return c.raw
    v = c.value
    return f"{v:g}" if isinstance(v, float) else str(v)


def _grid(headers: list[str], rows: list[list[str]]) -> list[str]:
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers)] + [line(r) for r in rows]


def render(r: Report) -> str:
    """The report laid out like the official form: metadata, tables 2–4, problems."""
    out = [f"== {r.source.path}  [{r.source.kind}]",
           f"机关 agency: {r.agency or '?'}   年度 year: {r.year or '?'}   格式 format: {r.template}"
           f"   发布 published: {r.published_on or '?'}"]
    if r.meta.get("sample"):
        out.append("【样例数据 sample data】")
    if r.narrative:
        out.append("文字陈述 narrative: " + ", ".join(f"{k}={v}" for k, v in r.narrative.items()))
    out.append("章节 chapters: " + ", ".join(k for k in F.CHAPTER_KEYS if k in r.chapters))
    fmts = expected_formats(r)
    t2fmt = fmts["t2"]
    layout = F.T2_FORMATS[t2fmt].layout
    out.append(f"\n二、主动公开政府信息情况 (table 2, {t2fmt})")
    rows = [[F.label("t2", "row", row)] + [f"{F.label('t2', 'col', c)}={_fmt(r, 't2', row, c)}" for c in cols]
            for row, cols in layout.items()]
    out += ["  " + ln for ln in _grid(["", "", "", ""][: max(len(x) for x in rows)],
                                      [x + [""] * (4 - len(x)) for x in rows])[1:]]
    for e in r.extra_rows:
        if e.table == "t2":
            out.append(f"  {e.label} (本地行 local row): " + ", ".join(v["raw"] for v in e.values))
    out.append("\n三、收到和处理政府信息公开申请情况 (table 3)")
    headers = ["", *[F.label("t3", "col", c) for c in F.T3_COL_KEYS]]
    t3rows = [[F.label("t3", "row", row)[:18]] + [_fmt(r, "t3", row, c) for c in F.T3_COL_KEYS]
              for row in F.T3_ROWS_BY_FORMAT[fmts["t3"]]]
    out += ["  " + ln for ln in _grid(headers, t3rows)]
    out.append("\n四、政府信息公开行政复议、行政诉讼情况 (table 4)")
    headers = ["", *[F.label("t4", "col", c) for c in F.T4_COL_KEYS]]
    t4rows = [[F.label("t4", "row", row)] + [_fmt(r, "t4", row, c) for c in F.T4_COL_KEYS]
              for row in F.T4_ROW_KEYS]
    out += ["  " + ln for ln in _grid(headers, t4rows)]
    if r.missing:
        out.append("\n缺失 missing: " + ", ".join(r.missing[:30]) + (" …" if len(r.missing) > 30 else ""))
    if r.problems:
        out.append("问题 problems:")
        out += [f"  - [{p.code}] {p.message}" for p in r.problems]
    return "\n".join(out) + "\n"
