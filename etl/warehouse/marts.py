"""Marts for the dashboard, materialized at build time (one scan of the cells table, not one per query).

- report_metrics: one row per ACTIVE report, with every numerator/denominator column of etl.metrics.
- outcomes_long: one row per active report × outcome row of table 3 (total column, no totals rows).
- applicants_long: one row per active report × applicant column of table 3's new_received row.
- review_long: one row per active report × table 4 block × result (no total).

A sum over cells is NULL (not 0) when any input is empty/na/text or absent: SQL's `+` propagates NULL.
"""

from __future__ import annotations

import duckdb

from etl import formats as F
from etl import metrics

# Cells pivoted into report_metrics: column name -> (table, row, col).
T3 = {r: ("t3", r, "total") for r in F.T3_ROW_KEYS}
T4 = {f"{r}_{c}": ("t4", r, c) for r in F.T4_ROW_KEYS for c in F.T4_COL_KEYS}
T2_FLOWS = {  # 2021 table 2 flows; NULL for a 2019 table 2, which measures other things
    "t2_regulations_issued": ("t2", "regulations", "issued"),
    "t2_normative_issued": ("t2", "normative_documents", "issued"),
    "t2_normative_in_force": ("t2", "normative_documents", "in_force"),
    "t2_licensing": ("t2", "licensing", "decisions"),
    "t2_punishment": ("t2", "punishment", "decisions"),
    "t2_coercion": ("t2", "coercion", "decisions"),
    "t2_fees_10k_yuan": ("t2", "admin_fees", "amount_10k_yuan"),
}


def _sum(cols: tuple[str, ...] | list[str]) -> str:
    return "(" + " + ".join(cols) + ")"


# Derived columns (SQL over the pivoted cells): the names etl.metrics refers to.
DERIVED: dict[str, str] = {
    "new_received": "new_received",
    "carried_over": "carried_over",
    "requests_to_handle": "(new_received + carried_over)",
    "total_processed": "total_processed",
    "granted": "granted",
    "partially_granted": "partially_granted",
    "granted_or_partly": "(granted + partially_granted)",
    "withheld": _sum(F.WITHHELD_ROWS),
    "unavailable": _sum(F.UNAVAILABLE_ROWS),
    "not_processed": _sum(F.NOT_PROCESSED_ROWS),
    "other_handling": f"CASE WHEN t3_format = '2019' THEN other_total_2019 ELSE {_sum(F.OTHER_ROWS_2021)} END",
    "carried_forward": "carried_forward",
    "review_total": "review_total",
    "review_corrected": "review_corrected",
    "review_pending": "review_pending",
    "review_decided": "(review_total - review_pending)",
    "litigation_total": "(litigation_direct_total + litigation_after_review_total)",
    "litigation_corrected": "(litigation_direct_corrected + litigation_after_review_corrected)",
    "litigation_pending": "(litigation_direct_pending + litigation_after_review_pending)",
    "litigation_decided": "(litigation_direct_total + litigation_after_review_total"
                          " - litigation_direct_pending - litigation_after_review_pending)",
    "all_corrected": "(review_corrected + litigation_direct_corrected + litigation_after_review_corrected)",
    "all_pending": "(review_pending + litigation_direct_pending + litigation_after_review_pending)",
    "all_challenges": "(review_total + litigation_direct_total + litigation_after_review_total)",
    "all_decided": "(review_total + litigation_direct_total + litigation_after_review_total"
                   " - review_pending - litigation_direct_pending - litigation_after_review_pending)",
}


def _check_registry() -> None:
    """Every column etl.metrics names must be produced here."""
    have = set(DERIVED) | {"proactive_items"}
    for m in metrics.METRICS:
        for col in (m.numerator, m.denominator):
            if col and col not in have:
                raise RuntimeError(f"metric {m.name} names column {col!r} that report_metrics does not have")


def build(con: duckdb.DuckDBPyConnection) -> None:
    _check_registry()
    pivot = {**T3, **T4, **T2_FLOWS}
    picks = ",\n".join(
        f"max(value) FILTER (WHERE tbl = '{t}' AND row_key = '{r}' AND col_key = '{c}') AS {name}"
        for name, (t, r, c) in pivot.items())  # keys come from etl.formats, never from input
    t2_cols = ", ".join(f"CASE WHEN t2_format = '2021' THEN {n} END AS {n}" for n in T2_FLOWS)
    derived = ", ".join(f"{expr} AS {name}" for name, expr in DERIVED.items())
    con.execute(f"""
        CREATE OR REPLACE TABLE report_metrics AS
        WITH p AS (
            SELECT report_id, {picks}
            FROM cells WHERE report_id IN (SELECT report_id FROM reports WHERE is_active)
            GROUP BY report_id
        ), w AS (
            SELECT r.report_id, r.t2_format, r.t3_format, p.* EXCLUDE (report_id) FROM reports r LEFT JOIN p USING (report_id) WHERE r.is_active
        ), d AS (
            SELECT report_id, {t2_cols}, {derived} FROM w
        ), f AS (
            SELECT report_id, count(*) FILTER (WHERE status = 'fail') AS n_fail,
                   count(*) FILTER (WHERE status = 'uncertain') AS n_uncertain
            FROM findings WHERE report_id IS NOT NULL GROUP BY report_id
        )
        SELECT r.report_id, r.agency_id, r.agency_name, a.province, a.city, a.county, a.level, a.kind, a.sector,
               coalesce(r.is_sample, FALSE) OR coalesce(a.is_sample, FALSE) AS is_sample, r.year, r.template,
               r.published_on, r.deadline, r.is_late, r.proactive_items,
               d.* EXCLUDE (report_id),
               coalesce(f.n_fail, 0) AS n_fail, coalesce(f.n_uncertain, 0) AS n_uncertain,
               coalesce(f.n_fail, 0) > 0 AS has_fail
        FROM reports r JOIN d USING (report_id) LEFT JOIN agencies a USING (agency_id)
        LEFT JOIN f USING (report_id)
        WHERE r.is_active""")
    outcome_rows = list(F.T3_OUTCOME_ROWS_2021) + ["other_total_2019"]
    con.execute("""
        CREATE OR REPLACE TABLE outcomes_long AS
        SELECT c.report_id, r.agency_id, r.year,
               CASE WHEN c.row_key IN ('granted', 'partially_granted') THEN c.row_key
                    WHEN c.row_key LIKE 'withheld_%' THEN 'withheld'
                    WHEN c.row_key LIKE 'unavailable_%' THEN 'unavailable'
                    WHEN c.row_key LIKE 'not_processed_%' THEN 'not_processed'
                    ELSE 'other' END AS outcome_group,
               c.row_key AS outcome, c.value
        FROM cells c JOIN reports r USING (report_id)
        WHERE r.is_active AND c.tbl = 't3' AND c.col_key = 'total' AND list_contains(?, c.row_key)""",
                [outcome_rows])
    con.execute("""
        CREATE OR REPLACE TABLE applicants_long AS
        SELECT c.report_id, r.agency_id, r.year, c.col_key AS applicant, c.value AS new_received
        FROM cells c JOIN reports r USING (report_id)
        WHERE r.is_active AND c.tbl = 't3' AND c.row_key = 'new_received' AND c.col_key <> 'total'""")
    con.execute("""
        CREATE OR REPLACE TABLE review_long AS
        SELECT c.report_id, r.agency_id, r.year, c.row_key AS block, c.col_key AS result, c.value
        FROM cells c JOIN reports r USING (report_id)
        WHERE r.is_active AND c.tbl = 't4' AND c.col_key <> 'total'""")
