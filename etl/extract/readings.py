"""A reading of a table that the table's own sums refute is not kept when another reading satisfies them.

A reader may offer more than one reading of a file: a PDF is read by word positions (etl.readers.pdf), and a
value drawn off-centre then lands in the neighbouring column, while the page's text in the order it was
written reads it right. A sum that fails on a misreading would be charged to the agency — a false
accusation — so when a table breaks one of its identities (T3-balance, T3-outcomes, T3-columns, T4-sums,
T2-stock):

- another reading that, put in place of the first where the two differ, satisfies every sum of the table
  (every sum checkable on the first reading still checkable) is taken: its cells are `placed="arithmetic"`,
  and an `alternative_reading` problem on the table says so;
- if no reading holds and the readings differ, the cells they differ on are withdrawn (left out: neither
  value is known to be the printed one, and an absent cell is never counted as 0) with an `unproven`
  problem per cell ("t3.granted.total"), or per row ("t3.granted") when every cell of the row differs;
- if the readings agree, the table is kept as read: the source itself does not add up, a true finding.

Only a document whose reader offers other readings (`Document.alternatives`, a PdfDocument's) is looked at,
and the other readings are produced only for a table whose sums fail: a report that adds up costs one pass
over its cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from etl import formats as F
from etl.document import Document
from etl.extract.tables import TableResult, TableWalker, tokens
from etl.identities import specs
from etl.model import Cell, Problem
from etl.problems import READINGS

_EPS = 1e-6  # the checks' tolerance (etl.checks.within)
_SHOWN = 4  # cells or sums named in a message before "…"


@dataclass(frozen=True, slots=True)
class Sum:
    """One identity in one group: Σ parts = Σ totals (or ≤ for op "<="), cells as (row, col) of `tbl`."""

    rule: str
    tbl: str
    group: str
    parts: tuple[tuple[str, str], ...]
    totals: tuple[tuple[str, str], ...]
    op: str = "="

    def __str__(self) -> str:
        return f"{self.rule} ({self.group})"


def identity_rules() -> list[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str]]:
    """(rule, tbl, fmt, per, groups, parts, totals, op) of every identity: etl.identities, the checks' own list."""
    return [(s.rule, s.tbl, s.fmt, s.per, s.groups, s.parts, s.totals, s.op) for s in specs()]


def _sums() -> dict[str, tuple[Sum, ...]]:
    """Every identity group, by table, once: a table is checked by the sums of both formats (a sum whose rows
    the table does not print cannot be checked on it), so no format needs deciding here."""
    seen: dict[tuple, Sum] = {}
    for rule, tbl, _fmt, per, groups, parts, totals, op in identity_rules():
        for g in groups:
            def at(keys: tuple[str, ...], g: str = g, per: str = per) -> tuple[tuple[str, str], ...]:
                return tuple((k, g) if per == "col" else (g, k) for k in keys)

            s = Sum(rule, tbl, g, at(parts), at(totals), op)
            seen.setdefault((tbl, s.parts, s.totals, op), s)
    out: dict[str, list[Sum]] = {}
    for s in seen.values():
        out.setdefault(s.tbl, []).append(s)
    return {t: tuple(v) for t, v in out.items()}


SUMS = _sums()

Values = dict[tuple[str, str], int | float | None]


def _verdict(s: Sum, v: Values) -> bool | None:
    """True/False when every cell of the sum has a figure; None (cannot be checked) otherwise."""
    parts = [v.get(a) for a in s.parts]
    totals = [v.get(a) for a in s.totals]
    if None in parts or None in totals:
        return None
    a, b = sum(parts), sum(totals)  # type: ignore[arg-type]
    return abs(a - b) <= _EPS if s.op == "=" else a <= b + _EPS


def _values(cells: Iterable[Cell]) -> Values:
    return {(c.row, c.col): c.value for c in cells}


def _failing(tbl: str, v: Values) -> list[Sum]:
    return [s for s in SUMS.get(tbl, ()) if _verdict(s, v) is False]


def verify_readings(doc: Document, walked: TableResult) -> None:
    """Settle, in `walked`, every table whose reading breaks its own sums against the document's other
    readings (see the module docstring). A no-op for documents that offer none."""
    alternatives = getattr(doc, "alternatives", None)
    if alternatives is None:
        return
    by_table: dict[str, list[Cell]] = {}
    for c in walked.cells:
        by_table.setdefault(c.table, []).append(c)
    failing = [t for t in F.TABLES if t in by_table and _failing(t, _values(by_table[t]))]
    if not failing:
        return
    others = [(name, TableWalker().run(tokens(other))) for name, other in alternatives()]
    primary = getattr(doc, "reading", "structure")  # an etl.problems.READINGS code
    for t in failing:
        _settle(t, walked, primary, others)


def _same(a: Cell, b: Cell) -> bool:
    return a.kind == b.kind and a.value == b.value


