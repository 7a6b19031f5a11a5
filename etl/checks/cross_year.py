"""Rules across years, between consecutive active reports of one agency: X-carry, X-stock, X-jump.

Findings are attached to the later report; `cells` names the cells of both years involved.
"""

from __future__ import annotations

import duckdb

from etl.checks import definitions as D
from etl.checks import messages as M
from etl.checks.common import insert


def pairs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE OR REPLACE TEMP TABLE chk_pairs AS
        SELECT cur.report_id AS cur_id, prev.report_id AS prev_id, cur.agency_id, cur.year,
               cur.t2_format AS cur_t2, prev.t2_format AS prev_t2, cur.t3_format AS cur_t3, prev.t3_format AS prev_t3
        FROM reports cur JOIN reports prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
        WHERE cur.is_active AND prev.is_active AND prev.year >= ?""", [D.FIRST_CARRY_YEAR])


def equations(con: duckdb.DuckDBPyConnection) -> None:
    bad_zh, bad_en = M.expr("cross-year.bad", "zh"), M.expr("cross-year.bad", "en")
    insert(con, f"""
        WITH eligible AS (
            SELECT p.*, x.rid FROM chk_pairs p
            JOIN (SELECT DISTINCT rid, need_tbl, need_fmt FROM chk_cross) x
              ON (x.need_tbl = 't2' AND p.cur_t2 IS NOT NULL AND p.prev_t2 IS NOT NULL
                  AND (x.need_fmt IS NULL OR (p.cur_t2 = x.need_fmt AND p.prev_t2 = x.need_fmt)))
              OR (x.need_tbl = 't3' AND p.cur_t3 IS NOT NULL AND p.prev_t3 IS NOT NULL
                  AND (x.need_fmt IS NULL OR (p.cur_t3 = x.need_fmt AND p.prev_t3 = x.need_fmt)))
        ), v AS (
            SELECT e.cur_id, e.prev_id, e.agency_id, e.year, t.rid, t.rule, t.grp, t.status, t.severity, t.label,
                   t.grp_zh, t.actual_zh, t.expected_zh, t.grp_en, t.actual_en, t.expected_en,
                   t.side, t.which, t.sign, t.ord, t.first, addr(t.tbl, t.row_key, t.col_key) AS cell, c.value,
                   c.kind IS NOT NULL AS present, c.kind
            FROM eligible e JOIN chk_cross t USING (rid)
            LEFT JOIN cells c ON c.report_id = CASE t.which WHEN 'cur' THEN e.cur_id ELSE e.prev_id END
                             AND c.tbl = t.tbl AND c.row_key = t.row_key AND c.col_key = t.col_key
        ), vb AS (  -- the year of each cell, and how it fails to be a number
            SELECT *, CASE which WHEN 'cur' THEN year ELSE year - 1 END AS cell_year,
                   CASE WHEN present THEN kzh(kind) ELSE kzh('missing') END AS kind_zh
            FROM v
        ), g AS (
            SELECT cur_id, prev_id, agency_id, year, rule, grp, status, severity, label, grp_zh, actual_zh, expected_zh,
                   grp_en, actual_en, expected_en,
                   sum(sign * value) FILTER (WHERE side = 'actual') AS actual,
                   sum(sign * value) FILTER (WHERE side = 'expected') AS expected,
                   count(*) FILTER (WHERE present) AS n_present,
                   list(cell ORDER BY ord) FILTER (WHERE first) AS cells,
                   list({bad_en} ORDER BY ord) FILTER (WHERE value IS NULL) AS bad,
                   list({bad_zh} ORDER BY ord) FILTER (WHERE value IS NULL) AS bad_zh
            FROM vb GROUP BY ALL
        )
        SELECT cur_id AS report_id, agency_id, year, rule,
               CASE WHEN len(coalesce(bad, [])) > 0 THEN 'uncertain' ELSE status END AS status,
               CASE WHEN len(coalesce(bad, [])) > 0 THEN 'warning' ELSE severity END AS severity,
               cells, expected, actual,
               CASE WHEN len(coalesce(bad, [])) > 0 THEN 'uncertain' WHEN status = 'uncertain' THEN 'soft'
                    ELSE 'fail' END AS variant,
               grp, grp_zh, label, actual_zh, expected_zh, grp_en, actual_en, expected_en, bad, bad_zh,
               year - 1 AS prev_year
        FROM g
        WHERE n_present > 0 AND (len(coalesce(bad, [])) > 0 OR abs(actual - expected) > 1e-6)""",
           messages="cross-year")


def jumps(con: duckdb.DuckDBPyConnection) -> None:
    figures = [f"{t}.{r}.{c}" for t, r, c in D.JUMP_FIGURES]
    insert(con, """
        WITH v AS (
            SELECT p.cur_id, p.agency_id, p.year, f.cell, pc.value AS prev, cc.value AS cur
            FROM chk_pairs p CROSS JOIN (SELECT unnest($figures::VARCHAR[]) AS cell) f
            JOIN cells cc ON cc.report_id = p.cur_id AND addr(cc.tbl, cc.row_key, cc.col_key) = f.cell
            JOIN cells pc ON pc.report_id = p.prev_id AND addr(pc.tbl, pc.row_key, pc.col_key) = f.cell
            WHERE cc.value IS NOT NULL AND pc.value IS NOT NULL AND greatest(cc.value, pc.value) >= $min
        )
        SELECT cur_id AS report_id, agency_id, year, 'X-jump' AS rule, 'uncertain' AS status, 'info' AS severity,
               [cell] AS cells, prev AS expected, cur AS actual, cell, year - 1 AS prev_year, $ratio AS ratio
        FROM v WHERE prev = 0 OR cur / prev > $ratio OR cur / prev < 1.0 / $ratio""",
        {"figures": figures, "min": D.JUMP_MIN, "ratio": D.JUMP_RATIO}, messages="X-jump")


def run(con: duckdb.DuckDBPyConnection) -> None:
    pairs(con)
    equations(con)
    jumps(con)
