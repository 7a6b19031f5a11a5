"""Reading gaps: what the parser could not read, which is ours to own, never the report's failure.

A cell we could not read (digits printed glued together with more than one split the table allows, a row
whose values could not be placed, readings of one page that disagree, an OCR'd figure nothing confirms) is
not a cell the agency failed to print. The parser says so in a problem (etl.model.Problem) whose `where`
names a cell ("t3.granted.total"), a row ("t3.granted"), a table ("t3") or a chapter ("chapter:problems").
This module owns the problem codes that mean "our reading is in doubt" with their words, turns them into
the temp table `chk_gaps` (report_id, addr, code) the rules consult, and, after every rule has run, makes any
finding that rests on such a cell or table `uncertain` and ours (`responsibility = 'reading'`).
"""

from __future__ import annotations

import duckdb

from etl.reading_gaps import READING_GAPS

# the codes and their words live in etl.reading_gaps (the parser reads them too, without the checks' imports)


def register(con: duckdb.DuckDBPyConnection) -> None:
    """chk_gaps: every cell, table or chapter address a reading-gap problem names, expanded to the cells of
    the report's table format (a row to its cells, a table to its cells). Needs chk_expected, chk_rep_fmt."""
    codes = list(READING_GAPS)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE chk_gap_where AS
        WITH p AS (
            SELECT report_id, unnest(from_json(problems, '[{"code": "VARCHAR", "where": "VARCHAR"}]')) AS p
            FROM reports WHERE problems IS NOT NULL AND regexp_matches(CAST(problems AS VARCHAR), ?)
        )
        SELECT DISTINCT report_id, p.code AS code, p."where" AS w FROM p
        WHERE list_contains(?::VARCHAR[], p.code) AND p."where" IS NOT NULL""",
                ["|".join(codes), codes])
    # a named cell, chapter or table stands as it is (a table-level gap also covers the table as a whole:
    # completeness of tables, identities over it); a row or a table also expands to its cells
    con.execute("""
        CREATE OR REPLACE TEMP TABLE chk_gaps AS
        SELECT g.report_id, g.w AS addr, g.code FROM chk_gap_where g
        WHERE g.w LIKE 'chapter:%' OR len(string_split(g.w, '.')) IN (1, 3)
        UNION
        SELECT g.report_id, x.addr, g.code
        FROM chk_gap_where g JOIN chk_rep_fmt f ON f.report_id = g.report_id AND f.tbl = split_part(g.w, '.', 1)
        JOIN chk_expected x ON x.fmt = f.fmt AND x.tbl = f.tbl
        WHERE NOT g.w LIKE 'chapter:%' AND (
              (len(string_split(g.w, '.')) = 2 AND x.row_key = split_part(g.w, '.', 2))
              OR len(string_split(g.w, '.')) = 1)""")
    # A table read from a page image may lack a cell because OCR missed it, not because it was not printed:
    # its absent cells are ours too (only absent ones: a cell OCR did read is judged by the OCR check).
    con.execute("""
        INSERT INTO chk_gaps
        SELECT f.report_id, x.addr, 'ocr_absent'
        FROM chk_rep_fmt f JOIN chk_expected x ON x.fmt = f.fmt AND x.tbl = f.tbl
        WHERE f.report_id IN (SELECT report_id FROM reports WHERE read_method IN ('ocr', 'partly_ocr'))
          AND EXISTS (SELECT 1 FROM cells c WHERE c.report_id = f.report_id AND c.tbl = f.tbl
                      AND c.read IN ('ocr', 'ocr_corrected'))
          AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.report_id = f.report_id AND c.tbl = x.tbl
                          AND c.row_key = x.row_key AND c.col_key = x.col_key)""")
    con.register("chk_gap_words_df", _words())
    con.execute("CREATE OR REPLACE TEMP TABLE chk_gap_words AS SELECT * FROM chk_gap_words_df")
    con.unregister("chk_gap_words_df")


def _words():
    import pandas as pd

    return pd.DataFrame([{"code": c, "why_zh": zh, "why_en": en} for c, (zh, en) in READING_GAPS.items()])


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """After every rule: a finding of the report's own (not already a reading gap) whose cells include a cell
    or table our reading is in doubt about rests on that reading — it becomes uncertain and ours, its words
    saying why. (A finding with no cells, like lateness, is never touched.)"""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE chk_gap_hits AS
        WITH fc AS (
            SELECT finding_id, report_id, unnest(CAST(cells AS VARCHAR[])) AS addr FROM findings
            WHERE responsibility = 'source' AND report_id IN (SELECT DISTINCT report_id FROM chk_gaps)
        )
        SELECT fc.finding_id, min(w.why_zh) AS why_zh, min(w.why_en) AS why_en
        FROM fc JOIN chk_gaps g ON g.report_id = fc.report_id
             AND (g.addr = fc.addr OR g.addr = split_part(fc.addr, '.', 1))
        JOIN chk_gap_words w ON w.code = g.code
        GROUP BY 1""")
    con.execute("""
        UPDATE findings SET status = 'uncertain', responsibility = 'reading',
               severity = CASE WHEN severity = 'error' THEN 'warning' ELSE severity END,
               message = message || '（本工具识读存疑：' || h.why_zh || '；非报告本身的错误认定）',
               message_en = message_en || ' (our reading is in doubt: ' || h.why_en || '; not a finding against the report)'
        FROM chk_gap_hits h WHERE findings.finding_id = h.finding_id""")
