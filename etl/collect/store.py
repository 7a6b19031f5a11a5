"""What a collection leaves in its output folder, and reading it back.

    OUT/<agency>/<year>-<url hash>.<ext>   the report files, one per source URL (a changed file replaces
                                           its old version under the same name: never two copies)
    OUT/provenance.jsonl                   one line per event: a stored/unchanged file with its provenance,
                                           or a failure with its reason; the last line for a URL wins
    OUT/collection.json                    the last (or running) run's summary, rewritten as it goes
    OUT/publications.csv                   per agency and report year: found or not, and when
    OUT/collect-sources.csv                the SOURCES.csv rows of the last run: who is expected to publish
    OUT/.collect/                          the crawler's own state (job queue, HTTP cache); not reports

`etl build` reads provenance.jsonl beside the files it finds (etl.warehouse.provenance).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

from etl.filekinds import MIME_EXTENSIONS

PROVENANCE = "provenance.jsonl"
SUMMARY = "collection.json"
PUBLICATIONS = "publications.csv"
SOURCES_COPY = "collect-sources.csv"  # the agencies and addresses of the last run (not agencies.csv, which
# the build would read as agency reference data)
STATE_DIR = ".collect"
# Fields of a provenance line (a file event; failures carry code/detail and no path).
FIELDS = ("event", "agency", "year", "title", "url", "listing_url", "listing_date", "page_url", "page_date",
          "page_date_from", "fetched_at", "status", "content_type", "bytes", "sha256", "path", "code", "detail")


# A file system takes 255 bytes per name (ext4, XFS, APFS): 80 agency characters of 4 UTF-8 bytes each
# (CJK Extension B) would be 320. Names are cut at a character boundary well below that, with a hash of the
# whole name so two long names that share their beginning stay apart.
_NAME_BYTES = 120


def slug(name: str) -> str:
    """A folder name for an agency: its name with path separators and control characters removed, at most
    _NAME_BYTES bytes of UTF-8."""
    s = re.sub(r"[\\/:*?\"<>|\x00-\x1f\x7f]+", "_", name).strip(" ._") or "agency"
    if len(s.encode("utf-8")) <= _NAME_BYTES:
        return s
    cut = s.encode("utf-8")[: _NAME_BYTES - 11].decode("utf-8", errors="ignore").rstrip(" ._")
    return f"{cut}-{hashlib.sha1(s.encode('utf-8')).hexdigest()[:10]}"


def extension(url: str, content_type: str) -> str:
    path = url.split("?", 1)[0].lower()
    m = re.search(r"\.(html?|shtml|pdf|docx?|wps|png|jpe?g|tiff?)$", path)
    if m:
        return "." + m.group(1)
    return MIME_EXTENSIONS.get(content_type.split(";")[0].strip().lower(), ".html")


def file_name(agency: str, year: int | None, url: str, content_type: str) -> str:
    """The stored file's path under OUT, a function of the agency and the URL only."""
    h = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return f"{slug(agency)}/{year or 'unknown'}-{h}{extension(url, content_type)}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary name and rename: a kill leaves the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written temporary file is left behind
        tmp.unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: dict) -> None:
    """A JSON record replaced whole (the run's summary, written as the run goes): a reader or a kill sees
    the previous version or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Log:
    """provenance.jsonl, appended a whole line at a time and flushed, so a kill loses at most the line
    being written (a torn last line is ignored when read)."""

    def __init__(self, out: Path) -> None:
        self.path = out / PROVENANCE
        out.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (open for the whole crawl)

    def write(self, **record) -> None:
        rec = {k: record.get(k) for k in FIELDS}
        rec.update({k: v for k, v in record.items() if k not in rec})
        self._fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def read_log(out: Path) -> list[dict]:
    """Every whole line of OUT/provenance.jsonl, in order."""
    path = Path(out) / PROVENANCE
    if not path.is_file():
        return []
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # the line a kill cut short
    return rows


def current_files(out: Path) -> dict[str, dict]:
    """url -> the last stored/unchanged event for it whose file is present (the provenance `etl build` uses)."""
    files: dict[str, dict] = {}
    for rec in read_log(out):
        if rec.get("event") in ("stored", "unchanged") and rec.get("url"):
            files[rec["url"]] = rec
        elif rec.get("event") == "failed" and rec.get("code") == "gone" and rec.get("url") in files:
            files.pop(rec["url"])
    return {u: r for u, r in files.items() if r.get("path") and (Path(out) / r["path"]).is_file()}


def first_seen(log: list[dict]) -> dict[tuple[str, int], str]:
    """(agency, report year) -> the fetch time of the first stored or unchanged file found for it."""
    first: dict[tuple[str, int], str] = {}
    for rec in log:
        if rec.get("event") in ("stored", "unchanged") and rec.get("year"):
            first.setdefault((rec["agency"], int(rec["year"])), rec.get("fetched_at") or "")
    return first


def publications(out: Path, agencies: list[str]) -> list[dict]:
    """Per agency of the sources and report year: whether a report file was found, its first fetch, and the
    dates the site gave it. Years with nothing found are absent: an agency with no row for a year has not
    been seen to publish it."""
    log = read_log(out)
    first = first_seen(log)
    rows: dict[tuple[str, int], dict] = {}
    for rec in log:
        if rec.get("event") in ("stored", "unchanged") and rec.get("year"):
            rows[(rec["agency"], int(rec["year"]))] = rec
    out_rows = []
    for (agency, year), rec in sorted(rows.items()):
        out_rows.append({"agency": agency, "year": year, "found": True, "first_seen": first[(agency, year)],
                         "published_on": rec.get("page_date") or rec.get("listing_date") or "",
                         "published_from": "page" if rec.get("page_date") else
                         ("listing" if rec.get("listing_date") else ""),
                         "page_date": rec.get("page_date") or "", "listing_date": rec.get("listing_date") or "",
                         "url": rec.get("page_url") or rec.get("url"), "title": rec.get("title") or ""})
    seen = {a for a, _ in rows}
    for agency in agencies:
        if agency not in seen:
            out_rows.append({"agency": agency, "year": "", "found": False, "first_seen": "", "published_on": "",
                             "published_from": "", "page_date": "", "listing_date": "", "url": "", "title": ""})
    return out_rows


def write_publications(out: Path, rows: list[dict]) -> None:
    fields = ["agency", "year", "found", "first_seen", "published_on", "published_from", "page_date",
              "listing_date", "url", "title"]
    tmp = out / (PUBLICATIONS + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, out / PUBLICATIONS)


def write_sources_copy(out: Path, sources: list) -> None:
    tmp = out / (SOURCES_COPY + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agency", "url", "region", "level", "kind"])
        for s in sources:
            w.writerow([s.agency, s.url, s.region, s.level, s.kind])
    os.replace(tmp, out / SOURCES_COPY)


def read_sources_copy(out: Path) -> list[dict]:
    path = Path(out) / SOURCES_COPY
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r.get("agency")]
