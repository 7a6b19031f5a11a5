"""The Scrapy spider that walks each agency's 年报栏目 and stores its reports.

Scrapy does the crawling itself: robots.txt (RobotsTxtMiddleware), per-host delay and concurrency with
AutoThrottle, retries, redirects, size limits, and the job directory that lets an interrupted run resume.
This module only says what to follow and what to keep (etl.collect.pages) and records every stored file
and every failure with its provenance (etl.collect.store).
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.spidermiddlewares.httperror import HttpError

from etl.collect import pages, store
from etl.collect.sources import Source

# A page whose body carries the report itself (the tables' chapter headings and enough text) is stored as
# the report; otherwise its attachments are.
_REPORT_BODY = re.compile(r"主动公开政府信息情况|收到和处理政府信息公开申请情况|政府信息公开行政复议")
_HTML_TYPES = ("text/html", "application/xhtml")


class AlwaysRevalidate(RFC2616Policy):
    """Keep pages in the HTTP cache but never trust them without asking: every cached page is requested
    again with If-None-Match / If-Modified-Since, so an unchanged page costs one 304 and a changed one is
    seen at once (RFC 2616's heuristic freshness would skip the request and miss a new report)."""

    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False


def _content_type(response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()


def _is_html(response) -> bool:
    ctype = _content_type(response)
    if ctype:
        return ctype.startswith(_HTML_TYPES)
    return not store.extension(response.url, "").lower().endswith(pages.ATTACHMENT_EXTENSIONS)


def _text(response) -> str:
    """The page as text: Scrapy decodes by the HTTP header, the <meta charset> or detection (GBK pages
    included); a body it cannot decode is read as GB18030, the superset of the encodings seen on sites."""
    try:
        return response.text
    except (AttributeError, UnicodeDecodeError):
        return response.body.decode("gb18030", errors="replace")


def _header(response, name: bytes) -> str | None:
    v = response.headers.get(name)
    return v.decode("latin-1") if v else None


class ReportsSpider(scrapy.Spider):
    name = "disclosure-reports"

    def __init__(self, sources: list[Source], out: str, since: str | None = None, progress=None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.out = Path(out)
        self.since = dt.date.fromisoformat(since) if since else None
        self.log_file = store.Log(self.out)
        self.previous = store.current_files(self.out)  # url -> last stored event (validators, sha)
        self.by_page: dict[str, list[dict]] = collections.defaultdict(list)  # report page url -> its files
        self.by_sha: dict[str, str] = {}  # sha256 -> stored path: the same bytes under a new URL are not copied
        for rec in self.previous.values():
            self.by_page[rec.get("page_url") or rec["url"]].append(rec)
            self.by_sha[rec["sha256"]] = rec["path"]
        self.counts: collections.Counter[str] = collections.Counter()
        self.failures: collections.Counter[str] = collections.Counter()
        self.progress = progress
        self._last_progress = 0.0

    # --- bookkeeping ----------------------------------------------------------------------------

    def _tick(self, what: str) -> None:
        self.counts[what] += 1
        now = time.monotonic()
        if now - self._last_progress >= 1.0:  # for the dashboard's background run (etl.collect.background)
            self._last_progress = now
            self.write_progress()
        if self.progress is not None:
            self.progress.update(1)
            self.progress.set_postfix(new=self.counts["new"] + self.counts["changed"],
                                      unchanged=self.counts["unchanged"], failed=sum(self.failures.values()),
                                      refresh=False)

    def fail(self, meta: dict, url: str, code: str, detail: str, status: int | None = None) -> None:
        self.failures[code] += 1
        self.log_file.write(event="failed", agency=meta.get("agency"), year=meta.get("year"),
                            title=meta.get("title"), url=url, listing_url=meta.get("listing_url"),
                            listing_date=meta.get("listing_date"), page_url=meta.get("page_url"),
                            fetched_at=store.now(), status=status, code=code, detail=detail)
        self._tick("failed")

    def write_progress(self) -> None:
        state = self.out / store.STATE_DIR
        state.mkdir(parents=True, exist_ok=True)
        tmp = state / "progress.json.part"
        tmp.write_text(json.dumps({"at": store.now(), "counts": dict(self.counts), "failures": dict(self.failures)}),
                       encoding="utf-8")
        os.replace(tmp, state / "progress.json")

    def closed(self, reason: str) -> None:
        self.write_progress()
        self.log_file.close()

    # --- crawling -------------------------------------------------------------------------------

    async def start(self):
        for src in self.sources:
            meta = {"agency": src.agency, "source": src.__dict__, "listing_url": src.url, "pages_seen": 1}
            yield scrapy.Request(src.url, callback=self.parse_column, errback=self.failed, meta=meta)

    def failed(self, failure) -> None:
        request = failure.request
        meta = dict(request.meta)
        if failure.check(HttpError):
            status = failure.value.response.status
            code = "http_404" if status in (404, 410) else "http_error"
            self.fail(meta, request.url, code, f"HTTP {status}", status)
        elif failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            self.fail(meta, request.url, "robots_forbidden", "the site's robots.txt forbids this path")
        elif "TimeoutError" in failure.type.__name__ or "Timeout" in type(failure.value).__name__:
            self.fail(meta, request.url, "fetch_timeout", "no answer within the download timeout")
        elif "Cancelled" in type(failure.value).__name__ and "max size" in str(failure.value).lower():
            self.fail(meta, request.url, "download_too_large", "larger than the download size limit")
        else:
            self.fail(meta, request.url, "fetch_failed", f"{type(failure.value).__name__}: {failure.value}"[:300])

    def parse_column(self, response):
        meta = dict(response.meta)
        self.counts["listing_pages"] += 1
        if not _is_html(response):  # the source is a report file itself
            yield from self.store_file(response, {**meta, "page_url": None})
            return
        html = _text(response)
        why = pages.unreadable(html)
        if why:
            self.fail({**meta, "listing_url": response.url}, response.url, *why, status=response.status)
            return
        entries = pages.listing_entries(html, response.url)
        if not entries:
            if pages.is_report_title(pages.page_title(html)) and meta.get("pages_seen") == 1:
                # the source is one report's page, not a column
                yield from self.parse_report(response)
                return
            if meta.get("pages_seen") == 1:
                self.fail(meta, response.url, "no_reports_listed",
                          "the page lists no entry titled as an annual disclosure report")
            return
        fresh = 0
        # A listing the server says has not changed (a 304 behind the HTTP cache) lists the same reports:
        # those already stored are not asked for again, so an unchanged site costs a request per listing page.
        unchanged = "cached" in response.flags
        for e in entries:
            if self.since and e.date and e.date < self.since:
                continue
            fresh += 1
            if unchanged and self.by_page.get(e.url):
                for rec in self.by_page[e.url]:
                    self.log_file.write(**{**rec, "event": "unchanged", "checked": "listing not modified"})
                    self._tick("unchanged")
                continue
            year = pages.report_year(e.title)
            yield response.follow(e.url, callback=self.parse_report, errback=self.failed, meta={
                "agency": meta["agency"], "source": meta["source"], "title": e.title, "year": year,
                "listing_url": response.url, "listing_date": e.date.isoformat() if e.date else None})
        if self.since and not fresh:
            return  # listings run newest first: older pages hold nothing after --since
        for url in pages.next_pages(html, response.url)[: 200 - meta.get("pages_seen", 1)]:
            yield response.follow(url, callback=self.parse_column, errback=self.failed,
                                  meta={**{k: meta[k] for k in ("agency", "source")}, "listing_url": url,
                                        "pages_seen": meta.get("pages_seen", 1) + 1})

    def parse_report(self, response):
        meta = dict(response.meta)
        if not _is_html(response):
            yield from self.store_file(response, {**meta, "page_url": None})
            return
        html = _text(response)
        why = pages.unreadable(html)
        if why:
            self.fail(meta, response.url, *why, status=response.status)
            return
        date, date_from = pages.page_date(html)
        title = meta.get("title") or pages.page_title(html)
        year = meta.get("year") or pages.report_year(title)
        meta.update(title=title, year=year, page_url=response.url,
                    page_date=date.isoformat() if date else None, page_date_from=date_from or None)
        if _REPORT_BODY.search(html):
            yield from self.store_file(response, meta)
            return
        files = pages.attachments(html, response.url)
        if not files:
            self.fail(meta, response.url, "no_report_content",
                      "the report page holds neither the report's text nor an attachment")
            return
        for url, _ in files:
            prev = self.previous.get(url) or {}
            headers = {}
            if prev.get("etag"):
                headers["If-None-Match"] = prev["etag"]
            if prev.get("last_modified"):
                headers["If-Modified-Since"] = prev["last_modified"]
            yield response.follow(url, callback=self.store_file_cb, errback=self.failed, headers=headers,
                                  meta={**meta, "dont_cache": True, "handle_httpstatus_list": [304]})

    def store_file_cb(self, response):
        yield from self.store_file(response, dict(response.meta))

    def store_file(self, response, meta: dict):
        url = response.url
        prev = self.previous.get(url) or self.previous.get(response.request.url if response.request else url)
        ctype = _content_type(response)
        common = dict(agency=meta.get("agency"), year=meta.get("year"), title=meta.get("title"), url=url,
                      listing_url=meta.get("listing_url"), listing_date=meta.get("listing_date"),
                      page_url=meta.get("page_url"), page_date=meta.get("page_date"),
                      page_date_from=meta.get("page_date_from"), fetched_at=store.now(),
                      status=response.status, content_type=ctype or None,
                      etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
                      source=meta.get("source"))
        if response.status == 304:
            if not prev:  # the site answered "not modified" to a question we never asked
                self.fail(meta, url, "fetch_failed", "HTTP 304 with no stored copy")
                return
            self.log_file.write(event="unchanged", **{**common, "etag": common["etag"] or prev.get("etag"),
                                                      "last_modified": common["last_modified"]
                                                      or prev.get("last_modified")},
                                bytes=prev.get("bytes"), sha256=prev.get("sha256"), path=prev.get("path"))
            self._tick("unchanged")
            return
        body = response.body
        sha = hashlib.sha256(body).hexdigest()
        rel = prev.get("path") if prev else store.file_name(meta.get("agency") or "agency", meta.get("year"),
                                                            url, ctype)
        if prev and prev.get("sha256") == sha and (self.out / rel).is_file():
            what = "unchanged"
        elif not prev and sha in self.by_sha and (self.out / self.by_sha[sha]).is_file():
            rel, what = self.by_sha[sha], "unchanged"  # a report met before, now at another address
        else:
            store.write_atomic(self.out / rel, body)
            what = "changed" if prev else "new"
            self.by_sha[sha] = rel
        self.log_file.write(event="stored" if what != "unchanged" else "unchanged", **common, bytes=len(body),
                            sha256=sha, path=rel)
        self._tick(what)
        yield {"url": url, "path": rel, "what": what}
