"""What a glued reading returns: the cells placed and the problems (why a row was left out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from etl import formats as F
from etl.extract.glued.split import ROW_READINGS_CAP, Reading
from etl.extract.glued.text import Run
from etl.model import Cell, Problem
from etl.values import parse_cell

AMBIGUOUS = "ambiguous_split"
INCONSISTENT = "glued_inconsistent"  # no split satisfies the table's identities: the source disagrees


@dataclass
class GluedResult:
    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formats: dict[str, set[str]] = field(default_factory=lambda: {"t2": set(), "t3": set()})
    tables: set[str] = field(default_factory=set)


# why a glued run was left out without trying its readings: etl.problems' variant -> the English words
_WHY = {"spill": "the digits run on into a date in the text that follows",
        "too_many": "too many readings", "capped": f"more than {ROW_READINGS_CAP} readings",
        "no_columns": "its columns cannot be told from the header"}


def ambiguous(table: str, row: str, run: Run, readings: Sequence[Reading], why: str | None = None
              ) -> Problem:
    where = f"{table}.{row}"
    label = F.label(table, "row", row)
    params: dict = {"row": where, "run": run.text}
    if why:
        how, params["variant"] = _WHY[why], why
        if why == "capped":
            params["cap"] = ROW_READINGS_CAP
    elif not readings:
        how = "no split into the row's cells" + ("" if table == "t2" else " fits its sums")
        params["variant"] = "no_split" if table == "t2" else "no_split_sums"
    else:
        how = "more than one reading, e.g. " + " or ".join(show(r) for r in readings[:2])
        params |= {"variant": "several", "readings": [show(r) for r in readings[:2]]}
    return Problem(AMBIGUOUS, f"{where} ({label}): glued run {run.text!r}: {how}; left out", where, params)


def make_cell(table: str, row: str, col: str, raw: str, placed: str, value: int | float | None = None) -> Cell:
    p = parse_cell(raw)
    return Cell(table, row, col, p.value if value is None else value, raw, p.kind, placed)


def show(reading: Reading) -> str:
    return "/".join(reading)
