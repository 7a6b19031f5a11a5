"""Requests and their outcomes (table 3): the requests page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    Run,
    ident,
    metrics_sql,
)

# --- requests --------------------------------------------------------------------------------------------

def outcomes(run: Run, f: Filters) -> pd.DataFrame:
    """Σ of each outcome group, plus carried_forward and the requests to handle (new + carried over)."""
    where, params = f.where()
    return run(f"""
    SELECT o.outcome_group AS grp, sum(o.value) AS value FROM outcomes_long o JOIN report_metrics m USING (report_id)
    WHERE {where} GROUP BY 1
    UNION ALL SELECT 'carried_forward', sum(m.carried_forward) FROM report_metrics m WHERE {where}
    UNION ALL SELECT 'new_received', sum(m.new_received) FROM report_metrics m WHERE {where}
    UNION ALL SELECT 'carried_over', sum(m.carried_over) FROM report_metrics m WHERE {where}""",
               params * 4)


def applicants(run: Run, f: Filters) -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT a.applicant, sum(a.value) AS value FROM applicants_long a "
               f"JOIN report_metrics m USING (report_id) WHERE {where} GROUP BY 1 ORDER BY 2 DESC", params)


def rates(run: Run, f: Filters, names: Sequence[str]) -> pd.DataFrame:
    """One row per metric: value, numerator Σ, denominator Σ, reports counted."""
    where, params = f.where()
    row = run(f"SELECT {metrics_sql(names)} FROM report_metrics m WHERE {where}", params).iloc[0]
    return pd.DataFrame([{"metric": n, "value": row[n], "num": row[f"{n}__num"], "den": row[f"{n}__den"],
                          "n": row[f"{n}__n"]} for n in names])


TOP_AGENCIES = ("new_received", "new_received_share", "disclosure_rate")


def top_agencies(run: Run, f: Filters, limit: int = 15) -> pd.DataFrame:
    """The agencies with the most new requests: their count, share of the view's total, disclosure rate."""
    where, params = f.where()
    return run(f"""
    SELECT m.agency_name AS agency, m.agency_id, {metrics_sql(TOP_AGENCIES)}
    FROM report_metrics m WHERE {where} GROUP BY 1, 2 ORDER BY {ident(TOP_AGENCIES[0])} DESC NULLS LAST
    LIMIT {int(limit)}""", params)
