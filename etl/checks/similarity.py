"""内容雷同: a chapter whose own wording is mostly found in the same chapter of another report — the agency's
own previous report (照搬上年), or another agency's report of the same year.

Compared are the chapters an agency writes itself: 总体情况, 存在的主要问题及改进情况 and 其他需要报告的事项.
The table chapters (二、三、四) print the national form, whose words every report shares and whose figures
the figure rules check.

What counts is a chapter's *own* wording. Its text (letters and digits only) is cut into overlapping runs of
SHINGLE characters; a run is common wording, not the chapter's own, when it belongs to the national form
(chapter headings, table labels) or appears in the reports of COMMON_AGENCIES or more agencies (any year):
the stock phrases of government prose ("坚持以公开为常态、不公开为例外") and any shared template (or
COMMON_SHARE of all agencies, where that is more). The
similarity of chapter A to chapter B is the share of A's own runs that B also has; a chapter with fewer
than MIN_OWN own runs is too short to judge.

At or above the threshold (the office's, from the 考评 rules: etl.assess.rules; default DEFAULT_THRESHOLD):
- the agency's previous report (its latest earlier active one): `fail`, the report's own;
- another agency's report of the same year: `fail` for the one published later (it copied); nothing for the
  one published first (its text was copied); `uncertain` for both when the dates are equal or unknown
  (who copied whom cannot be told).
A chapter gets one finding (the closest match, a certain one first); every match at or above FLOOR is kept
in `chapter_similarity` (the finding's evidence and the dashboard's list) with the finding it supports.
"""

from __future__ import annotations

import difflib
import unicodedata

import duckdb
import pandas as pd

from etl import formats as F
from etl.checks.common import insert

RULE = "similarity"
PROSE_CHAPTERS = ("overview", "problems", "other")
SHINGLE = 8  # characters per run: long enough that two independent writers rarely share one by chance
# wording found in the reports of this many agencies (at least; or this share of all agencies loaded, if more)
# is common wording: three copies of one text are 雷同 in a county's reports, a template in a province's
COMMON_AGENCIES = 3
COMMON_SHARE = 0.02
RARE = 5  # runs that pair two agencies' chapters for comparison: in at most this many agencies' reports
MIN_OWN = 20  # own runs a chapter needs to be judged (about 25 characters of its own wording)
FLOOR = 0.5  # matches kept as evidence
DEFAULT_THRESHOLD = 0.8
ORDINALS = "一二三四五六七八九十"


def form_words() -> list[str]:
    """The national form's own words: chapter headings (with their ordinals), table titles and labels."""
    words = [f"{o}{zh}" for o in ("", *ORDINALS) for _, zh, _ in F.CHAPTERS]
    words += [k.zh for table in (F.ROWS, F.COLS) for keys in table.values() for k in keys]
    words += [zh for zh, _ in F.TABLE_TITLES.values()]
    words += [F.T3_BALANCE_NOTE, F.T2_ITEM_WORD, F.T2_HEADER_WORD, *F.T3_HEADER_WORDS, *F.T4_BLOCK_WORDS]
    return words


