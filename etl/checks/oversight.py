"""Oversight rules, outside the numbers: completeness, format-vs-year, timeliness, coverage, duplicate."""

from __future__ import annotations

import duckdb

from etl import formats as F
from etl.checks import messages as M
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
               tbls AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual
        FROM missing_tables""", {"first": FIRST_NATIONAL_YEAR}, messages="completeness.tables")
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
        ), absent AS (  -- a chapter whose heading our reading could not place (etl.checks.gaps) is not absent
            SELECT report_id, list(DISTINCT 'chapter:' || ch ORDER BY 'chapter:' || ch) AS cells
            FROM (SELECT * FROM from_missing UNION SELECT * FROM from_found) u
            WHERE NOT EXISTS (SELECT 1 FROM chk_gaps g WHERE g.report_id = u.report_id AND g.addr = 'chapter:' || u.ch)
            GROUP BY 1
        )
        SELECT a.report_id, r.agency_id, r.year, 'completeness' AS rule, 'fail' AS status, 'warning' AS severity,
               a.cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual
        FROM absent a JOIN reports r USING (report_id)""", {"chapters": list(F.CHAPTER_KEYS), "first": FIRST_NATIONAL_YEAR},
           messages="completeness.chapters")
    insert(con, """
        SELECT g.report_id, r.agency_id, r.year, 'completeness' AS rule, 'uncertain' AS status, 'info' AS severity,
               list(g.addr ORDER BY g.addr) AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual
        FROM chk_gaps g JOIN reports r USING (report_id)
        WHERE g.addr LIKE 'chapter:%' AND (r.template <> 'legacy' OR r.year >= $first)
        GROUP BY ALL""", {"first": FIRST_NATIONAL_YEAR}, messages="completeness.chapters_unclear",
           responsibility="'reading'")
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
        ), gap AS (  -- a cell our reading could not settle (etl.checks.gaps): the first reason per cell
            SELECT report_id, addr, min(code) AS code FROM chk_gaps GROUP BY ALL
        ), g AS (
            SELECT e.report_id,
                   CASE WHEN gap.code IS NOT NULL THEN 'unread' WHEN e.kind IS NULL THEN 'absent' ELSE e.kind END
                       AS what, gap.code, list(e.addr ORDER BY e.addr) AS cells
            FROM e LEFT JOIN gap USING (report_id, addr) GROUP BY ALL
        )
        SELECT g.report_id, r.agency_id, r.year, 'completeness' AS rule,
               CASE WHEN what = 'absent' THEN 'fail' ELSE 'uncertain' END AS status, 'warning' AS severity,
               cells, NULL::DOUBLE AS expected, len(cells)::DOUBLE AS actual,
               what AS variant, len(cells) AS n, cells[1:$shown] AS shown, len(cells) > $shown AS more,
               w.why_zh, w.why_en,
               CASE WHEN what = 'unread' THEN 'reading' ELSE 'source' END AS resp
        FROM g JOIN reports r USING (report_id) LEFT JOIN chk_gap_words w USING (code)""",
           {"shown": M.COMPLETENESS_SHOWN}, messages="completeness.cells", responsibility="resp")


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
               CASE WHEN year IS NULL THEN 'unknown_year' WHEN template = 'mixed' THEN 'mixed' ELSE 'wrong' END
                   AS variant,
               template, tzh(template) AS template_zh, want, tzh(want) AS want_zh
        FROM x
        WHERE year IS NULL OR template = 'mixed' OR template <> want""", messages="format-vs-year")


def timeliness(con: duckdb.DuckDBPyConnection) -> None:
    # Lateness needs both dates. A deadline is known only where a rule of the law in force for the year
    # covers the agency's kind (etl/warehouse/deadlines.py): with either date unknown the finding is
    # uncertain (and says which is missing), never late.
    insert(con, """
        SELECT report_id, agency_id, year, 'timeliness' AS rule,
               CASE WHEN published_on IS NULL OR deadline IS NULL THEN 'uncertain' ELSE 'fail' END AS status,
               CASE WHEN published_on IS NULL OR deadline IS NULL THEN 'info' ELSE 'warning' END AS severity,
               []::VARCHAR[] AS cells, 0::DOUBLE AS expected,
               CAST(date_diff('day', deadline, published_on) AS DOUBLE) AS actual,
               CASE WHEN published_on IS NULL AND deadline IS NULL THEN 'unknown'
                    WHEN published_on IS NULL THEN 'undated'
                    WHEN deadline IS NULL THEN 'no_deadline'
                    WHEN published_from IN ('web_page', 'web_listing') THEN 'late_' || published_from
                    ELSE 'late' END AS variant,
               published_on, deadline, date_diff('day', deadline, published_on) AS days,
               coalesce(nullif(deadline_basis, ''), 'deadlines.csv') AS basis
        FROM reports
        WHERE year IS NOT NULL AND agency_id IS NOT NULL
          AND (deadline IS NULL OR published_on IS NULL OR published_on > deadline)""", messages="timeliness")


