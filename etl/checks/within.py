"""Rules inside one report: T3-balance, T3-outcomes, T3-columns, T4-sums, T2-stock, non-negative,
text-vs-table."""

from __future__ import annotations

import duckdb

from etl.checks import definitions
from etl.checks import messages as M
from etl.checks.common import insert
from etl.model import NARRATIVE_KEYS


def identities(con: duckdb.DuckDBPyConnection) -> None:
    unknown_zh, unknown_en = M.expr("identity.unknown", "zh"), M.expr("identity.unknown", "en")
    # cells join the (small) term table: a broadcast hash join, no fan-out over absent cells; the few
    # groups with absent cells are completed by a second, small join
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE chk_groups AS
        WITH x AS (
            SELECT c.report_id, t.rule, t.tbl, t.fmt, t.grp, t.side, t.ord, t.addr AS cell, c.value, c.kind,
                   CASE WHEN c.value IS NULL THEN kzh(c.kind) END AS kind_zh,
                   CASE WHEN c.value IS NULL THEN ken(c.kind) END AS kind_en
            FROM cells c JOIN chk_rep_fmt f ON f.report_id = c.report_id AND f.tbl = c.tbl
            JOIN chk_terms t ON t.tbl = c.tbl AND t.fmt = f.fmt AND t.row_key = c.row_key AND t.col_key = c.col_key
        )
        SELECT report_id, rule, tbl, fmt, grp,
               sum(value) FILTER (WHERE side = 'parts') AS parts,
               sum(value) FILTER (WHERE side = 'totals') AS totals,
               count(*) AS n_present,
               coalesce(list({unknown_en} ORDER BY ord) FILTER (WHERE value IS NULL), []) AS bad,
               coalesce(list({unknown_zh} ORDER BY ord) FILTER (WHERE value IS NULL), []) AS bad_zh
        FROM x GROUP BY ALL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE chk_absent AS
        WITH n AS (SELECT rule, tbl, fmt, grp, count(*) AS n_terms FROM chk_terms GROUP BY ALL),
        incomplete AS (SELECT g.report_id, g.rule, g.tbl, g.fmt, g.grp FROM chk_groups g
                       JOIN n USING (rule, tbl, fmt, grp) WHERE g.n_present < n.n_terms),
        y AS (  -- a cell the report lacks: not printed, or printed but not read by us (etl.checks.gaps)
            SELECT i.report_id, i.rule, i.grp, t.ord, t.addr AS cell,
                   CASE WHEN EXISTS (SELECT 1 FROM chk_gaps g WHERE g.report_id = i.report_id AND g.addr = t.addr)
                        THEN 'unread' ELSE 'missing' END AS kind
            FROM incomplete i JOIN chk_terms t USING (rule, tbl, fmt, grp)
            LEFT JOIN cells c ON c.report_id = i.report_id AND c.tbl = t.tbl AND c.row_key = t.row_key
                             AND c.col_key = t.col_key
            WHERE c.report_id IS NULL
        ),
        x AS (SELECT *, kzh(kind) AS kind_zh, ken(kind) AS kind_en FROM y)
        SELECT report_id, rule, grp, list({unknown_en} ORDER BY ord) AS absent,
               list({unknown_zh} ORDER BY ord) AS absent_zh
        FROM x GROUP BY ALL""")
    insert(con, """
        WITH g AS (
            SELECT g.*, list_concat(g.bad, coalesce(a.absent, [])) AS unknown,
                   list_concat(g.bad_zh, coalesce(a.absent_zh, [])) AS unknown_zh, n.cells, n.grp_zh, n.grp_en
            FROM chk_groups g LEFT JOIN chk_absent a USING (report_id, rule, grp)
            JOIN (SELECT rule, tbl, fmt, grp, list(addr ORDER BY ord) AS cells, any_value(grp_zh) AS grp_zh,
                         any_value(grp_en) AS grp_en
                  FROM chk_terms GROUP BY ALL) n
              USING (rule, tbl, fmt, grp)
        )
        SELECT g.report_id, r.agency_id, r.year, g.rule,
               CASE WHEN len(unknown) > 0 THEN 'uncertain' ELSE 'fail' END AS status,
               CASE WHEN len(unknown) > 0 THEN 'warning' ELSE k.severity END AS severity,
               g.cells,
               CASE WHEN len(unknown) = 0 THEN parts END AS expected,
               CASE WHEN len(unknown) = 0 THEN totals END AS actual,
               CASE WHEN len(unknown) > 0 THEN 'uncertain' WHEN k.op = '=' THEN 'eq' ELSE 'le' END AS variant,
               g.grp, g.grp_zh, g.grp_en, g.unknown, g.unknown_zh, g.parts, g.totals, k.parts_label, k.totals_label,
               k.parts_zh, k.totals_zh, k.parts_en, k.totals_en
        FROM g JOIN chk_rules k USING (rule, tbl, fmt) JOIN reports r USING (report_id)
        WHERE len(unknown) > 0 OR (k.op = '=' AND abs(parts - totals) > 1e-6)
              OR (k.op = '<=' AND parts > totals + 1e-6)""", messages="identity")


def non_negative(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, """
        SELECT c.report_id, r.agency_id, r.year, 'non-negative' AS rule, 'fail' AS status, 'error' AS severity,
               [addr(c.tbl, c.row_key, c.col_key)] AS cells, NULL::DOUBLE AS expected, c.value AS actual,
               CASE WHEN c.value < 0 THEN 'negative' ELSE 'fraction' END AS variant,
               addr(c.tbl, c.row_key, c.col_key) AS cell, c.raw
        FROM cells c JOIN reports r USING (report_id)
        WHERE c.value IS NOT NULL AND (c.value < 0 OR c.value <> floor(c.value))
          AND NOT (c.tbl = 't2' AND list_contains(?, c.col_key))""", [list(definitions.SIGNED_OR_AMOUNT_COLS)],
           messages="non-negative")


def text_vs_table(con: duckdb.DuckDBPyConnection) -> None:
    keys = [k for k in NARRATIVE_KEYS if k in definitions.NARRATIVE_ALTERNATIVES]
    # each stated fact with the sentence it was read from (reports.narrative_evidence); an approximate figure
    # ("1000余条") is not held against the table. Keys are constants from etl.model, not user input.
    stated = " UNION ALL ".join(
        f"SELECT report_id, '{k}' AS nkey, TRY_CAST(json_extract_string(narrative, '$.{k}') AS DOUBLE) AS stated, "
        f"json_extract_string(narrative_evidence, '$.{k}.sentence') AS sentence, "
        f"coalesce(TRY_CAST(json_extract_string(narrative_evidence, '$.{k}.approx') AS BOOLEAN), FALSE) AS approx "
        "FROM reports" for k in keys)
    alt_zh, alt_en = M.expr("text-vs-table.alt", "zh"), M.expr("text-vs-table.alt", "en")
    insert(con, f"""
        WITH s AS (
            -- a figure is compared only with a table the report prints (a pre-2019 report has none)
            SELECT x.report_id, x.nkey, x.stated, x.sentence FROM ({stated}) x
            WHERE x.stated IS NOT NULL AND NOT x.approx AND EXISTS (
                SELECT 1 FROM chk_narrative n JOIN chk_rep_fmt f ON f.tbl = n.tbl
                WHERE n.nkey = x.nkey AND f.report_id = x.report_id)
        ),
        a AS (
            SELECT s.report_id, s.nkey, s.stated, s.sentence, n.alt, any_value(n.n_cells) AS n_cells, count(c.value) AS n_ok,
                   sum(c.value) AS total, list(addr(n.tbl, n.row_key, n.col_key) ORDER BY n.pos) AS cells
            FROM s JOIN chk_narrative n USING (nkey)
            LEFT JOIN cells c ON c.report_id = s.report_id AND c.tbl = n.tbl AND c.row_key = n.row_key
                             AND c.col_key = n.col_key
            GROUP BY ALL
        ), alts AS (  -- each alternative sum, worded (its total only when all its cells hold numbers)
            SELECT *, {alt_en} AS shown, {alt_zh} AS shown_zh
            FROM (SELECT *, CASE WHEN n_ok = n_cells THEN total END AS alt_total FROM a)
        ), res AS (
            SELECT report_id, nkey, any_value(stated) AS stated, any_value(sentence) AS sentence,
                   bool_or(n_ok = n_cells AND abs(total - stated) < 1e-6) AS matched,
                   bool_or(n_ok = n_cells) AS checkable,
                   flatten(list(cells ORDER BY alt)) AS all_cells,
                   list(shown ORDER BY alt) AS shown, list(shown_zh ORDER BY alt) AS shown_zh,
                   arg_min(total, alt) FILTER (WHERE n_ok = n_cells) AS first_total
            FROM alts GROUP BY ALL
        )
        SELECT res.report_id, r.agency_id, r.year, 'text-vs-table' AS rule,
               CASE WHEN checkable THEN 'fail' ELSE 'uncertain' END AS status, 'warning' AS severity,
               -- each cell once, in the order the alternatives list them (list_distinct's order is arbitrary)
               list_filter(all_cells, lambda x, i: list_position(all_cells, x) = i) AS cells,
               stated AS expected, first_total AS actual,
               nkey, coalesce(getvariable('chk_narr_zh')[nkey], nkey) AS nkey_zh,
               coalesce(getvariable('chk_narr_en')[nkey], nkey) AS nkey_en, stated, shown, shown_zh,
               res.sentence AS sentence, CASE WHEN res.sentence IS NULL THEN '' ELSE 'quoted' END AS variant
        FROM res JOIN reports r USING (report_id)
        WHERE NOT matched OR matched IS NULL""", messages="text-vs-table")


def run(con: duckdb.DuckDBPyConnection) -> None:
    identities(con)
    non_negative(con)
    text_vs_table(con)
