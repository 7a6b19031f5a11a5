"""The rules of the format document, run over the whole warehouse as set-based SQL.

One module per family: `within` (identities inside one report, non-negative, text against tables),
`cross_year` (X-carry, X-stock, X-jump between consecutive active reports of one agency) and `oversight`
(completeness, format-vs-year, timeliness, coverage, duplicate). Each writes rows of the `findings` table:
only outcomes that are not a pass. A rule whose inputs include an empty/na/text/missing cell is
`uncertain`, never `fail`.
"""

from __future__ import annotations

import duckdb

from etl.checks import cross_year, oversight, within
from etl.checks.common import register

FAMILIES = (within, cross_year, oversight)


def run_all(con: duckdb.DuckDBPyConnection) -> None:
    register(con)
    con.execute("DELETE FROM findings")
    for family in FAMILIES:
        family.run(con)
