"""From an intermediate Document to the canonical Report: tables, metadata, chapters, narrative facts."""

from __future__ import annotations

import re
from collections import Counter

from etl import formats as F
from etl.completeness import absent_cells, expected_formats
from etl.document import Document, Paragraph
from etl.extract.chapters import run_chapters, unclear
from etl.extract.glued import extract_glued, is_glued
from etl.extract.metadata import agency_and_source, find_published, find_title, find_year
from etl.extract.narrative import prose_text, read_narrative
from etl.extract.readings import verify_readings
from etl.extract.tables import TableResult, TableWalker, tokens
from etl.model import Problem, Report, Source
from etl.reading_gaps import READING_GAPS

SAMPLE_MARKER = "【样例数据】"


def _table_formats(walked: TableResult, year: int | None) -> dict[str, F.Format]:
    """Each table's one format, decided here once: by the format-only labels its cells were placed under (a table
    whose labels name both formats goes by the majority, then the year), else by the labels a table printed
    without values."""
    votes: dict[str, Counter[str]] = {"t2": Counter(), "t3": Counter()}
    for c in walked.cells:
        if c.table == "t2":
            fmt = _T2_COL_ONLY.get(c.col) or _T2_ROW_ONLY.get(c.row)
        elif c.table == "t3":
            fmt = _T3_ROW_ONLY.get(c.row)
        else:
            continue
        if fmt:
            votes[c.table][fmt] += 1
    out = {}
    for t, v in votes.items():
        fmt = F.decide_format(v or Counter(walked.formats[t]), year)
        if fmt:
            out[t] = fmt
    return out


# key -> the one format that prints it (a cell's column decides before its row)
_T2_COL_ONLY = {k: f for f, keys in F.T2_COLS_ONLY.items() for k in keys}
_T2_ROW_ONLY = {k: f for f, keys in F.T2_ROWS_ONLY.items() for k in keys}
_T3_ROW_ONLY = {k: f for f, keys in F.T3_ROWS_ONLY.items() for k in keys}


def _complete_formats(fmts: dict[str, F.Format], template: str, tables: set[str]) -> dict[str, F.Format]:
    """The format of every table the report prints: a table whose labels name no format is in the report's
    (table 4 is printed the same in both; an unplaced legacy table has none)."""
    base = F.report_format(fmts, template)
    out = dict(fmts)
    for t in sorted(tables - set(fmts)):
        if t == "t4" or template != F.LEGACY:
            fmt = base or (F.Format.F2021 if t == "t4" else None)
            if fmt:
                out[t] = fmt
    return {t: out[t] for t in F.TABLES if t in out and t in tables}


def extract_report(doc: Document, source: Source) -> Report:
    toks = tokens(doc)
    walked = TableWalker().run(toks)
    _read_glued(doc, walked)
    _run_in_headings(doc, walked)
    verify_readings(doc, walked)  # a reading its own sums refute is not kept
    lines = [ln for t in toks if t.kind in ("para", "cell") for ln in t.text.split("\n")]
    head = [b.text for b in doc.blocks[:12] if isinstance(b, Paragraph)]
    title, title_year, agency = find_title(lines)
    if doc.meta.get("title") and not title:
        title, title_year, agency = find_title([doc.meta["title"]])
    agency, agency_from = agency_and_source(agency, doc.meta, lines)

    chapters = {k: "\n".join(v) for k, v in walked.chapters.items()}
    overview = chapters.get("overview") or "\n".join(doc.paragraphs()[:30])
    year = find_year(title_year, [overview], head + ([title] if title else []))
    has_tables = bool(walked.seen_tables)
    # figures stated anywhere in the prose (the lines before the first heading too), judged against the report's
    # own year and agency
    stated = read_narrative(prose_text(toks, chapters), year=year, agency=agency)
    fmts = _table_formats(walked, year)
    template = F.template_of(fmts, year, has_tables)

    report = Report(
        source=source, agency=agency, year=year, title=title,
        published_on=find_published(doc.meta, lines), template=template,
        table_formats=_complete_formats(fmts, template, {c.table for c in walked.cells}),
        cells=walked.cells, extra_rows=walked.extra_rows, chapters=chapters,
        headings=_headings(walked.headings, chapters),
        narrative=dict(stated.facts), narrative_evidence=stated.evidence,
        problems=[Problem(**p) if isinstance(p, dict) else p for p in doc.problems] + walked.problems + stated.problems,
        meta={k: v for k, v in doc.meta.items() if k in ("title", "issuer", "published", "url", "written",
                                                         "rendering", "script")},
    )
    if agency_from and agency_from != "title":  # a name not read off the title says where it came from
        report.meta["agency_from"] = agency_from
    if any(SAMPLE_MARKER in ln for ln in lines[:40]):
        report.meta["sample"] = "1"
    _missing(report, walked.partial_rows)
    if doc.read == "ocr":  # every page came from OCR: so did a cell whose confidence got lost on the way
        for c in report.cells:  # (a glued run split by arithmetic)
            if c.read == "text":
                c.read = "ocr"
    if doc.read in ("ocr", "partly_ocr"):
        from etl.extract.ocr_check import verify

        verify(report)
    return report


def _headings(walked: dict[str, str], chapters: dict[str, str]) -> dict[str, str]:
    """Each chapter's heading as printed: the line the walk took it from, or, for a chapter cut out of a run
    of text, the heading its text starts with (normalized)."""
    out = {k: h.strip() for k, h in walked.items() if k in chapters}
    for key, text in chapters.items():
        if key not in out:
            n = F.norm(text[:80])
            found = F.chapter_at_start(n)
            if found and found[0].key == key:
                out[key] = n[:found[1]]
    return out