def run(con: duckdb.DuckDBPyConnection, threshold: float = DEFAULT_THRESHOLD) -> None:
    con.execute("DELETE FROM chapter_similarity")
    con.register("sim_form_df", pd.DataFrame({"w": form_words()}))
    con.execute("CREATE OR REPLACE TEMP TABLE sim_form_words AS SELECT w FROM sim_form_df")
    con.unregister("sim_form_df")
    k = SHINGLE
    # letters and digits only: spacing, punctuation and line breaks differ between renderings of one text
    con.execute(r"""
        CREATE OR REPLACE TEMP TABLE sim_txt AS
        SELECT ct.report_id, ct.chapter, r.agency_id, r.year,
               regexp_replace(ct.text, '[^\p{L}\p{N}]+', '', 'g') AS t
        FROM chapter_texts ct JOIN reports r USING (report_id)
        WHERE r.is_active AND r.agency_id IS NOT NULL AND r.year IS NOT NULL
          AND list_contains($chapters::VARCHAR[], ct.chapter)""", {"chapters": list(PROSE_CHAPTERS)})
    # the runs of each chapter text (cid), deduplicated on two integers, then labelled: the fast way round
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sim_sh AS
        WITH c AS (SELECT row_number() OVER () AS cid, * FROM sim_txt WHERE length(t) >= {k}),
        runs AS (
            SELECT DISTINCT cid, hash(substr(t, i, {k})) AS h
            FROM (SELECT cid, t, unnest(range(1, length(t) - {k} + 2)) AS i FROM c)
        )
        SELECT c.report_id, c.chapter, c.agency_id, c.year, runs.h FROM runs JOIN c USING (cid)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sim_form AS
        SELECT DISTINCT hash(substr(w, i, {k})) AS h FROM (
            SELECT w, unnest(range(1, length(w) - {k} + 2)) AS i
            FROM (SELECT regexp_replace(w, '[^\\p{{L}}\\p{{N}}]+', '', 'g') AS w FROM sim_form_words)
            WHERE length(w) >= {k})""")
    # a run's own: not the form's, and in the reports of fewer agencies than make wording common; `n` of them
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sim_own AS
        WITH df AS (SELECT h, count(DISTINCT agency_id) AS n FROM sim_sh GROUP BY h)
        SELECT s.*, df.n FROM sim_sh s JOIN df USING (h)
        WHERE df.n < greatest($common, ceil($share * (SELECT count(DISTINCT agency_id) FROM sim_txt)))
          AND s.h NOT IN (SELECT h FROM sim_form)""", {"common": COMMON_AGENCIES, "share": COMMON_SHARE})
    # another agency's chapter is compared only where the two share a rare run (in at most RARE agencies'
    # reports): a copy shares all of its own, and the pairs to count stay few however many agencies load
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sim_pairs AS
        WITH n AS (SELECT report_id, chapter, count(*) AS n_own FROM sim_own GROUP BY ALL HAVING count(*) >= $min),
        prev AS (
            SELECT report_id, lag(report_id) OVER (PARTITION BY agency_id ORDER BY year) AS prev_id
            FROM reports WHERE is_active AND agency_id IS NOT NULL AND year IS NOT NULL
        ),
        own_previous AS (
            SELECT a.report_id, a.chapter, b.report_id AS other_id, 'own_previous' AS basis, count(*) AS shared
            FROM sim_own a JOIN prev p ON p.report_id = a.report_id
            JOIN sim_own b ON b.report_id = p.prev_id AND b.chapter = a.chapter AND b.h = a.h
            GROUP BY ALL
        ),
        candidates AS (
            SELECT DISTINCT a.report_id, a.chapter, b.report_id AS other_id
            FROM sim_own a JOIN sim_own b ON b.h = a.h AND b.chapter = a.chapter AND b.year = a.year
                 AND b.agency_id <> a.agency_id
            WHERE a.n <= $rare
        ),
        same_year AS (
            SELECT c.report_id, c.chapter, c.other_id, 'same_year' AS basis, count(*) AS shared
            FROM candidates c JOIN sim_own a ON a.report_id = c.report_id AND a.chapter = c.chapter
            JOIN sim_own b ON b.report_id = c.other_id AND b.chapter = c.chapter AND b.h = a.h
            GROUP BY ALL
        )
        SELECT m.report_id, m.chapter, m.other_id, m.basis, m.shared / n.n_own AS similarity, n.n_own
        FROM (SELECT * FROM own_previous UNION ALL SELECT * FROM same_year) m JOIN n USING (report_id, chapter)
        WHERE m.shared >= $floor * n.n_own""", {"min": MIN_OWN, "floor": FLOOR, "rare": RARE})
    con.execute("""
        INSERT INTO chapter_similarity (report_id, chapter, other_id, basis, similarity, n_chars)
        SELECT report_id, chapter, other_id, basis, similarity, n_own + $k - 1 FROM sim_pairs""", {"k": k})
    _findings(con, threshold)


def _findings(con: duckdb.DuckDBPyConnection, threshold: float) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sim_best AS
        WITH judged AS (
            SELECT p.*, a.agency_id, a.year, b.year AS other_year, o.name AS other_agency,
                   CASE WHEN p.basis = 'own_previous' THEN 'fail'
                        WHEN a.published_on > b.published_on THEN 'fail'
                        WHEN a.published_on < b.published_on THEN NULL  -- this text came first
                        ELSE 'uncertain' END AS status
            FROM sim_pairs p JOIN reports a ON a.report_id = p.report_id JOIN reports b ON b.report_id = p.other_id
            LEFT JOIN agencies o ON o.agency_id = b.agency_id
            WHERE p.similarity >= $threshold
        )
        SELECT * FROM judged WHERE status IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY report_id, chapter
                                   ORDER BY status = 'fail' DESC, similarity DESC, other_id) = 1""",
                {"threshold": threshold})
    insert(con, """
        SELECT report_id, agency_id, year, 'similarity' AS rule, status,
               CASE status WHEN 'fail' THEN 'error' ELSE 'warning' END AS severity,
               ['chapter:' || chapter] AS cells, $threshold AS expected, similarity AS actual,
               CASE WHEN basis = 'own_previous' THEN 'own_previous'
                    WHEN status = 'fail' THEN 'same_year' ELSE 'same_year_unsure' END AS variant,
               CAST(CAST(floor(similarity * 100) AS INTEGER) AS VARCHAR) AS pct, other_year,
               coalesce(other_agency, '—') AS other_agency
        FROM sim_best""", {"threshold": threshold}, messages=RULE)
    # each finding's evidence row: the match its message names
    con.execute("""
        UPDATE chapter_similarity s SET finding_id = f.finding_id
        FROM sim_best b JOIN findings f ON f.rule = 'similarity' AND f.report_id = b.report_id
             AND CAST(f.cells AS VARCHAR[]) = ['chapter:' || b.chapter]
        WHERE s.report_id = b.report_id AND s.chapter = b.chapter AND s.other_id = b.other_id""")


# --- the matching passages, for a reader to see side by side ----------------------------------------------

PASSAGE_MIN = 10  # characters (spacing aside) a shared passage needs to be shown


def _letters(text: str) -> tuple[str, list[int]]:
    """The text without spacing, folded (NFKC, character by character), with each kept character's index."""
    kept = [(unicodedata.normalize("NFKC", ch)[:1] or ch, i) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(c for c, _ in kept), [i for _, i in kept]


def passages(a: str, b: str, min_chars: int = PASSAGE_MIN) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The passages two texts share, as ((start, end) in a, (start, end) in b) in a's order: the longest
    common runs (difflib) of at least `min_chars` characters, spacing and full/half-width forms aside."""
    na, ia = _letters(a)
    nb, ib = _letters(b)
    blocks = difflib.SequenceMatcher(None, na, nb, autojunk=False).get_matching_blocks()
    return [((ia[x], ia[x + n - 1] + 1), (ib[y], ib[y + n - 1] + 1)) for x, y, n in blocks if n >= min_chars]


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text cut into (piece, shared?) at the spans, for highlighting."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[max(start, pos):end], True))
        pos = max(pos, end)
    if pos < len(text):
        out.append((text[pos:], False))
    return [(t, m) for t, m in out if t]