def coverage(con: duckdb.DuckDBPyConnection) -> None:
    # The years an agency was due to report. An agency on the 应报名单 (expected_reporters) owes exactly the
    # years the list gives it, a blank bound meaning the first / latest year of the data of its kind (real
    # or generated), whether or not it ever published: a year with no report is a failure (缺失). Generated
    # sample agencies owe every year of their corpus from the national format (2019) on, their corpus being
    # their own roster (agencies.csv). Any other agency is held to nothing: without a list, a year between
    # its first report and the latest year loaded that holds no report was not loaded (未载入) — perhaps not
    # published, perhaps not collected — an uncertain finding of what was loaded, never a failure.
    insert(con, """
        WITH active AS (SELECT agency_id, year, coalesce(is_sample, FALSE) AS sample FROM reports
                        WHERE is_active AND agency_id IS NOT NULL AND year IS NOT NULL),
        kinds AS (SELECT sample, min(year) AS kmin, max(year) AS kmax FROM active GROUP BY 1),
        span AS (
            SELECT a.agency_id, bool_or(a.sample) AS sample, min(a.year) AS first, max(a.year) AS last
            FROM active a GROUP BY 1
        ), inferred AS (
            SELECT s.agency_id,
                   CASE WHEN s.sample THEN least(s.first, greatest(?, k.kmin)) ELSE s.first END AS lo,
                   greatest(s.last, k.kmax) AS hi
            FROM span s JOIN kinds k ON k.sample = s.sample
            WHERE s.agency_id NOT IN (SELECT agency_id FROM expected_reporters)
        ), listed AS (
            SELECT e.agency_id,
                   coalesce(e.from_year, k.kmin, (SELECT min(year) FROM active)) AS lo,
                   coalesce(e.to_year, k.kmax, (SELECT max(year) FROM active)) AS hi
            FROM expected_reporters e JOIN agencies a USING (agency_id)
            LEFT JOIN kinds k ON k.sample = coalesce(a.is_sample, FALSE)
        ), bounds AS (SELECT * FROM inferred UNION ALL SELECT * FROM listed WHERE lo <= hi),
        want AS (SELECT agency_id, unnest(range(lo, hi + 1)) AS year FROM bounds),
        owed AS (
            SELECT w.agency_id, w.year, a.name AS agency,
                   CASE WHEN w.agency_id IN (SELECT agency_id FROM expected_reporters) THEN 'listed'
                        WHEN coalesce(a.is_sample, FALSE) THEN '' ELSE 'not_loaded' END AS variant
            FROM want w JOIN agencies a USING (agency_id)
        )
        SELECT NULL::VARCHAR AS report_id, w.agency_id, w.year::INTEGER AS year, 'coverage' AS rule,
               CASE WHEN variant = 'not_loaded' THEN 'uncertain' ELSE 'fail' END AS status,
               CASE WHEN variant = 'not_loaded' THEN 'info' ELSE 'warning' END AS severity,
               []::VARCHAR[] AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual, agency,
               CASE WHEN variant = 'not_loaded' THEN 'corpus' ELSE 'source' END AS resp, variant
        FROM owed w
        WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.agency_id = w.agency_id AND r.year = w.year)""",
           [FIRST_NATIONAL_YEAR], messages="coverage", responsibility="resp")


def duplicate(con: duckdb.DuckDBPyConnection) -> None:
    # the active one was chosen at load (fewest missing cells, fewest problems, latest published_on, sha256)
    insert(con, """
        SELECT d.report_id, d.agency_id, d.year, 'duplicate' AS rule, 'fail' AS status, 'info' AS severity,
               []::VARCHAR[] AS cells, NULL::DOUBLE AS expected, NULL::DOUBLE AS actual,
               -- the active file by its folder and name, never the server's path to it
               regexp_extract(a.source_path, '([^/\\\\]+[/\\\\])?[^/\\\\]+$') AS active_path
        FROM reports d JOIN reports a ON a.agency_id = d.agency_id AND a.year = d.year AND a.is_active
        WHERE NOT d.is_active""", messages="duplicate")


def run(con: duckdb.DuckDBPyConnection) -> None:
    completeness(con)
    format_vs_year(con)
    timeliness(con)
    coverage(con)
    duplicate(con)