def _read_glued(doc: Document, walked: TableResult) -> None:
    """Tables a page ran together ("…申请数量640020470二、上年结转…", on one line or broken over several):
    read by the table's own arithmetic (etl.extract.glued), for the tables the walker found nothing of.
    The document's text is read as one (line breaks are cell boundaries, like spaces)."""
    fresh = set(F.TABLES) - walked.seen_tables
    if not fresh:
        return
    text = "\n".join(b.text if isinstance(b, Paragraph) else "\n".join(c for row in b.rows for c in row)
                     for b in doc.blocks)
    if (len(text) < _GLUED_MIN_CHARS or len(_LABEL_THEN_DIGIT.findall(text)) < 3
            or not is_glued(text)):
        return
    g = extract_glued(text)
    walked.cells += [c for c in g.cells if c.table in fresh]
    walked.problems += [p for p in g.problems if (p.where or "").split(".")[0] in fresh]
    for t in ("t2", "t3"):
        if t in fresh:
            walked.formats[t] |= g.formats.get(t, set())
    walked.seen_tables |= {c.table for c in g.cells} & fresh
    if not walked.chapters:  # the chapters ran together too: cut the text at its numbered headings
        walked.chapters.update(run_chapters(text))


def _run_in_headings(doc: Document, walked: TableResult) -> None:
    """Chapters whose heading starts a run of text inside a long paragraph (a page printed as one line, or a
    heading glued to the text before it), for the chapters the walk did not find on a line of their own."""
    for b in doc.blocks:
        if isinstance(b, Paragraph) and len(b.text) > _RUN_MIN_CHARS:
            for key, texts in run_chapters(b.text).items():
                if key not in walked.chapters:
                    walked.chapters[key] = texts


_RUN_MIN_CHARS = 120  # a line this long is no heading of its own: a heading in it starts a run


_GLUED_MIN_CHARS = 200  # a glued table 3 alone is longer; shorter paragraphs are not worth the scan
# A cheap first look (narrative paragraphs are long too): official row labels' last characters with a
# digit right after them, as a glued table prints them ("…申请数量640020470").
_LABEL_THEN_DIGIT = re.compile("(?:" + "|".join(sorted({re.escape(F.norm(k.zh)[-3:]) for t in ("t2", "t3")
                                                        for k in F.ROWS[t]})) + r")\s?\d")


def _missing(report: Report, partial_rows: list[str]) -> None:
    """List what a complete report of its format would print but this one does not."""
    if report.template == "legacy":
        return
    # a chapter whose heading was lost but whose content stands in its place is not missing: its finding
    # would be ours (the heading not read), so it is a reading problem the checks word as uncertain
    lost = unclear(report.chapters, {c.table for c in report.cells})
    for key in F.CHAPTER_KEYS:
        if key in report.chapters or (key == "overview" and report.chapters):
            continue
        if key in lost:
            ev = lost[key]
            seen = (f"its table {ev['table']} was read" if ev["variant"] == "table" else
                    f"text about {'/'.join(ev['words'])} follows chapter {ev['after'][8:]}")
            report.problems.append(Problem(
                "chapter_heading_unclear", f"chapter {key}: heading not found, but {seen}; the heading may "
                "have been lost in conversion", f"chapter:{key}", {"chapter": f"chapter:{key}", **ev}))
        else:
            report.missing.append(f"chapter:{key}")
    fmts = expected_formats(report)
    lacking_all = set(absent_cells(report))
    for table in F.TABLES:
        want = F.table_cells(table, fmts[table])
        lacking = [e for e in want if e in lacking_all]
        if not lacking:
            continue
        if len(lacking) == len(want):
            report.missing.append(table)
            report.problems.append(Problem("missing_table", f"table {table[1]} not found", table, {"table": table}))
            continue
        rows = sorted({r for _, r, _ in lacking}, key=lambda r: [x for _, x, _ in want].index(r))
        for r in rows:
            cols = [c for t, rr, c in lacking if rr == r]
            all_cols = [c for t, rr, c in want if rr == r]
            report.missing.extend([f"{table}.{r}"] if len(cols) == len(all_cols) else
                                  [str(F.Addr(table, r, c)) for c in cols])
        # cells a reading problem already names (glued digits, an unplaced row, readings that disagree) were
        # printed but not read: say so, rather than suggest the report is cut short
        gaps = {p.where for p in report.problems if p.code in READING_GAPS and p.where}
        unread = sum(f"{table}.{r}" in gaps or str(F.Addr(table, r, c)) in gaps for _, r, c in lacking)
        why = ("the report may be truncated" if not unread else
               f"{unread} of them printed but not read (see the reading problems)" if unread < len(lacking) else
               "all printed but not read (see the reading problems)")
        variant = "truncated" if not unread else "some_unread" if unread < len(lacking) else "all_unread"
        report.problems.append(Problem(
            "incomplete_table", f"table {table[1]}: {len(lacking)} of {len(want)} cells missing "
            f"(from {table}.{rows[0]}); {why}", table,
            {"variant": variant, "table": table, "missing": len(lacking), "cells": len(want),
             "from": f"{table}.{rows[0]}", "unread": unread}))
    for r in partial_rows:
        report.problems.append(Problem("truncated_row", f"{r}: row cut off before all its cells", r, {"row": r}))
