"""A value token placed at its address -> the Cell it becomes, with what is wrong with it."""

from __future__ import annotations

from etl import formats as F
from etl.extract.tables.stream import Token
from etl.model import Cell, Problem
from etl.values import NUMBER, TEXT, ZERO, Parsed, parse_cell, tidy, to_unit


def read_cell(table: str, row: str, col: str, cell: Token, header_unit: str | None = None,
              placed: str = "header") -> tuple[Cell, list[Problem]]:
    """The Cell (value in its key's unit, read by OCR when the token carries a confidence) and its problems:
    an amount stating no unit, a text where a number belongs."""
    problems: list[Problem] = []
    raw = cell.text.strip()
    p: Parsed = parse_cell(raw)
    value = p.value
    where = F.addr_str(table, row, col)
    if table == "t2" and col in F.T2_AMOUNT_COLS and p.kind in (NUMBER, ZERO):
        value, known = to_unit(p, F.T2_AMOUNT_COLS[col], header_unit or ("万元" if col == "amount_10k_yuan"
                                                                         else None))
        if not known and p.kind == NUMBER:
            problems.append(Problem("unit_unknown", f"{where}: amount {raw!r} states no unit; kept as printed",
                                    where, {"cell": where, "raw": raw}))
    elif p.unit and p.kind == NUMBER:
        value = tidy(p.value) if p.value is not None else None
    if p.kind == TEXT:
        problems.append(Problem("text_cell", f"{where}: {raw!r} is not a number", where, {"cell": where, "raw": raw}))
    return Cell(table, row, col, value, raw, p.kind, placed, read="text" if cell.conf is None else "ocr",
                conf=cell.conf), problems
