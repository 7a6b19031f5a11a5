"""Rules across years, between consecutive active reports of one agency: X-carry, X-stock, X-jump.

Findings are attached to the later report; `cells` names the cells of both years involved.
"""

from __future__ import annotations

import duckdb

from etl.checks import definitions as D
from etl.checks.common import insert


def pairs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE OR REPLACE TEMP TABLE chk_pairs AS
        SELECT cur.report_id AS cur_id, prev.report_id AS prev_id, cur.agency_id, cur.year,
               cur.t2_format AS cur_t2, prev.t2_format AS prev_t2, cur.t3_format AS cur_t3, prev.t3_format AS prev_t3
        FROM reports cur JOIN reports prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
        WHERE cur.is_active AND prev.is_active AND prev.year >= ?""", [D.FIRST_CARRY_YEAR])


def equations(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, """
        WITH eligible AS (
            SELECT p.*, x.rid FROM chk_pairs p
            JOIN (SELECT DISTINCT rid, need_tbl, need_fmt FROM chk_cross) x
              ON (x.need_tbl = 't2' AND p.cur_t2 IS NOT NULL AND p.prev_t2 IS NOT NULL
                  AND (x.need_fmt IS NULL OR (p.cur_t2 = x.need_fmt AND p.prev_t2 = x.need_fmt)))
              OR (x.need_tbl = 't3' AND p.cur_t3 IS NOT NULL AND p.prev_t3 IS NOT NULL
                  AND (x.need_fmt IS NULL OR (p.cur_t3 = x.need_fmt AND p.prev_t3 = x.need_fmt)))
        ), v AS (
            SELECT e.cur_id, e.prev_id, e.agency_id, e.year, t.rid, t.rule, t.grp, t.status, t.severity, t.label,
                   t.grp_zh, t.actual_zh, t.expected_zh,
                   t.side, t.which, t.sign, t.ord, t.first, t.tbl || '.' || t.row_key || '.' || t.col_key AS addr, c.value,
                   c.kind IS NOT NULL AS present, c.kind
            FROM eligible e JOIN chk_cross t USING (rid)
            LEFT JOIN cells c ON c.report_id = CASE t.which WHEN 'cur' THEN e.cur_id ELSE e.prev_id END
                             AND c.tbl = t.tbl AND c.row_key = t.row_key AND c.col_key = t.col_key
        ), g AS (
            SELECT cur_id, prev_id, agency_id, year, rule, grp, status, severity, label, grp_zh, actual_zh, expected_zh,
                   sum(sign * value) FILTER (WHERE side = 'actual') AS actual,
                   sum(sign * value) FILTER (WHERE side = 'expected') AS expected,
                   count(*) FILTER (WHERE present) AS n_present,
                   list(addr ORDER BY ord) FILTER (WHERE first) AS cells,
                   list(which || ' ' || addr) FILTER (WHERE value IS NULL) AS bad,
                   list(CAST(CASE which WHEN 'cur' THEN year ELSE year - 1 END AS VARCHAR) || '年' || czh(addr)
                        || CASE WHEN present THEN kzh(kind) ELSE kzh('missing') END)
                        FILTER (WHERE value IS NULL) AS bad_zh
            FROM v GROUP BY ALL
        )
        SELECT cur_id AS report_id, agency_id, year, rule,
               CASE WHEN len(coalesce(bad, [])) > 0 THEN 'uncertain' ELSE status END AS status,
               CASE WHEN len(coalesce(bad, [])) > 0 THEN 'warning' ELSE severity END AS severity,
               cells, expected, actual,
               CASE WHEN len(coalesce(bad, [])) > 0
                    THEN grp_zh || CAST(year - 1 AS VARCHAR) || '→' || CAST(year AS VARCHAR) || '年无法核对：'
                         || array_to_string(bad_zh, '、')
                    ELSE grp_zh || '：' || CAST(year AS VARCHAR) || '年' || actual_zh || '应为 ' || fnum(expected)
                         || '（' || expected_zh || '，' || CAST(year - 1 AS VARCHAR) || '年报告 ' || substr(prev_id, 1, 12)
                         || '），实为 ' || fnum(actual) END AS message,
               CASE WHEN len(coalesce(bad, [])) > 0
                    THEN rule || ' [' || grp || '] ' || CAST(year - 1 AS VARCHAR) || '→' || CAST(year AS VARCHAR)
                         || ' cannot be checked: ' || array_to_string(bad, ', ') || ' not a number'
                    ELSE rule || ' [' || grp || '] ' || label || ': expected ' || fnum(expected) || ' from '
                         || CAST(year - 1 AS VARCHAR) || ' (report ' || substr(prev_id, 1, 12) || '), got '
                         || fnum(actual) || ' in ' || CAST(year AS VARCHAR) END AS message_en
        FROM g
        WHERE n_present > 0 AND (len(coalesce(bad, [])) > 0 OR abs(actual - expected) > 1e-6)""")


def jumps(con: duckdb.DuckDBPyConnection) -> None:
    figures = [f"{t}.{r}.{c}" for t, r, c in D.JUMP_FIGURES]
    insert(con, """
        WITH v AS (
            SELECT p.cur_id, p.agency_id, p.year, f.addr, pc.value AS prev, cc.value AS cur
            FROM chk_pairs p CROSS JOIN (SELECT unnest($figures::VARCHAR[]) AS addr) f
            JOIN cells cc ON cc.report_id = p.cur_id AND cc.tbl || '.' || cc.row_key || '.' || cc.col_key = f.addr
            JOIN cells pc ON pc.report_id = p.prev_id AND pc.tbl || '.' || pc.row_key || '.' || pc.col_key = f.addr
            WHERE cc.value IS NOT NULL AND pc.value IS NOT NULL AND greatest(cc.value, pc.value) >= $min
        )
        SELECT cur_id AS report_id, agency_id, year, 'X-jump' AS rule, 'fail' AS status, 'info' AS severity,
               [addr] AS cells, prev AS expected, cur AS actual,
               czh(addr) || '由' || CAST(year - 1 AS VARCHAR) || '年的 ' || fnum(prev) || ' 变为' || CAST(year AS VARCHAR)
               || '年的 ' || fnum(cur) || '，变化超过 ' || fnum($ratio) || ' 倍，值得复核' AS message,
               addr || ' went from ' || fnum(prev) || ' (' || CAST(year - 1 AS VARCHAR) || ') to ' || fnum(cur)
               || ' (' || CAST(year AS VARCHAR) || '): a change beyond ×' || fnum($ratio) || ' deserves review' AS message_en
        FROM v WHERE prev = 0 OR cur / prev > $ratio OR cur / prev < 1.0 / $ratio""",
        {"figures": figures, "min": D.JUMP_MIN, "ratio": D.JUMP_RATIO})


def run(con: duckdb.DuckDBPyConnection) -> None:
    pairs(con)
    equations(con)
    jumps(con)
