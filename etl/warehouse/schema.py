"""The warehouse tables, with the grain of each stated first. Shared with the dashboard: keep these names.

Marts (report_metrics, outcomes_long, applicants_long, review_long) live in etl/warehouse/marts.py.
"""

from __future__ import annotations

import duckdb

# Bump when a table's columns change: an older warehouse is then rebuilt in full, not reused.
SCHEMA_VERSION = 13  # 4: cells.placed; 5: reason codes, skipped, build sources; 6: read_method, cells.read/ocr_conf;
# 7: collected provenance (reports.stated_on/published_from/page_url/listing_url/fetched_at, collect_* tables);
# 8: expected_reporters (the 应报名单); 9: the t2_long mart; 10: findings.responsibility, reports.narrative_evidence;
# 11: chapter_texts (the prose the content checks compare), chapter_similarity, assessment_rules; 12: overrides (corrections in force);
# 13: applicants_long.value (the cell's own name; was new_received)

DDL = """
-- agencies: one row per agency (all of its reports across years, whatever small variations of its name).
CREATE TABLE agencies (
    agency_id   VARCHAR PRIMARY KEY,  -- stable hash of the normalized identity key
    name        VARCHAR NOT NULL,     -- the most frequent printed name
    identity    VARCHAR,              -- the normalized key the id hashes (place path | remainder)
    province    VARCHAR,
    city        VARCHAR,
    county      VARCHAR,
    level       VARCHAR,              -- province | city | county | township
    kind        VARCHAR,              -- government | department | township | subdistrict
    sector      VARCHAR,              -- departments only: commerce, education, …
    is_sample   BOOLEAN NOT NULL,
    region_source VARCHAR,            -- reference | zone | gazetteer | folder (its own name) | none
    deadline_month INTEGER,           -- Article 49 deadline (month/day of year+1) for this agency
    deadline_day   INTEGER
);

-- reports: one row per loaded file (report_id = the file's sha256; identical copies load once).
CREATE TABLE reports (
    report_id     VARCHAR PRIMARY KEY,
    agency_id     VARCHAR,
    agency_name   VARCHAR,            -- as printed
    year          INTEGER,
    template      VARCHAR,            -- 2021 | 2019 | mixed | legacy
    t2_format     VARCHAR,
    t3_format     VARCHAR,
    t4_format     VARCHAR,
    published_on  DATE,
    deadline      DATE,               -- NULL where no rule gives one (etl/warehouse/deadlines.py)
    deadline_basis VARCHAR,           -- the law or local rule the deadline comes from (deadlines.csv basis)
    is_late       BOOLEAN,            -- NULL when published_on is unknown
    title         VARCHAR,
    source_path   VARCHAR,
    source_dir    VARCHAR,            -- the folder the file sits in (agency identity uses it)
    source_url    VARCHAR,
    sha256        VARCHAR NOT NULL,
    kind          VARCHAR,            -- text | html | pdf | docx | image | doc
    read_method   VARCHAR,            -- how the text was obtained (etl.model.READ_METHODS): text (a text layer
                                      --   or markup) | ocr (every page from its image) | partly_ocr (a PDF with
                                      --   text pages and scanned pages) | converted (legacy .doc/.wps)
    problems      JSON,               -- [{code, message, where}]
    n_problems    INTEGER,
    missing       JSON,               -- the parser's list: "t4", "t3.other_other", "chapter:problems"
    chapters      JSON,               -- chapter keys found
    n_missing_cells INTEGER,          -- expected cells of the report's format absent or empty
    is_active     BOOLEAN,            -- one active report per agency-year
    is_sample     BOOLEAN,
    loaded_at     TIMESTAMP,
    proactive_items DOUBLE,           -- narrative: items proactively published
    narrative     JSON,
    narrative_evidence JSON,          -- per narrative key: {sentence, approx} (the prose a fact was read from)
    stated_on     DATE,               -- the date the report itself states (its 落款)
    published_from VARCHAR,           -- which date published_on holds: override (a correction, etl/casework),
                                      --   else the first known of: web_page (the
                                      --   report page's own 发布日期, for a collected file) | web_listing
                                      --   (the date the 年报栏目 listing shows) | report (stated_on)
    page_url      VARCHAR,            -- collected files: the report page (source_url is the file's own URL)
    listing_url   VARCHAR,            -- collected files: the listing page it was found on
    fetched_at    TIMESTAMP           -- collected files: when it was last fetched or confirmed unchanged
);

-- cells: one row per report × table × row × column, as printed.
CREATE TABLE cells (
    report_id VARCHAR NOT NULL,
    tbl       VARCHAR NOT NULL,       -- t2 | t3 | t4
    row_key   VARCHAR NOT NULL,
    col_key   VARCHAR NOT NULL,
    value     DOUBLE,                 -- NULL for empty/na/text: a blank is never 0
    raw       VARCHAR,
    kind      VARCHAR,                -- number | zero | empty | na | text
    placed    VARCHAR,                -- how the column was decided (etl.model.PLACEMENTS), strongest first:
                                      --   header: a header cell names the column;
                                      --   position: by position among the header cells, some damaged or cut short;
                                      --   official_order: header unreadable, the row printed exactly the official
                                      --     number of values, placed in the official column order;
                                      --   arithmetic: the only reading of the printed tokens (e.g. digits run
                                      --     together) that the table's own identities allow
    is_total  BOOLEAN NOT NULL,       -- a printed total: SUM(value) WHERE NOT is_total never double-counts
    read      VARCHAR,                -- how the value was read (etl.model.CELL_READS): text | ocr (recognised
                                      --   from a page image) | ocr_corrected (an OCR misread the table's own
                                      --   identities correct one way only; raw keeps what OCR read)
    ocr_conf  DOUBLE                  -- the OCR engine's confidence (0–1); NULL for a cell not read by OCR
);

-- chapter_texts: one row per report × chapter found (grain: report_id, chapter): the chapter's text as read
-- (a table chapter's table flattened into it), cut at CHAPTER_TEXT_MAX characters. The content checks
-- (etl/checks/similarity.py, outline.py) read it; the dashboard shows matching passages from it.
CREATE TABLE chapter_texts (
    report_id VARCHAR NOT NULL,
    chapter   VARCHAR NOT NULL,       -- etl.formats.CHAPTER_KEYS: overview | proactive | requests | …
    heading   VARCHAR,                -- the heading line as printed, where it stood on a line of its own (NULL:
                                      --   the chapter was cut out of a run of text and `text` starts with it)
    text      VARCHAR NOT NULL        -- '' for a heading with nothing under it
);

-- chapter_similarity: one row per chapter found 雷同 with another report's (grain: report_id, chapter,
-- other_id): the similarity finding's evidence (etl/checks/similarity.py). `basis` says which comparison:
-- own_previous (the agency's previous report) | same_year (another agency's report of the same year).
CREATE TABLE chapter_similarity (
    finding_id VARCHAR,               -- the finding it supports (findings.finding_id)
    report_id  VARCHAR NOT NULL,
    chapter    VARCHAR NOT NULL,
    other_id   VARCHAR NOT NULL,      -- the report it resembles
    basis      VARCHAR NOT NULL,      -- own_previous | same_year
    similarity DOUBLE,                -- share of the chapter's own wording (boilerplate discounted) found in the other
    n_chars    INTEGER                -- characters of the chapter's own wording compared
);

-- assessment_rules: the 考评 rules and points this build used (etl/assess/rules.py: the defaults, or a source
-- folder's assessment.csv), one row per item (grain: item); the row `full_marks` gives the full marks.
CREATE TABLE assessment_rules (
    item      VARCHAR,
    name      VARCHAR,
    name_en   VARCHAR,
    rules     VARCHAR,                -- rule names, space-separated (etl/checks/categories.py RULES)
    cells     VARCHAR,                -- table cells counted per case, space-separated
    points    DOUBLE,
    per       VARCHAR,                -- report | finding | case
    cap       DOUBLE,
    threshold DOUBLE,                 -- the 雷同 threshold (the similarity item)
    source    VARCHAR                 -- the file it was read from
);

-- findings: one row per rule outcome that is not a pass (coverage findings have report_id NULL).
-- Grain: finding_id (a hash of rule, report, agency, year and cells: what it is about, etl/checks/common.py).
CREATE TABLE findings (
    finding_id VARCHAR,
    report_id  VARCHAR,
    agency_id  VARCHAR,
    year       INTEGER,
    rule       VARCHAR NOT NULL,
    status     VARCHAR NOT NULL,      -- fail | uncertain
    responsibility VARCHAR NOT NULL,  -- whose it is (etl/checks/categories.py RESPONSIBILITIES): source (the
                                      --   report itself) | reading (our reading of it) | corpus (what was
                                      --   loaded). Only source + fail is an accusation (categories.ACCUSATION)
    severity   VARCHAR NOT NULL,      -- error | warning | info
    cells      JSON,                  -- ["t3.granted.total", …]
    expected   DOUBLE,
    actual     DOUBLE,
    message    VARCHAR,               -- Chinese, cells named by their printed labels (the dashboard's default)
    message_en VARCHAR,               -- English
    category   VARCHAR                -- figures | process | review (etl/checks/categories.py): what it is about
);

-- ingest_errors: one row per file that could not be read or parsed (grain: path).
CREATE TABLE ingest_errors (
    path      VARCHAR,                -- as under the user's folder (undecodable name bytes escaped)
    sha256    VARCHAR,                -- NULL when the file was not read (too large, unreadable)
    code      VARCHAR,                -- etl.reasons code: corrupt | too_large | timeout | memory | …
    reason    VARCHAR,                -- English wording with the detail
    reason_zh VARCHAR,                -- Chinese wording with the detail
    seen_at   TIMESTAMP
);

-- skipped: one row per file or folder under a source that the build passed over on purpose (hidden,
-- pipe or device, link leaving the folder or going nowhere, identical copy of a loaded file). Grain: path.
CREATE TABLE skipped (
    path      VARCHAR,
    code      VARCHAR,
    reason    VARCHAR,
    reason_zh VARCHAR
);

-- expected_reporters: one row per agency named in an expected-reporters list (expected.csv at the root of a
-- source folder, etl/warehouse/expected.py): the years it is due to report. Grain: agency_id. An agency not
-- listed is held to the default rule (from its first report on). The agency need not have any report.
CREATE TABLE expected_reporters (
    agency_id  VARCHAR,
    name       VARCHAR,               -- as the list names it
    from_year  INTEGER,               -- NULL: from the first year of data of its kind (real or generated)
    to_year    INTEGER,               -- NULL: to the latest year of data of its kind
    source     VARCHAR                -- the list file
);

-- collect_agencies: one row per row of the SOURCES.csv of a collection (`etl collect`) found under the
-- sources: who is expected to publish on the web. Grain: collection folder × agency × url.
CREATE TABLE collect_agencies (
    collection VARCHAR,               -- the collection's folder
    agency     VARCHAR,               -- as named in SOURCES.csv
    url        VARCHAR,               -- its 年报栏目 (or report) address
    level      VARCHAR,               -- as SOURCES.csv states it (optional)
    kind       VARCHAR,
    deadline_month INTEGER,           -- Article 49 deadline from that level and kind (etl/reference/deadlines.csv)
    deadline_day   INTEGER,
    collected_at TIMESTAMP            -- when the last collection of it finished
);

-- collect_publications: one row per collected report file whose report year is known: who published which
-- year's report on the web, and when. Grain: collection × source_path. An agency with no row for a year has
-- not been seen to publish it.
CREATE TABLE collect_publications (
    collection   VARCHAR,
    agency       VARCHAR,
    year         INTEGER,
    published_on DATE,                -- the page's 发布日期, else the listing's date
    published_from VARCHAR,           -- web_page | web_listing | NULL (neither printed a date)
    first_seen   TIMESTAMP,           -- the first fetch that found it
    url          VARCHAR,             -- the report page (or file)
    title        VARCHAR,
    deadline     DATE,                -- Article 49 deadline for the year (etl/reference/deadlines.csv)
    source_path  VARCHAR              -- the stored file (joins reports.source_path)
);

-- collect_failures: one row per address the last collection could not use, with its reason.
-- Grain: collection × url.
CREATE TABLE collect_failures (
    collection VARCHAR,
    agency     VARCHAR,
    year       INTEGER,
    url        VARCHAR,
    code       VARCHAR,               -- an etl.reasons code: js_only | login_wall | captcha_wall | http_404 |
                                      -- http_error | robots_forbidden | fetch_timeout | download_too_large |
                                      -- no_reports_listed | no_report_content | fetch_failed
    detail     VARCHAR,
    fetched_at TIMESTAMP
);

-- overrides: one row per correction in force in the review store beside the warehouse (etl/casework): what it
-- set, what it replaced and whether it applied (its report, cell or agency is loaded). Grain: override_id.
-- The corrected values themselves are in reports, cells and agencies, so every check and figure uses them.
CREATE TABLE overrides (
    override_id INTEGER,
    target      VARCHAR,              -- published_on | agency | cell (etl/casework/states.py TARGETS)
    field       VARCHAR,              -- published_on | province | city | county | level | kind | value
    report_id   VARCHAR,
    agency_id   VARCHAR,
    cell        VARCHAR,              -- a cell address, "t3.granted.total"
    value       VARCHAR,              -- as set ('' = blank or unknown)
    printed     VARCHAR,              -- what it replaced: the cell as printed, the date, the agency's value
    printed_value DOUBLE,             -- a cell's value and kind as read, put back before the next build
    printed_kind  VARCHAR,            --   applies the corrections again
    printed_from  VARCHAR,            -- the replaced date's published_from
    applied     BOOLEAN,
    reason      VARCHAR,
    made_by     VARCHAR,
    made_at     TIMESTAMP
);

-- build_info: exactly one row, describing the build that wrote this file.
CREATE TABLE build_info (
    built_at        TIMESTAMP,
    n_files         INTEGER,
    n_reports       INTEGER,
    n_errors        INTEGER,
    version         VARCHAR,
    schema_version  INTEGER,
    parser_version  VARCHAR,          -- hash of the parser's source: a change forces re-parsing
    reference_version VARCHAR,
    code_version    VARCHAR,          -- hash of the checks and warehouse source: with nothing else changed,
                                      -- an unchanged corpus keeps the previous warehouse as it is
    n_parsed        INTEGER,          -- files parsed by this build (the rest were reused)
    n_reused        INTEGER,
    seconds         DOUBLE,
    sources         JSON,             -- the folders and files this warehouse is built from: a rebuild
                                      -- without sources reuses them, new ones are added to them
    n_added         INTEGER,          -- reports at paths the previous build did not have
    n_replaced      INTEGER,          -- reports whose file changed at the same path
    n_dropped       INTEGER,          -- reports of the previous build no longer loaded
    n_skipped       INTEGER
);
"""

