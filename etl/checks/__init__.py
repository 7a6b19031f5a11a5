"""The rules of the format document, run over the whole warehouse as set-based SQL.

One module per family: `within` (identities inside one report, non-negative, text against tables),
`cross_year` (X-carry, X-stock, X-jump between consecutive active reports of one agency), `oversight`
(completeness, format-vs-year, timeliness, coverage, duplicate), `outline` (chapter numbering and order, an
empty problems chapter) and `similarity` (内容雷同, over the chapters' texts). Each writes rows of the `findings` table:
only outcomes that are not a pass. A rule whose inputs include an empty/na/text/missing cell is
`uncertain`, never `fail`. Their wording is in `messages`, one template per rule and variant.

`run_all` is the stage's one entry point (etl.warehouse.build.finish: load → derive → checks → marts).
"""

from __future__ import annotations

import duckdb

from etl.checks import categories, cross_year, gaps, outline, oversight, similarity, within
from etl.checks.common import register

FAMILIES = (within, cross_year, oversight, outline)


def run_all(con: duckdb.DuckDBPyConnection, similarity_threshold: float | None = None) -> None:
    """The checks stage of a build: replace `findings` with every rule's outcomes over the derived warehouse
    (reports, cells, chapter texts, agencies), worded from etl.checks.messages. `similarity_threshold`: the
    office's 雷同 threshold (etl.assess.rules), etl.checks.similarity.DEFAULT_THRESHOLD when None."""
    register(con)
    gaps.register(con)
    con.execute("DELETE FROM findings")
    for family in FAMILIES:
        family.run(con)
    similarity.run(con, similarity.DEFAULT_THRESHOLD if similarity_threshold is None else similarity_threshold)
    gaps.apply(con)  # a finding resting on a cell we could not read is ours and uncertain, never the report's
    con.execute(f"UPDATE findings SET category = {categories.sql_case('rule')}")
    unknown = con.execute("SELECT any_value(rule) FROM findings WHERE category IS NULL").fetchone()[0]
    if unknown:
        raise RuntimeError(f"checks: rule {unknown} has no category (etl/checks/categories.py)")
    # only a certain failure of the report itself is an accusation: ours are never `fail`
    bad = con.execute("SELECT any_value(rule) FROM findings WHERE status = 'fail' AND responsibility <> 'source'"
                      ).fetchone()[0]
    if bad:
        raise RuntimeError(f"checks: rule {bad} failed a finding that is not the report's own")
    # findings' grain is finding_id (what a finding is about, see common.insert): a rule that breaks it is a bug
    dup = con.execute("""SELECT finding_id, any_value(rule) FROM findings GROUP BY 1 HAVING count(*) > 1
                         LIMIT 1""").fetchone()
    if dup:
        raise RuntimeError(f"checks: finding_id {dup[0]} is not unique (rule {dup[1]})")
