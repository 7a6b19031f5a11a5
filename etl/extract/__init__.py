"""From an intermediate Document to the canonical Report: tables, metadata, chapters, narrative facts."""

from __future__ import annotations

import re

from etl import formats as F
from etl.document import Document, Paragraph
from etl.extract.glued import extract_glued, is_glued
from etl.extract.metadata import agency_and_source, find_published, find_title, find_year
from etl.extract.narrative import narrative_facts
from etl.extract.tables import TableResult, TableWalker, tokens
from etl.model import Problem, Report, Source

SAMPLE_MARKER = "【样例数据】"


def _template(found: dict[str, set[str]], year: int | None, has_tables: bool) -> str:
    fmts = found["t2"] | found["t3"]
    if len(fmts) > 1:
        return "mixed"
    if fmts:
        return next(iter(fmts))
    if not has_tables:
        return "legacy" if year is None or year < 2019 else ("2021" if year >= 2021 else "2019")
    if year is not None and year < 2019:
        return "legacy"
    return "2019" if year in (2019, 2020) else "2021"


def extract_report(doc: Document, source: Source) -> Report:
    toks = tokens(doc)
    walked = TableWalker().run(toks)
    _read_glued(doc, walked)
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
    template = _template(walked.formats, year, has_tables)

    report = Report(
        source=source, agency=agency, year=year, title=title,
        published_on=find_published(doc.meta, lines), template=template,
        table_formats={t: "/".join(sorted(v)) for t, v in walked.formats.items() if v},
        cells=walked.cells, extra_rows=walked.extra_rows, chapters=chapters,
        narrative=narrative_facts(overview or ""),
        problems=[Problem(**p) if isinstance(p, dict) else p for p in doc.problems] + walked.problems,
        meta={k: v for k, v in doc.meta.items() if k in ("title", "issuer", "published", "url", "written",
                                                         "rendering", "script")},
    )
    if agency_from and agency_from != "title":  # a name not read off the title says where it came from
        report.meta["agency_from"] = agency_from
    if any(SAMPLE_MARKER in ln for ln in lines[:40]):
        report.meta["sample"] = "1"
    _missing(report, walked.partial_rows)
    return report


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
        walked.chapters.update(_glued_chapters(text))


def _glued_chapters(text: str) -> dict[str, list[str]]:
    """Chapters of a page printed as one run of text, split where an ordinal heading starts one."""
    cuts = []
    for m in _ORDINAL_HEADING.finditer(text):
        # the heading runs into its chapter's text: its shortest prefix that reads as a heading, up to the
        # first digit (a table row such as 四、结转下年度继续办理1000001 is no heading)
        head = re.split(r"\d", F.norm(text[m.end():m.end() + 40]), maxsplit=1)[0]
        head = F.norm(m.group()) + head
        key = next((k for n in range(4, len(head) + 1) if (k := F.chapter_heading(head[:n]))), None)
        if key and key not in {k for k, _ in cuts}:
            cuts.append((key, m.start()))
    return {k: [text[a:b]] for (k, a), (_, b) in zip(cuts, [*cuts[1:], ("", len(text))], strict=True)}


_ORDINAL_HEADING = re.compile(r"[一二三四五六七八]、")


_GLUED_MIN_CHARS = 200  # a glued table 3 alone is longer; shorter paragraphs are not worth the scan
# A cheap first look (narrative paragraphs are long too): official row labels' last characters with a
# digit right after them, as a glued table prints them ("…申请数量640020470").
_LABEL_THEN_DIGIT = re.compile("(?:" + "|".join(sorted({re.escape(F.norm(k.zh)[-3:]) for t in ("t2", "t3")
                                                        for k in F.ROWS[t]})) + r")\s?\d")


def _missing(report: Report, partial_rows: list[str]) -> None:
    """List what a complete report of its format would print but this one does not."""
    if report.template == "legacy":
        return
    for key in F.CHAPTER_KEYS:
        if key not in report.chapters and not (key == "overview" and report.chapters):
            report.missing.append(f"chapter:{key}")
    fmt = report.template if report.template in F.FORMATS else "2021"
    have = {(c.table, c.row, c.col) for c in report.cells}
    expected = F.expected_cells(fmt)
    if report.template == "mixed":  # each table in the format its own labels say
        t2 = report.table_formats.get("t2", "2021").split("/")[0]
        t3 = report.table_formats.get("t3", "2021").split("/")[0]
        expected = [e for e in F.expected_cells(t2) if e[0] == "t2"] + [
            e for e in F.expected_cells(t3) if e[0] != "t2"]
    for table in F.TABLES:
        want = [e for e in expected if e[0] == table]
        lacking = [e for e in want if e not in have]
        if not lacking:
            continue
        if len(lacking) == len(want):
            report.missing.append(table)
            report.problems.append(Problem("missing_table", f"table {table[1]} not found", table))
            continue
        rows = sorted({r for _, r, _ in lacking}, key=lambda r: [x for _, x, _ in want].index(r))
        for r in rows:
            cols = [c for t, rr, c in lacking if rr == r]
            all_cols = [c for t, rr, c in want if rr == r]
            report.missing.extend([f"{table}.{r}"] if len(cols) == len(all_cols) else
                                  [f"{table}.{r}.{c}" for c in cols])
        report.problems.append(Problem(
            "incomplete_table", f"table {table[1]}: {len(lacking)} of {len(want)} cells missing "
            f"(from {table}.{rows[0]}); the report may be truncated", table))
    for r in partial_rows:
        report.problems.append(Problem("truncated_row", f"{r}: row cut off before all its cells", r))