TABLES = ("agencies", "reports", "cells", "chapter_texts", "chapter_similarity", "assessment_rules", "findings",
          "ingest_errors", "skipped", "expected_reporters", "collect_agencies", "collect_publications",
          "collect_failures", "overrides", "build_info")


def create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


# A report's cells are read by report_id (the Report page, the checks' joins). DuckDB prunes row groups by
# their min/max, and report ids are hashes: cells appended file by file leave every row group spanning the
# whole id range, so one report's cells cost a scan of all of them (1.3 s at 20 million cells). Stored in
# report order, the lookup reads one row group.
CLUSTER = {"cells": "report_id, tbl, row_key, col_key"}
# A chapter's text longer than this is cut: a page run together can put a whole report in one "chapter".
CHAPTER_TEXT_MAX = 20_000


def cluster(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite each CLUSTER table in its order, keeping its declared columns and constraints."""
    for table, order in CLUSTER.items():
        ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
                          [table]).fetchone()[0]
        con.execute(f"ALTER TABLE {table} RENAME TO {table}_unordered")
        con.execute(ddl)
        con.execute(f"INSERT INTO {table} SELECT * FROM {table}_unordered ORDER BY {order}")
        con.execute(f"DROP TABLE {table}_unordered")


# The grain of every table and mart: the columns that identify one row, never NULL and unique together
# (tests/test_warehouse_grain.py checks each on a built warehouse; docs/reference/warehouse.md prints it).
# () = exactly one row.
GRAIN: dict[str, tuple[str, ...]] = {
    "agencies": ("agency_id",),
    "reports": ("report_id",),
    "cells": ("report_id", "tbl", "row_key", "col_key"),
    "chapter_texts": ("report_id", "chapter"),
    "chapter_similarity": ("report_id", "chapter", "other_id"),
    "assessment_rules": ("item",),
    "findings": ("finding_id",),
    "ingest_errors": ("path",),
    "skipped": ("path",),
    "expected_reporters": ("agency_id",),
    "collect_agencies": ("collection", "agency", "url"),
    "collect_publications": ("collection", "source_path"),
    "collect_failures": ("collection", "url"),
    "overrides": ("override_id",),
    "build_info": (),
    # marts (etl/warehouse/marts.py)
    "report_metrics": ("report_id",),
    "outcomes_long": ("report_id", "outcome"),
    "applicants_long": ("report_id", "applicant"),
    "review_long": ("report_id", "block", "result"),
    "t2_long": ("report_id", "row_key", "col_key"),
}
