"""What a complete report prints and what this one lacks: the one definition of "missing".

A report's tables are each in their own format (`Report.table_formats`, decided by the extractor); a table
the report does not print at all is counted in the report's format, so a report lacking table 4 is less
complete than one with a few blanks. The extractor's `Report.missing` list, the warehouse's
`n_missing_cells` and the completeness findings all read `expected_formats` / `absent_cells` from here.
"""

from __future__ import annotations

from etl import formats as F
from etl.model import Report

UNKNOWN_KINDS = ("empty", "na", "text")  # printed, but no figure: unknown, never 0


def expected_formats(report: Report) -> dict[str, F.Format]:
    """The format of every table a complete report of this one's kind prints: its own tables' formats, the
    others in the report's format (the format of table 3, else of table 2, else the 2021 form)."""
    fmts = {t: F.Format(f) for t, f in report.table_formats.items() if f}
    base = F.report_format(fmts, report.template) or F.Format.F2021
    return {t: fmts.get(t, base) for t in F.TABLES}


def absent_cells(report: Report, expected: list[F.Addr] | None = None) -> list[F.Addr]:
    """Expected cells the report does not print at all, in printed order."""
    have = {(c.table, c.row, c.col) for c in report.cells}  # plain tuples: an Addr equals its tuple
    return [a for a in expected or F.expected_cells(expected_formats(report)) if a not in have]


def n_missing_cells(report: Report) -> int:
    """Expected cells absent or left blank: what `choose_active` ranks reports of one agency-year by."""
    expected = F.expected_cells(expected_formats(report))
    want = set(expected)
    blank = sum(1 for c in report.cells if c.kind == "empty" and (c.table, c.row, c.col) in want)
    return len(absent_cells(report, expected)) + blank
