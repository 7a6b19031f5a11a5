"""Collected provenance in the warehouse: what `etl collect` recorded beside the files it stored.

A collection folder (etl.collect.store) under a build source holds provenance.jsonl and collect-sources.csv.
The build joins each stored file's last record to its report by path (source_url, page_url, listing_url,
fetched_at), and dates the report by the web: published_on becomes the report page's own 发布日期, else the
listing's date, else the date the report states (stated_on); published_from says which, so the timeliness
check uses the date the agency actually put the report online and the finding can say so. It also loads
who the collection expected (collect_agencies), which agency-years it found (collect_publications) and
what it could not use (collect_failures), for the 应报/已报 and 通报 views.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from etl.collect import store
from etl.warehouse import deadlines as due_dates
from etl.warehouse import reference


def collections(sources: list[Path]) -> list[Path]:
    """Collection folders at or under the sources (a folder holding provenance.jsonl)."""
    found: list[Path] = []
    for src in sources:
        if not src.is_dir():
            continue
        for here, dirs, files in os.walk(src):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            if store.PROVENANCE in files:
                found.append(Path(here))
    return sorted(set(found))


def fingerprint_files(sources: list[Path]) -> list[Path]:
    """The provenance files: a change in them (a new collection run) rebuilds the warehouse's dates."""
    return [c / name for c in collections(sources) for name in (store.PROVENANCE, store.SOURCES_COPY)]


def reference_rows(sources: list[Path]) -> list[dict[str, str]]:
    """Agency reference rows from the collections' SOURCES.csv: what the user states of an agency (region as
    "province/city/county", level, kind) overrides what the build would guess from its name."""
    rows = []
    for coll in collections(sources):
        for r in store.read_sources_copy(coll):
            parts = [p.strip() for p in (r.get("region") or "").replace("／", "/").split("/")]
            parts = (parts + ["", "", ""])[:3]
            if not any(parts) and not r.get("level") and not r.get("kind"):
                continue
            rows.append({c: "" for c in reference.AGENCY_COLUMNS} | {
                "name": r["agency"], "province": parts[0], "city": parts[1], "county": parts[2],
                "level": r.get("level") or "", "kind": r.get("kind") or ""})
    return rows


def _date(s: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(s[:10]) if s else None
    except ValueError:
        return None


def _ts(s: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(s).replace(tzinfo=None) if s else None
    except ValueError:
        return None


def apply(con: duckdb.DuckDBPyConnection, sources: list[Path]) -> None:
    """Load the collections under the sources and date their reports by the web."""
    rules = due_dates.rules(sources)
    files, pubs, fails, agencies = [], [], [], []
    for coll in collections(sources):
        name = str(coll.resolve())
        # a found file that did not parse is due by its agency's level and kind as SOURCES.csv gives them
        # (no deadline where they do not say: lateness is then not judged)
        kinds = {row["agency"]: (row.get("level") or None, row.get("kind") or None)
                 for row in store.read_sources_copy(coll)}
        log = store.read_log(coll)
        last = {rec["url"]: rec for rec in log if rec.get("url")}  # the last event per address
        first_seen = store.first_seen(log)
        for url, rec in last.items():
            if rec.get("event") == "failed":
                fails.append((name, rec.get("agency"), rec.get("year"), url, rec.get("code"), rec.get("detail"),
                              _ts(rec.get("fetched_at"))))
                continue
            if not rec.get("path") or not (coll / rec["path"]).is_file():
                continue
            path = os.path.abspath(coll / rec["path"])
            web = _date(rec.get("page_date")) or _date(rec.get("listing_date"))
            src = "web_page" if rec.get("page_date") else ("web_listing" if rec.get("listing_date") else None)
            files.append((path, url, rec.get("page_url"), rec.get("listing_url"), web, src, _ts(rec.get("fetched_at"))))
            if rec.get("year"):
                year = int(rec["year"])
                rule = due_dates.deadline(rules, year, *kinds.get(rec.get("agency"), (None, None)), None, None)
                due = dt.date(year + 1, rule.month, rule.day) if rule is not None else None
                pubs.append((name, rec.get("agency"), year, web, src, _ts(first_seen.get((rec["agency"], year))),
                             rec.get("page_url") or url, rec.get("title"), due, path))
        done = _ts(_summary_time(coll))
        for row in store.read_sources_copy(coll):
            level, kind = row.get("level") or None, row.get("kind") or None
            rule = due_dates.current(rules, level, kind, None, None)
            am, ad = (rule.month, rule.day) if rule is not None else (None, None)
            agencies.append((name, row["agency"], row.get("url"), level, kind, am, ad, done))
    if agencies:
        con.executemany("INSERT INTO collect_agencies VALUES (?, ?, ?, ?, ?, ?, ?, ?)", agencies)
    if pubs:
        con.executemany("INSERT INTO collect_publications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pubs)
    if fails:
        con.executemany("INSERT INTO collect_failures VALUES (?, ?, ?, ?, ?, ?, ?)", fails)
    if not files:
        return
    con.execute("CREATE TEMP TABLE collected_files (path VARCHAR, url VARCHAR, page_url VARCHAR, "
                "listing_url VARCHAR, web_date DATE, web_from VARCHAR, fetched_at TIMESTAMP)")
    con.executemany("INSERT INTO collected_files VALUES (?, ?, ?, ?, ?, ?, ?)", files)
    # Paths are stored as the user gave the source; compare absolute forms.
    con.execute("""
        UPDATE reports SET source_url = f.url, page_url = f.page_url, listing_url = f.listing_url,
                           fetched_at = f.fetched_at,
                           published_on = coalesce(f.web_date, reports.stated_on),
                           published_from = CASE WHEN f.web_date IS NOT NULL THEN f.web_from
                                                 WHEN reports.stated_on IS NOT NULL THEN 'report' END
        FROM collected_files f WHERE reports.source_path = f.path""")
    con.execute("DROP TABLE collected_files")


def deadlines(con: duckdb.DuckDBPyConnection) -> None:
    """A found report's deadline is its agency's (etl.warehouse.derive); the national default stands only
    for files that did not parse into a report."""
    con.execute("""UPDATE collect_publications SET deadline = r.deadline FROM reports r
                   WHERE r.source_path = collect_publications.source_path AND r.deadline IS NOT NULL""")


def _summary_time(coll: Path) -> str | None:
    import json

    try:
        return json.loads((coll / store.SUMMARY).read_text(encoding="utf-8")).get("finished_at")
    except (OSError, ValueError):
        return None
