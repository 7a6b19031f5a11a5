"""Oversight rules, outside the numbers: completeness, format-vs-year, timeliness, coverage, duplicate."""

from __future__ import annotations

import duckdb

from etl import formats as F
from etl.checks.common import insert

FIRST_NATIONAL_YEAR = min(F.FORMAT_FROM_YEAR.values())  # the first year with a national table format


def completeness(con: duckdb.DuckDBPyConnection) -> None:
    # whole tables and chapters: from the cells present and the parser's `missing` list
    insert(con, """
        WITH want AS (
            SELECT r.report_id, r.agency_id, r.year, t.tbl
            FROM reports r CROSS JOIN (SELECT unnest(['t2', 't3', 't4']) AS tbl) t
            WHERE r.template <> 'legacy' OR r.year >= $first
        ), have AS (SELECT DISTINCT report_id, tbl FROM cells),
        missing_tables AS (
            SELECT w.report_id, w.agency_id, w.year, list(w.tbl ORDER BY w.tbl) AS tbls
            FROM want w ANTI JOIN have h USING (report_id, tbl) GROUP BY ALL
        )
        SELECT report_id, agency_id, year, 'completeness' AS rule, 'fail' AS status, 'error' AS severity,
               tbls AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual,
               '未找到表格：' || czhs(tbls, '、') AS message,
               'table(s) not found: ' || array_to_string(tbls, ', ') AS message_en
        FROM missing_tables""", {"first": FIRST_NATIONAL_YEAR})
    insert(con, """
        WITH listed AS (
            SELECT report_id, CAST(coalesce(missing, '[]') AS VARCHAR[]) AS miss,
                   CAST(coalesce(chapters, '[]') AS VARCHAR[]) AS found
            FROM reports WHERE template <> 'legacy' OR year >= $first
        ), from_missing AS (
            SELECT report_id, substr(x, 9) AS ch FROM (SELECT report_id, unnest(miss) AS x FROM listed)
            WHERE x LIKE 'chapter:%'
        ), from_found AS (  -- when the parser lists the chapters it found, the others are absent
            SELECT l.report_id, k.ch FROM listed l CROSS JOIN (SELECT unnest($chapters::VARCHAR[]) AS ch) k
            WHERE len(l.found) > 0 AND NOT list_contains(l.found, k.ch)
        ), absent AS (
            SELECT report_id, list(DISTINCT 'chapter:' || ch ORDER BY 'chapter:' || ch) AS cells
            FROM (SELECT * FROM from_missing UNION SELECT * FROM from_found) GROUP BY 1
        )
        SELECT a.report_id, r.agency_id, r.year, 'completeness' AS rule, 'fail' AS status, 'warning' AS severity,
               a.cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual,
               '未找到章节：' || czhs(a.cells, '、') AS message,
               'chapter(s) not found: ' || array_to_string(a.cells, ', ') AS message_en
        FROM absent a JOIN reports r USING (report_id)""", {"chapters": list(F.CHAPTER_KEYS), "first": FIRST_NATIONAL_YEAR})
    # cells the table's format prints but the report lacks (absent), or left blank, dashed or wrote words in
    # (uncertain: the figure is unknown, not zero). Present cells by an inner join; absent ones only for the
    # few tables that have fewer cells than their format prints.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE chk_present AS
        SELECT c.report_id, c.tbl, f.fmt, x.addr, c.kind
        FROM cells c JOIN chk_rep_fmt f ON f.report_id = c.report_id AND f.tbl = c.tbl
        JOIN chk_expected x ON x.tbl = c.tbl AND x.fmt = f.fmt AND x.row_key = c.row_key AND x.col_key = c.col_key""")
    insert(con, """
        WITH n AS (SELECT tbl, fmt, count(*) AS n_expected FROM chk_expected GROUP BY ALL),
        short AS (
            SELECT p.report_id, p.tbl, p.fmt FROM chk_present p GROUP BY ALL
            HAVING count(*) < (SELECT n_expected FROM n WHERE n.tbl = p.tbl AND n.fmt = p.fmt)
        ), absent AS (
            SELECT s.report_id, x.addr, NULL AS kind
            FROM short s JOIN chk_expected x ON x.tbl = s.tbl AND x.fmt = s.fmt
            LEFT JOIN cells c ON c.report_id = s.report_id AND c.tbl = x.tbl AND c.row_key = x.row_key
                             AND c.col_key = x.col_key
            WHERE c.report_id IS NULL
        ), e AS (
            SELECT report_id, addr, kind FROM chk_present WHERE kind IN ('empty', 'na', 'text')
            UNION ALL SELECT report_id, addr, kind FROM absent
        ), g AS (
            SELECT report_id, CASE WHEN kind IS NULL THEN 'absent' ELSE kind END AS what, list(addr ORDER BY addr) AS cells
            FROM e GROUP BY ALL
        )
        SELECT g.report_id, r.agency_id, r.year, 'completeness' AS rule,
               CASE WHEN what = 'absent' THEN 'fail' ELSE 'uncertain' END AS status, 'warning' AS severity,
               cells, NULL::DOUBLE AS expected, len(cells)::DOUBLE AS actual,
               CAST(len(cells) AS VARCHAR) || CASE what WHEN 'absent' THEN '个应有的单元格未印出：'
                                                        WHEN 'empty' THEN '个单元格空白：'
                                                        WHEN 'na' THEN '个单元格填“/”或“-”而非数字：'
                                                        ELSE '个单元格填写文字而非数字：' END
               || czhs(cells[1:12], '、') || CASE WHEN len(cells) > 12 THEN '等' ELSE '' END AS message,
               CAST(len(cells) AS VARCHAR) || CASE what WHEN 'absent' THEN ' expected cell(s) not printed: '
                                                        WHEN 'empty' THEN ' cell(s) left blank: '
                                                        WHEN 'na' THEN ' cell(s) printed "/" or "-" instead of a figure: '
                                                        ELSE ' cell(s) hold words, not numbers: ' END
               || array_to_string(cells[1:12], ', ') || CASE WHEN len(cells) > 12 THEN ', …' ELSE '' END AS message_en
        FROM g JOIN reports r USING (report_id)""")


def format_vs_year(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, """
        WITH x AS (
            SELECT report_id, agency_id, year, template,
                   due_format(year) AS want
            FROM reports
        )
        SELECT report_id, agency_id, year, 'format-vs-year' AS rule,
               CASE WHEN year IS NULL THEN 'uncertain' ELSE 'fail' END AS status,
               CASE WHEN year IS NULL THEN 'info' ELSE 'warning' END AS severity,
               []::VARCHAR[] AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual,
               CASE WHEN year IS NULL THEN '报告年度不明，无法核对其格式（' || tzh(template) || '）'
                    WHEN template = 'mixed' THEN '表格混用2019年版和2021年版格式'
                    ELSE CAST(year AS VARCHAR) || '年度报告应使用' || tzh(want) || '格式，实为' || tzh(template)
                    END AS message,
               CASE WHEN year IS NULL THEN 'report year unknown: format ' || template || ' cannot be checked'
                    WHEN template = 'mixed' THEN 'tables mix the 2019 and 2021 formats'
                    ELSE 'a ' || CAST(year AS VARCHAR) || ' report should use the ' || want
                         || ' format, found ' || template END AS message_en
        FROM x
        WHERE year IS NULL OR template = 'mixed' OR template <> want""")


def timeliness(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, """
        SELECT report_id, agency_id, year, 'timeliness' AS rule,
               CASE WHEN published_on IS NULL THEN 'uncertain' ELSE 'fail' END AS status,
               CASE WHEN published_on IS NULL THEN 'info' ELSE 'warning' END AS severity,
               []::VARCHAR[] AS cells, 0::DOUBLE AS expected,
               CAST(date_diff('day', deadline, published_on) AS DOUBLE) AS actual,
               CASE WHEN published_on IS NULL THEN '发布日期不明（截止日期 ' || CAST(deadline AS VARCHAR) || '）'
                    ELSE CAST(published_on AS VARCHAR) || ' 发布，晚于截止日期 ' || CAST(deadline AS VARCHAR) || ' 共 '
                         || CAST(date_diff('day', deadline, published_on) AS VARCHAR) || ' 天' END AS message,
               CASE WHEN published_on IS NULL THEN 'publication date unknown (deadline ' || CAST(deadline AS VARCHAR) || ')'
                    ELSE 'published ' || CAST(published_on AS VARCHAR) || ', '
                         || CAST(date_diff('day', deadline, published_on) AS VARCHAR)
                         || ' day(s) after the deadline ' || CAST(deadline AS VARCHAR) END AS message_en
        FROM reports
        WHERE deadline IS NOT NULL AND (published_on IS NULL OR published_on > deadline)""")


def coverage(con: duckdb.DuckDBPyConnection) -> None:
    # every year between an agency's first and last report; and, from the national format (2019) on, every
    # year the warehouse covers at all: others published that year, so this agency's report is missing too
    insert(con, """
        WITH active AS (SELECT agency_id, year FROM reports
                        WHERE is_active AND agency_id IS NOT NULL AND year IS NOT NULL),
        span AS (
            SELECT agency_id,
                   least(min(year), greatest(?, (SELECT min(year) FROM active))) AS lo,
                   greatest(max(year), (SELECT max(year) FROM active)) AS hi
            FROM active GROUP BY 1
        ), want AS (SELECT agency_id, unnest(range(lo, hi + 1)) AS year FROM span)
        SELECT NULL::VARCHAR AS report_id, w.agency_id, w.year::INTEGER AS year, 'coverage' AS rule,
               'fail' AS status, 'warning' AS severity, []::VARCHAR[] AS cells, NULL::DOUBLE AS expected,
               NULL::DOUBLE AS actual,
               '未找到' || a.name || '的' || CAST(w.year AS VARCHAR) || '年度报告' AS message,
               'no report for ' || CAST(w.year AS VARCHAR) || ' from ' || a.name AS message_en
        FROM want w JOIN agencies a USING (agency_id)
        WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.agency_id = w.agency_id AND r.year = w.year)""",
           [FIRST_NATIONAL_YEAR])


def duplicate(con: duckdb.DuckDBPyConnection) -> None:
    # the active one was chosen at load (fewest missing cells, fewest problems, latest published_on, sha256)
    insert(con, """
        SELECT d.report_id, d.agency_id, d.year, 'duplicate' AS rule, 'fail' AS status, 'info' AS severity,
               []::VARCHAR[] AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual,
               '同一机关同一年度已有另一文件在用：' || a.source_path
               || '（保留缺失单元格最少、其次问题最少、再次发布日期最晚的一份）' AS message,
               'another file for the same agency and year is active: ' || a.source_path
               || ' (kept: fewest missing cells, then fewest problems, then latest publication date)' AS message_en
        FROM reports d JOIN reports a ON a.agency_id = d.agency_id AND a.year = d.year AND a.is_active
        WHERE NOT d.is_active""")


def run(con: duckdb.DuckDBPyConnection) -> None:
    completeness(con)
    format_vs_year(con)
    timeliness(con)
    coverage(con)
    duplicate(con)
