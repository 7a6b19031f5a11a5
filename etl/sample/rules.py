"""The generator's own statement of the rules, used to list exactly which rules a generated report breaks.

Defects are injected into printed cells; running these rules over the final cells (rather than trusting
the injection code) makes the ground truth say what a correct checker must find, including knock-on
failures (a wrong carried_forward breaks T3-balance this year and X-carry next year). A rule whose inputs
include an empty/na cell is uncertain, and not listed (the blank cells are listed under completeness).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etl.formats import (
    T2_FORMATS,
    T3_APPLICANT_COLS,
    T3_COL_KEYS,
    T3_OUTCOME_ROWS_2019,
    T3_OUTCOME_ROWS_2021,
    T3_ROWS_BY_FORMAT,
    T4_ROW_KEYS,
    Addr,
    expected_cells,
    format_for_year,
)
from etl.values import EMPTY, NA

JUMP_FLOOR, JUMP_MIN, JUMP_MAX = 20, 0.2, 5.0


@dataclass(frozen=True)
class Defect:
    rule: str
    cells: tuple[str, ...]
    note: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "cells": list(self.cells), "note": self.note}


def addr(a: tuple[str, str, str]) -> str:
    return str(Addr(*a))



# The sample world's own rule for what article 49 leaves open: its provinces want townships' and sub-districts'
# reports by 31 March. The corpus states it in a deadlines.csv at its root (etl/warehouse/deadlines.py).
LOCAL_DEADLINES = {"township": (3, 31), "subdistrict": (3, 31)}
LOCAL_BASIS = "样例数据：虚构省份的规定"


def deadline(kind: str, year: int) -> date:
    """Article 49: departments by 31 January, governments 31 March; townships and sub-districts by the sample
    provinces' own rule (LOCAL_DEADLINES)."""
    if kind == "department":
        return date(year + 1, 1, 31)
    return date(year + 1, *LOCAL_DEADLINES.get(kind, (3, 31)))


def deadline_rows(provinces: list[str]) -> list[dict[str, str]]:
    """The corpus's deadlines.csv rows: the sample provinces' rule for townships and sub-districts."""
    return [{"from_year": "2019", "to_year": "", "level": "", "kind": kind, "province": p, "city": "",
             "month": str(m), "day": str(d), "basis": LOCAL_BASIS}
            for p in provinces for kind, (m, d) in LOCAL_DEADLINES.items()]


class _Values:
    def __init__(self, values: dict[Addr, int | float | None]) -> None:
        self.v = values

    def get(self, *a: str) -> int | float | None:
        return self.v.get(a)  # type: ignore[arg-type]

    def all(self, addrs: list[Addr]) -> list[int | float] | None:
        out = [self.v.get(a) for a in addrs]
        return None if any(x is None for x in out) else out  # type: ignore[return-value]


def _equal(found: list[Defect], rule: str, lhs: list[Addr], rhs: list[Addr], vals: _Values, note: str) -> None:
    a, b = vals.all(lhs), vals.all(rhs)
    if a is not None and b is not None and abs(sum(a) - sum(b)) > 1e-6:
        found.append(Defect(rule, tuple(addr(x) for x in lhs + rhs), f"{note}: {sum(a):g} ≠ {sum(b):g}"))


def check_report(values: dict[Addr, int | float | None], kinds: dict[Addr, str], t2_format: str, t3_format: str,
                 year: int, published: date, agency_kind: str, narrative: dict[str, int]) -> list[Defect]:
    """Every within-report rule the printed report breaks."""
    v = _Values(values)
    found: list[Defect] = []
    outcome_rows = T3_OUTCOME_ROWS_2021 if t3_format == "2021" else T3_OUTCOME_ROWS_2019
    for col in T3_COL_KEYS:
        _equal(found, "T3-balance", [("t3", "new_received", col), ("t3", "carried_over", col)],
               [("t3", "total_processed", col), ("t3", "carried_forward", col)], v, f"column {col}")
        _equal(found, "T3-outcomes", [("t3", "total_processed", col)], [("t3", r, col) for r in outcome_rows], v,
               f"column {col}")
    for row in T3_ROWS_BY_FORMAT[t3_format]:
        _equal(found, "T3-columns", [("t3", row, "total")], [("t3", row, c) for c in T3_APPLICANT_COLS], v,
               f"row {row}")
    for block in T4_ROW_KEYS:
        _equal(found, "T4-sums", [("t4", block, "total")],
               [("t4", block, c) for c in ("upheld", "corrected", "other", "pending")], v, f"block {block}")
    negative = [a for a, x in values.items() if x is not None and x < 0 and a[2] != "change"]
    if negative:
        found.append(Defect("non-negative", tuple(addr(a) for a in negative), "negative count"))
    if t2_format == "2021":
        for row in ("regulations", "normative_documents"):
            got = v.all([("t2", row, "issued"), ("t2", row, "in_force"), ("t2", row, "repealed")])
            if got is not None and got[0] > got[1] + got[2]:
                found.append(Defect("T2-stock", tuple(f"t2.{row}.{c}" for c in ("issued", "in_force", "repealed")),
                                    f"{row}: issued {got[0]} > in force {got[1]} + repealed {got[2]}"))
    blanks = [a for a in expected_cells_for(t2_format, t3_format) if kinds.get(a, EMPTY) in (EMPTY, NA)]
    if blanks:
        found.append(Defect("completeness", tuple(addr(a) for a in blanks), "blank or '/' cells"))
    expected = format_for_year(year)
    if t2_format != expected or t3_format != expected:
        found.append(Defect("format-vs-year", (), f"{year} report uses t2 {t2_format} / t3 {t3_format} format"))
    due = deadline(agency_kind, year)
    if published > due:
        found.append(Defect("timeliness", (), f"published {published.isoformat()} after {due.isoformat()}"))
    found += _text_vs_table(v, narrative)
    return found


