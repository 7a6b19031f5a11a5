"""The tables' identities as data, derived from etl.formats: which cells each one adds up, per format.

An identity says: for each group (a column of table 3, a row of table 4 …), the sum of the `parts` cells
equals (or, for `op` "<=", is at most) the sum of the `totals` cells. `per` says whether the group is a
column (parts/totals are row keys) or a row (parts/totals are column keys).

Pure data, read by the checks (etl.checks.definitions words and evaluates them in SQL) and by the parser
(etl.extract.readings weighs one reading of a table against another), which must not load the checks'
pandas and duckdb.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl import formats as F


@dataclass(frozen=True)
class Spec:
    rule: str
    tbl: str
    fmt: str  # the format of that table in the report
    per: str  # "col" | "row"
    groups: tuple[str, ...]
    parts: tuple[str, ...]
    totals: tuple[str, ...]
    parts_label: str  # the sides by their keys, for a reader of the rule table
    totals_label: str
    op: str = "="


# Parser only, no rule of the checks: a table 3 printing both the 2019 single row （六）其他处理 and the 2021
# sub-rows of that group (a report mixing the formats) — the single row is their sum, per column.
T3_OTHER_2019_SUM: tuple[tuple[str, ...], tuple[str, ...]] = (("other_total_2019",), F.OTHER_ROWS_2021)


def _sum_label(keys: tuple[str, ...]) -> str:
    return " + ".join(keys) if len(keys) <= 3 else f"{keys[0]} + … + {keys[-1]} ({len(keys)} rows)"


def specs() -> list[Spec]:
    out: list[Spec] = []
    t4_parts = F.T4_RESULT_COLS
    for fmt in F.FORMATS:
        out.append(Spec("T3-balance", "t3", fmt, "col", F.T3_COL_KEYS, ("new_received", "carried_over"),
                        ("total_processed", "carried_forward"), "new_received + carried_over",
                        "total_processed + carried_forward"))
        outcomes = F.T3_OUTCOME_ROWS[fmt]
        out.append(Spec("T3-outcomes", "t3", fmt, "col", F.T3_COL_KEYS, outcomes, ("total_processed",),
                        _sum_label(outcomes), "total_processed"))
        out.append(Spec("T3-columns", "t3", fmt, "row", F.T3_ROWS_BY_FORMAT[fmt], F.T3_APPLICANT_COLS,
                        ("total",), _sum_label(F.T3_APPLICANT_COLS), "total"))
        out.append(Spec("T4-sums", "t4", fmt, "row", F.T4_ROW_KEYS, t4_parts, ("total",),
                        " + ".join(t4_parts), "total"))
    # T2-stock: 2021 format only (the 2019 table 2 has no repealed/in-force columns)
    out.append(Spec("T2-stock", "t2", F.Format.F2021, "row", ("regulations", "normative_documents"), ("issued",),
                    ("in_force", "repealed"), "issued", "in_force + repealed", op="<="))
    return out
