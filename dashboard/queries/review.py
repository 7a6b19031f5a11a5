"""Reconsideration and litigation (table 4): the review page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    Run,
    ident,
    metrics_sql,
)

# --- reconsideration and litigation ----------------------------------------------------------------------

def review_results(run: Run, f: Filters) -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT r.block, r.result, sum(r.value) AS value FROM review_long r JOIN report_metrics m "
               f"USING (report_id) WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2", params)


def by_agency(run: Run, f: Filters, names: Sequence[str], order: str, limit: int = 50,
              having: str = "TRUE") -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT m.agency_name AS agency, m.agency_id, count(*) AS n_reports, {metrics_sql(names)} "
               f"FROM report_metrics m WHERE {where} GROUP BY 1, 2 HAVING {having} "
               f"ORDER BY {ident(order)} DESC NULLS LAST LIMIT {int(limit)}", params)


def corrected_agencies(run: Run, f: Filters, limit: int = 200) -> pd.DataFrame:
    return by_agency(run, f, ["correction_rate", "review_correction_rate", "litigation_correction_rate"],
                     "correction_rate__num", limit, having="sum(m.all_corrected) > 0")