def _settle(tbl: str, walked: TableResult, primary: str, others: list[tuple[str, TableResult]]) -> None:
    mine = {(c.row, c.col): c for c in walked.cells if c.table == tbl}
    first = _values(mine.values())
    broken = _failing(tbl, first)
    checkable = [s for s in SUMS[tbl] if _verdict(s, first) is not None]
    differ: dict[tuple[str, str], list[tuple[str, Cell]]] = {}  # cell -> the other readings' differing cells
    for name, res in others:
        theirs = {(c.row, c.col): c for c in res.cells if c.table == tbl}
        changed = {k: c for k, c in theirs.items() if k not in mine or not _same(mine[k], c)}
        if not changed:
            continue
        merged = _values(mine.values()) | _values(changed.values())
        if all(_verdict(s, merged) is True for s in checkable) and not _failing(tbl, merged):
            _take(tbl, walked, changed, res, primary, name, broken)
            return
        for k, c in changed.items():
            if k in mine:
                differ.setdefault(k, []).append((name, c))
    if differ:
        _withdraw(tbl, walked, mine, differ, primary, broken)


def _listed(items: list[str]) -> str:
    return ", ".join(items[:_SHOWN]) + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _take(tbl: str, walked: TableResult, changed: dict[tuple[str, str], Cell], res: TableResult, primary: str,
          name: str, broken: list[Sum]) -> None:
    """Put the other reading's differing cells in place of the first reading's, and say so."""
    for c in changed.values():
        c.placed = "arithmetic"
    at = {(c.table, c.row, c.col): i for i, c in enumerate(walked.cells)}
    added_rows = set()
    for (row, col), c in changed.items():
        i = at.get((tbl, row, col))
        if i is None:
            walked.cells.append(c)
            added_rows.add(row)
        else:
            walked.cells[i] = c
    # what the first reading said about the cells now read otherwise no longer stands: a row it left out or
    # found cut short that the other reading prints whole, a cell it found to be text
    gone = {F.addr_str(tbl, r, c) for r, c in changed} | {f"{tbl}.{r}" for r in added_rows}
    walked.problems = [p for p in walked.problems if p.where not in gone]
    still_partial = set(res.partial_rows)
    walked.partial_rows = [r for r in walked.partial_rows if r not in gone or r in still_partial]
    addrs = [F.addr_str(tbl, r, c) for r, c in changed]
    walked.problems.append(Problem(
        "alternative_reading", f"table {tbl[1]}: {_en(primary)} breaks {_listed([str(s) for s in broken])}; "
        f"{_en(name)} reads {len(addrs)} cell(s) otherwise ({_listed(addrs)}) and satisfies every sum of the "
        "table: that reading is taken", tbl,
        {"table": tbl, "primary": primary, "other": name, "n_broken": len(broken), "n": len(addrs),
         "cells": addrs}))


def _en(reading: str) -> str:
    """A reading's code (etl.problems.READINGS) in the English message."""
    return READINGS.get(reading, READINGS["structure"])[1]


def _shown(c: Cell | None) -> str:
    if c is None:
        return "nothing"
    return repr(c.raw) if c.raw else "a blank"


def _raw(c: Cell | None) -> str | None:
    """A cell as a reading read it, for a problem's parameters: None (nothing read) or its printed text."""
    return None if c is None else c.raw


def _withdraw(tbl: str, walked: TableResult, mine: dict[tuple[str, str], Cell],
              differ: dict[tuple[str, str], list[tuple[str, Cell]]], primary: str, broken: list[Sum]) -> None:
    """Leave out the cells the readings disagree on, each with an `unproven` problem (one per row when the
    readings differ on every cell of it)."""
    why = f"neither reading satisfies the table's sums ({_listed([str(s) for s in broken])}): left out"
    walked.cells = [c for c in walked.cells if not (c.table == tbl and (c.row, c.col) in differ)]
    rows: dict[str, list[str]] = {}
    for row, col in mine:
        rows.setdefault(row, []).append(col)
    for row, cols in rows.items():
        bad = [col for col in cols if (row, col) in differ]
        if not bad:
            continue
        if len(bad) == len(cols) and len(cols) > 1:
            names = list(dict.fromkeys(n for col in cols for n, _ in differ[row, col]))
            theirs = {n: [next((c for m, c in differ[row, col] if m == n), mine[row, col]) for col in cols]
                      for n in names}
            readings = "; ".join(f"{_en(n)} reads " + " / ".join(_shown(c) for c in cs) for n, cs in theirs.items())
            where = f"{tbl}.{row}"
            walked.problems.append(Problem(
                "unproven", f"{where}: {_en(primary)} reads {' / '.join(_shown(mine[row, col]) for col in cols)}; "
                f"{readings}; {why}", where,
                {"where": where, "reads": [[primary, [_raw(mine[row, col]) for col in cols]],
                                           *([n, [_raw(c) for c in cs]] for n, cs in theirs.items())]}))
            continue
        for col in bad:
            where = F.addr_str(tbl, row, col)
            others = "; ".join(f"{_en(n)} reads {_shown(c)}" for n, c in differ[row, col])
            walked.problems.append(Problem(
                "unproven", f"{where}: {_en(primary)} reads {_shown(mine[row, col])}; {others}; {why}", where,
                {"where": where, "reads": [[primary, [_raw(mine[row, col])]],
                                           *([n, [_raw(c)]] for n, c in differ[row, col])]}))