def expected_cells_for(t2_format: str, t3_format: str) -> list[Addr]:
    """Printed cells of a report whose table 2 and table 3 may follow different formats."""
    t2 = [("t2", r, c) for r, cols in T2_FORMATS[t2_format].layout.items() for c in cols]
    return t2 + [a for a in expected_cells(t3_format) if a[0] != "t2"]


def _text_vs_table(v: _Values, narrative: dict[str, int]) -> list[Defect]:
    out: list[Defect] = []
    new, co = v.get("t3", "new_received", "total"), v.get("t3", "carried_over", "total")
    lit = v.all([("t4", "litigation_direct", "total"), ("t4", "litigation_after_review", "total")])
    targets: dict[str, tuple[list[float], list[str]]] = {}
    if new is not None:
        accepted = [new] + ([new + co] if co is not None else [])
        targets["requests_received"] = (accepted, ["t3.new_received.total", "t3.carried_over.total"])
    for key, a in (("requests_processed", ("t3", "total_processed", "total")),
                   ("requests_carried_forward", ("t3", "carried_forward", "total")),
                   ("review_total", ("t4", "review", "total"))):
        x = v.get(*a)
        if x is not None:
            targets[key] = ([x], [addr(a)])
    if lit is not None:
        targets["litigation_total"] = ([sum(lit)], ["t4.litigation_direct.total", "t4.litigation_after_review.total"])
    for key, stated in narrative.items():
        if key in targets and stated not in targets[key][0]:
            out.append(Defect("text-vs-table", tuple(targets[key][1]),
                              f"narrative {key} = {stated}, table says {targets[key][0][0]:g}"))
    return out


def check_pair(prev: dict[Addr, int | float | None], prev_t2: str, cur: dict[Addr, int | float | None],
               cur_t2: str) -> list[Defect]:
    """Rules across two consecutive years of one agency, attributed to the later report."""
    found: list[Defect] = []
    for col in T3_COL_KEYS:
        a, b = prev.get(("t3", "carried_forward", col)), cur.get(("t3", "carried_over", col))
        if a is not None and b is not None and a != b:
            found.append(Defect("X-carry", (f"t3.carried_over.{col}",),
                                f"carried over {b:g} ≠ last year's carried forward {a:g} ({col})"))
    if prev_t2 == "2021" and cur_t2 == "2021":
        for row in ("regulations", "normative_documents"):
            p = prev.get(("t2", row, "in_force"))
            got = [cur.get(("t2", row, c)) for c in ("in_force", "issued", "repealed")]
            if p is not None and None not in got and got[0] != p + got[1] - got[2]:
                found.append(Defect("X-stock", tuple(f"t2.{row}.{c}" for c in ("in_force", "issued", "repealed")),
                                    f"{row}: in force {got[0]} ≠ {p} + {got[1]} − {got[2]}"))
    for a in (("t3", "new_received", "total"), ("t3", "total_processed", "total"), ("t4", "review", "total")):
        x, y = prev.get(a), cur.get(a)
        if x is None or y is None or max(x, y) < JUMP_FLOOR:
            continue
        if x <= 0 or not JUMP_MIN <= y / x <= JUMP_MAX:
            found.append(Defect("X-jump", (addr(a),), f"{x:g} → {y:g}"))
    return found
