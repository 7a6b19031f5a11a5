"""Table 2 (主动公开) glued: rows after the first 第二十条 item heading that names columns; no sum to lean
on, so a multi-column row is placed only when its run has a single split."""

from __future__ import annotations

import re
from collections.abc import Callable

from etl import formats as F
from etl.extract.glued.result import GluedResult, ambiguous, make_cell
from etl.extract.glued.split import INT, Reading, TooMany, splits
from etl.extract.glued.text import WINDOW, Hit, Text, find_row
from etl.model import Problem
from etl.values import NUMBER, parse_cell, to_unit

_SIGNED = re.compile(r"[+\-增减]?(?:0|[1-9]\d*)")
_AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
_ITEM_HEAD = F.T2_ITEM_WORD  # table 2 item headings: 第二十条第（一）项 …
_HEADER_UNIT = re.compile(r"万元|元")


def _t2_layout(row: str, named: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """(format, columns) of a row: the longest official layout whose columns its header all names."""
    best: tuple[str | None, tuple[str, ...]] = (None, ())
    for fmt in F.FORMATS:
        lay = F.T2_FORMATS[fmt].layout.get(row, ())
        if lay and set(lay) <= set(named) and len(lay) > len(best[1]):
            best = (fmt, lay)
    return best


def _piece_ok(cols: tuple[str, ...]) -> Callable[[int, str], bool]:
    def ok(i: int, piece: str) -> bool:
        col = cols[i]
        rx = _AMOUNT if col in F.T2_AMOUNT_COLS else _SIGNED if col in F.T2_SIGNED_COLS else INT
        return rx.fullmatch(piece) is not None
    return ok


def t2_hits(tx: Text, hi: int) -> list[tuple[Hit, str]]:
    """Table-2 rows in printed order, each with its header text (from its 第二十条 item heading on). The
    table starts at the first item heading followed by column names, so prose citing 第二十条 is skipped."""
    s = tx.s
    start = s.find(_ITEM_HEAD, 0, hi)
    while start >= 0 and not F.t2_cols_in(s[start:start + 80]):
        start = s.find(_ITEM_HEAD, start + 1, hi)
    if start < 0:
        return []
    rows: list[tuple[Hit, str]] = []
    cursor = start
    for k in F.T2_ROWS:
        hit = find_row(tx, k, "t2", cursor, hi, 1, near=WINDOW if rows else None)
        if hit is None:
            continue
        item = s.rfind(_ITEM_HEAD, start, hit.label_at)
        rows.append((hit, s[max(item, start):hit.label_at]))
        cursor = hit.run.end
    return rows


def extract_t2(tx: Text, hi: int, res: GluedResult) -> None:
    rows = t2_hits(tx, hi)
    if not rows:
        return
    res.tables.add("t2")
    layouts = [_t2_layout(h.key, F.t2_cols_in(head)) for h, head in rows]
    for h, _ in rows:
        for fmt in F.FORMATS:
            if h.key in F.T2_ROWS_ONLY[fmt]:
                res.formats["t2"].add(fmt)
    res.formats["t2"] |= {fmt for fmt, _ in layouts if fmt}
    for (h, head), (_, cols) in zip(rows, layouts, strict=True):
        if not cols and len(res.formats["t2"]) == 1:  # header cut short: the table's one format decides
            cols = F.T2_FORMATS[next(iter(res.formats["t2"]))].layout.get(h.key, ())
        if not cols:
            res.problems.append(ambiguous("t2", h.key, h.run, [], "no_columns"))
            continue
        m = _HEADER_UNIT.search(head)
        _t2_row(h, cols, m.group(0) if m else None, res)


def _t2_row(h: Hit, cols: tuple[str, ...], header_unit: str | None, res: GluedResult) -> None:
    toks = h.run.tokens
    ok = _piece_ok(cols)
    if h.run.spill:
        readings: list[Reading] = []
        placed = "header"
    elif len(cols) == 1:  # one column: the whole run is the cell
        readings = [tuple(toks)] if len(toks) == 1 and ok(0, toks[0]) else []
        placed = "header"
    else:
        try:
            readings = splits(toks, len(cols), (), ok, max_out=1)  # a second reading is enough to stop
        except TooMany:
            readings = []
        placed = "header" if len(toks) == len(cols) else "arithmetic"
    if len(readings) != 1:
        res.problems.append(ambiguous("t2", h.key, h.run, readings))
        return
    for i, (col, raw) in enumerate(zip(cols, readings[0], strict=True)):
        value: int | float | None = None  # as parse_cell reads it, except amounts (in their key's unit)
        if col in F.T2_AMOUNT_COLS:
            if i == len(cols) - 1 and h.run.unit:
                raw += h.run.unit
            p = parse_cell(raw)
            unit = header_unit or ("万元" if col == "amount_10k_yuan" else None)
            value, known = to_unit(p, F.T2_AMOUNT_COLS[col], unit)
            if not known and p.kind == NUMBER:
                res.problems.append(Problem("unit_unknown", f"t2.{h.key}.{col}: amount {raw!r} states no "
                                            "unit; kept as printed", f"t2.{h.key}.{col}",
                                            {"cell": f"t2.{h.key}.{col}", "raw": raw}))
        res.cells.append(make_cell("t2", h.key, col, raw, placed, value))
