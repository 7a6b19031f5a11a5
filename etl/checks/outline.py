"""The outline audit: are the six chapters numbered and ordered as the national form prescribes, and does the
存在的主要问题及改进情况 chapter say anything?

Presence is the completeness rule's (etl/checks/oversight.py); copying last year's problems chapter is the
similarity rule's. Here:

- `outline`: the chapters' ordinals as printed (一、… 六、, 第一部分 …, read from each heading) either repeat
  (a numbering that restarts: 一、二、三、一、…) or do not rise in the form's chapter order (三、 before 二、).
  A chapter the report adds (政务公开平台建设情况 as 二、) renumbers the ones after it without breaking the
  order, so it is not a finding. Judged over the chapters whose heading shows an ordinal, two at least;
  certain (`fail`) only where all six were read with their ordinals from a text layer and no heading was
  lost on the way (a converter's Markdown renumbers lists: "一、主动公开…" after "一、总体情况" in a PDF
  turned into Markdown), else ours to check (`uncertain`, `reading`).
- `problems-empty`: the 存在的主要问题及改进情况 chapter holds fewer than PROBLEMS_MIN_CHARS letters or
  digits beyond its heading ("暂无。" says nothing of problems or improvements).

Reports of the national forms only (2019 on); a report read by OCR may have lost text, so an empty chapter
there is ours to check (`uncertain`, `reading`), never an accusation.
"""

from __future__ import annotations

import duckdb

from etl import formats as F
from etl.checks.common import insert
from etl.checks.oversight import FIRST_NATIONAL_YEAR

PROBLEMS_MIN_CHARS = 8
NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def register(con: duckdb.DuckDBPyConnection) -> None:
    """chk_outline: each chapter of a national-form report with its place in the form (pos), its heading and
    the ordinal the heading prints (NULL when it prints none)."""
    con.execute("SET VARIABLE chk_numerals = MAP(?::VARCHAR[], ?::INTEGER[])",
                [list(NUMERALS), list(NUMERALS.values())])
    con.execute("SET VARIABLE chk_chapter_pos = MAP(?::VARCHAR[], ?::INTEGER[])",
                [list(F.CHAPTER_KEYS), list(range(1, len(F.CHAPTER_KEYS) + 1))])
    con.execute(r"""
        CREATE OR REPLACE TEMP TABLE chk_outline AS
        WITH h AS (
            SELECT ct.report_id, ct.chapter, ct.heading, getvariable('chk_chapter_pos')[ct.chapter] AS pos,
                   -- Markdown marks a converter left around a heading aside: 第?一 … 十二 (部分|章)?
                   regexp_extract(regexp_replace(coalesce(ct.heading, ''), '^[\s#>*_]+', ''),
                                  '^第?([一二三四五六七八九十]{1,2})(?:部分|章)?', 1) AS numeral
            FROM chapter_texts ct JOIN reports r USING (report_id)
            WHERE r.template <> 'legacy' OR r.year >= $first
        )
        SELECT report_id, chapter, heading, pos,
               CASE WHEN numeral = '' THEN NULL
                    WHEN length(numeral) = 1 THEN getvariable('chk_numerals')[numeral]
                    WHEN numeral[1] = '十' THEN 10 + getvariable('chk_numerals')[numeral[2]]
                    ELSE NULL END AS ordinal
        FROM h""", {"first": FIRST_NATIONAL_YEAR})


def outline(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, """
        WITH o AS (SELECT * FROM chk_outline WHERE ordinal IS NOT NULL),
        judged AS (
            SELECT report_id,
                   count(*) AS n, count(DISTINCT ordinal) AS n_ordinals,
                   -- chapters whose ordinal another chapter also prints
                   list(chapter ORDER BY pos) FILTER (WHERE dup) AS repeated,
                   -- chapters whose ordinal is not above every ordinal of the chapters the form puts before
                   list(chapter ORDER BY pos) FILTER (WHERE ordinal <= before) AS backwards,
                   string_agg(coalesce(heading, chapter), '；' ORDER BY pos) AS listing
            FROM (SELECT *, count(*) OVER (PARTITION BY report_id, ordinal) > 1 AS dup,
                         max(ordinal) OVER (PARTITION BY report_id ORDER BY pos
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
                  FROM o)
            GROUP BY 1
        )
        SELECT j.report_id, r.agency_id, r.year, 'outline' AS rule,
               CASE WHEN j.n = $six AND r.read_method NOT IN ('ocr', 'partly_ocr')
                         AND NOT EXISTS (SELECT 1 FROM chk_gaps g WHERE g.report_id = j.report_id
                                         AND g.addr LIKE 'chapter:%') THEN 'fail' ELSE 'uncertain' END AS status,
               'warning' AS severity,
               ['chapter:' || c FOR c IN CASE WHEN n_ordinals < n THEN repeated ELSE backwards END] AS cells,
               NULL::DOUBLE AS expected, NULL::DOUBLE AS actual,
               CASE WHEN n_ordinals < n THEN 'numbering' ELSE 'order' END AS variant,
               listing, listing AS listing_en
        FROM judged j JOIN reports r USING (report_id)
        WHERE j.n >= 2 AND (n_ordinals < n OR len(backwards) > 0)""", {"six": len(F.CHAPTER_KEYS)},
           messages="outline", responsibility="CASE status WHEN 'fail' THEN 'source' ELSE 'reading' END")


def problems_empty(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, r"""
        WITH p AS (
            SELECT ct.report_id, regexp_replace(coalesce(ct.heading, ''), '[^\p{L}\p{N}]+', '', 'g') AS h,
                   regexp_replace(ct.text, '[^\p{L}\p{N}]+', '', 'g') AS b, ct.text
            FROM chapter_texts ct WHERE ct.chapter = 'problems'
        ), body AS (  -- a chapter cut out of a run of text starts with its heading
            SELECT report_id, CASE WHEN h <> '' AND starts_with(b, h) THEN substr(b, length(h) + 1) ELSE b END AS b,
                   trim(text) AS text
            FROM p
        )
        SELECT b.report_id, r.agency_id, r.year, 'problems-empty' AS rule,
               CASE WHEN r.read_method IN ('ocr', 'partly_ocr') THEN 'uncertain' ELSE 'fail' END AS status,
               'warning' AS severity, ['chapter:problems'] AS cells, $min::DOUBLE AS expected,
               length(b.b)::DOUBLE AS actual, CASE WHEN b.b = '' THEN 'empty' ELSE 'short' END AS variant,
               left(b.text, 40) AS body, r.read_method
        FROM body b JOIN reports r USING (report_id)
        WHERE length(b.b) < $min AND (r.template <> 'legacy' OR r.year >= $first)""",
           {"min": PROBLEMS_MIN_CHARS, "first": FIRST_NATIONAL_YEAR}, messages="problems-empty",
           responsibility="CASE WHEN read_method IN ('ocr', 'partly_ocr') THEN 'reading' ELSE 'source' END")


def run(con: duckdb.DuckDBPyConnection) -> None:
    register(con)
    outline(con)
    problems_empty(con)
