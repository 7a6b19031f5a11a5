"""The Scrapy spider that walks each agency's 年报栏目 and stores its reports.

Scrapy does the crawling itself: robots.txt (RobotsTxtMiddleware), per-host delay and concurrency with
AutoThrottle, retries, redirects, size limits, and the job directory that lets an interrupted run resume.
This module only says what to follow and what to keep (etl.collect.pages), holds each source to its
bounds (etl.collect.limits: listing pages and report pages per source, links per listing page), and
records every stored file and every failure with its provenance (etl.collect.store), and the run's
summary as it goes. Which addresses may be fetched is etl.collect.netguard's; the per-host and per-run
budgets are etl.collect.bounds'.
"""

from __future__ import annotations

import collections
import datetime as dt
import errno
import hashlib
import re
import resource
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest, StopDownload
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.spidermiddlewares.httperror import HttpError

from etl.collect import netguard, pages, store
from etl.collect.bounds import STOPPED
from etl.collect.limits import MB, Limits, as_dict
from etl.collect.netguard import Blocked
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


# Scrapy's reasons for closing a spider, as reason codes (etl.reasons); "finished" is a complete walk.
_STOP_CODES = {"shutdown": "stopped_by_user", "closespider_timeout": "run_time_limit",
               "memusage_exceeded": "run_memory_limit"}


def stop_code(reason: str | None) -> str | None:
    """The reason code for a run that ended before its walk was complete, or None for a complete one."""
    if reason == "finished":
        return None
    return _STOP_CODES.get(reason or "", reason or "stopped_by_user")


def _peak_memory_mb() -> float:
    """This process's peak resident memory. On Linux VmHWM, which starts afresh at exec; getrusage's ru_maxrss
    keeps the peak of the process that started the collector (a test run, the dashboard's server)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class ReportsSpider(scrapy.Spider):
    name = "disclosure-reports"

    def __init__(self, sources: list[Source], out: str, since: str | None = None, progress=None,
                 how: str = "fresh", limits: dict | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.out = Path(out)
        self.since = dt.date.fromisoformat(since) if since else None
        self.how = how
        self.limits = Limits(**(limits or {}))
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
        self.started, self.started_at = time.monotonic(), store.now()
        self._last_progress = 0.0
        self._writer = None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

    # --- per source: what was taken and what came of it ------------------------------------------

    @staticmethod
    def source_key(src: Source) -> str:
        return f"{src.agency}\t{src.url}"

    def tally(self, key: str | None) -> dict:
        """The source's record for this run: listing and report URLs taken (bounded by the limits), files
        found, failures by reason, traps already recorded. Kept in the spider's state, which Scrapy saves
        in the job directory, so a resumed run goes on counting."""
        if not isinstance(getattr(self, "state", None), dict):
            self.state = {}
        tallies = self.state.setdefault("tallies", {})
        return tallies.setdefault(key or "", {"listing": set(), "reports": set(), "found": 0,
                                              "failures": collections.Counter(), "traps": set(),
                                              "pending": 0})

    def _sent(self, request):
        """A request of a source on its way: counted until its callback, errback or drop, so a run that
        stops early knows which sources it had not finished."""
        self.tally(request.meta.get("src"))["pending"] += 1
        return request

    def _done(self, meta: dict) -> None:
        t = self.tally(meta.get("src"))
        t["pending"] = max(0, t["pending"] - 1)

    def _take(self, meta: dict, kind: str, url: str) -> bool | None:
        """Count `url` against its source's `kind` ("listing" or "reports"): True when it is to be fetched,
        None when the source has already taken it, False when the source's limit is spent."""
        t = self.tally(meta.get("src"))[kind]
        if url in t:
            return None
        cap = self.limits.listing_pages_per_source if kind == "listing" else self.limits.report_pages_per_source
        if len(t) >= cap:
            return False
        t.add(url)
        return True

    def trap(self, meta: dict, url: str, code: str, detail: str) -> None:
        """Record a bound a source ran into, once per source and reason."""
        traps = self.tally(meta.get("src"))["traps"]
        if code not in traps:
            traps.add(code)
            self.fail(meta, url, code, detail)

    # --- bookkeeping ----------------------------------------------------------------------------

    def _tick(self, what: str, meta: dict | None = None) -> None:
        self.counts[what] += 1
        if what in ("new", "changed", "unchanged"):
            self.tally((meta or {}).get("src"))["found"] += 1
        now = time.monotonic()
        if now - self._last_progress >= 1.0:  # for the dashboard's background run (etl.collect.background)
            self.write_progress()
        if self.progress is not None:
            self.progress.update(1)
            self.progress.set_postfix(new=self.counts["new"] + self.counts["changed"],
                                      unchanged=self.counts["unchanged"], failed=sum(self.failures.values()),
                                      refresh=False)

    def fail(self, meta: dict, url: str, code: str, detail: str, status: int | None = None) -> None:
        self.failures[code] += 1
        reasons = self.tally(meta.get("src"))["failures"]
        bounds = getattr(self.crawler, "bounds", None) if hasattr(self, "crawler") else None
        # a spent run budget (requests, bytes) stops a source once, however many of its requests were in
        # flight when it ran out; the log below still lists each refused address
        if not (bounds is not None and code == bounds.run_stop and reasons[code]):
            reasons[code] += 1
        try:
            self.log_file.write(event="failed", agency=meta.get("agency"), year=meta.get("year"),
                                title=meta.get("title"), url=url, listing_url=meta.get("listing_url"),
                                listing_date=meta.get("listing_date"), page_url=meta.get("page_url"),
                                fetched_at=store.now(), status=status, code=code, detail=detail)
        except OSError as e:  # a full disk: the failure stays counted in the summary
            self.counts["log_write_failed"] += 1
            self.logger.error("cannot write %s: %s", store.PROVENANCE, e)
        self._tick("failed")

    def summary(self, reason: str | None = None) -> dict:
        """The run so far (reason None) or at its end: what was done, what was lost and why, the bounds."""
        code = stop_code(reason) if reason else None
        bounds = getattr(self.crawler, "bounds", None) if hasattr(self, "crawler") else None
        stats = self.crawler.stats if hasattr(self, "crawler") and self.crawler.stats else None
        lost = []
        for src in self.sources:
            t = self.tally(self.source_key(src))
            if t["found"]:
                continue
            reasons = dict(t["failures"])
            if code and t["pending"]:  # the run stopped with this source's requests still to do
                reasons.setdefault(code, 1)
            elif not reasons and reason is not None and (code or self.since is None):
                reasons = {code or "not_reached": 1}
            if reasons:
                lost.append({"agency": src.agency, "url": src.url, "reasons": reasons})
        return {
            "state": "running" if reason is None else (code or "finished"), "stopped": reason or "running",
            "sources": len(self.sources), "how": self.how, "started_at": self.started_at,
            "updated_at": store.now(), "seconds": round(time.monotonic() - self.started, 2),
            "listing_pages": self.counts["listing_pages"],
            "files": self.counts["new"] + self.counts["changed"] + self.counts["unchanged"],
            "new": self.counts["new"], "changed": self.counts["changed"], "unchanged": self.counts["unchanged"],
            "failures": dict(self.failures), "lost": lost,
            "agencies_found": len({src.agency for src in self.sources if self.tally(self.source_key(src))["found"]}),
            "requests": bounds.requests if bounds else 0, "bytes": bounds.bytes if bounds else 0,
            "not_modified": stats.get_value("downloader/response_status_count/304", 0) if stats else 0,
            "hosts": bounds.by_host() if bounds else {}, "peak_memory_mb": _peak_memory_mb(),
            "limits": as_dict(self.limits),
        }

    def write_progress(self, reason: str | None = None) -> dict:
        """Write the run's summary and counts as they stand (also while it runs: a stopped or killed run
        still says what it did)."""
        self._last_progress = time.monotonic()
        s = self.summary(reason)
        try:
            store.write_json_atomic(self.out / store.STATE_DIR / "progress.json",
                                    {"at": s["updated_at"], "counts": dict(self.counts), "failures": s["failures"]})
            store.write_json_atomic(self.out / store.SUMMARY, s)
        except OSError as e:
            self.logger.error("cannot write the summary: %s", e)
        return s

    def closed(self, reason: str) -> None:
        if self._writer is not None and self._writer.running:
            self._writer.stop()
        self.write_progress(reason)
        self.log_file.close()

    def on_spider_error(self, failure, response, spider=None) -> None:
        """A page the reading code failed on (a parser error on a hostile page): recorded, not lost."""
        meta = dict(response.meta) if response is not None and response.request is not None else {}
        self.fail(meta, response.url if response is not None else "", "parser_error",
                  f"{type(failure.value).__name__}: {failure.value}"[:300])

    def on_request_dropped(self, request, spider=None) -> None:
        """The scheduler drops a request it has seen: for a redirect back into its own chain, a loop."""
        self._done(request.meta)
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            self.fail(dict(request.meta), request.url, "redirect_loop", " -> ".join([*chain, request.url])[:500])

    # --- crawling -------------------------------------------------------------------------------

    async def start(self):
        from twisted.internet import task

        self.write_progress()
        self._writer = task.LoopingCall(self.write_progress)
        self._writer.start(2.0, now=False)
        for src in self.sources:
            meta = {"agency": src.agency, "source": src.__dict__, "listing_url": src.url, "first": True,
                    "src": self.source_key(src)}
            self._take(meta, "listing", src.url)
            # dont_filter: two agencies may list the same address, and each is owed its outcome
            yield self._sent(scrapy.Request(src.url, callback=self.parse_column, errback=self.failed, meta=meta,
                                            dont_filter=True))

    def failed(self, failure) -> None:
        request = failure.request
        meta = dict(request.meta)
        self._done(meta)
        value = failure.value
        if isinstance(value, Blocked):
            self.fail(meta, request.url, value.code, value.detail)
        elif failure.check(StopDownload):
            code = request.meta.get(STOPPED) or "download_too_large"
            limit = self.limits.page_mb if code == "page_too_large" else self.limits.file_mb
            self.fail(meta, request.url, code, f"limit {limit:g} MB" if code.endswith("too_large") else "")
        elif failure.check(HttpError):
            status = value.response.status
            target = _header(value.response, b"Location") or ""
            if 300 <= status < 400 and urlparse(target).scheme not in netguard.SCHEMES:
                # Scrapy follows only http(s) redirects; one to file:, ftp: … is refused like an address
                self.fail(meta, request.url, "address_scheme", target[:200], status)
                return
            code = "http_404" if status in (404, 410) else "http_error"
            self.fail(meta, request.url, code, f"HTTP {status}", status)
        elif failure.check(IgnoreRequest) and "robots" in str(value).lower():
            self.fail(meta, request.url, "robots_forbidden", "the site's robots.txt forbids this path")
        elif failure.check(IgnoreRequest) and "redirect" in str(value).lower():
            self.fail(meta, request.url, "redirect_loop", f"more than {self.limits.redirects} redirects")
        elif netguard.refused_host(urlparse(request.url).hostname):
            # the connection's resolver refused the host (it never connects: every failure there is this)
            code, address = netguard.refused_host(urlparse(request.url).hostname)
            self.fail(meta, request.url, code, f"{urlparse(request.url).hostname} {address}")
        elif "TimeoutError" in failure.type.__name__ or "Timeout" in type(value).__name__:
            self.fail(meta, request.url, "fetch_timeout", "no answer within the download timeout")
        elif "max size" in str(value).lower():
            self.fail(meta, request.url, "download_too_large", f"limit {self.limits.file_mb:g} MB")
        else:
            self.fail(meta, request.url, "fetch_failed", f"{type(value).__name__}: {value}"[:300])

    def _too_large(self, response, meta: dict) -> bool:
        """An HTML page over the page limit once decompressed (the download's own cap counts bytes on the
        wire): recorded instead of parsed."""
        if len(response.body) > self.limits.page_mb * MB:
            self.fail(meta, response.url, "page_too_large", f"limit {self.limits.page_mb:g} MB", response.status)
            return True
        return False

    def parse_column(self, response):
        meta = dict(response.meta)
        self._done(meta)
        self.counts["listing_pages"] += 1
        if not _is_html(response):  # the source is a report file itself
            yield from self.store_file(response, {**meta, "page_url": None})
            return
        if self._too_large(response, {**meta, "listing_url": response.url}):
            return
        html = _text(response)
        doc = pages.parse(html)
        why = pages.unreadable(doc)
        if why:
            self.fail({**meta, "listing_url": response.url}, response.url, *why, status=response.status)
            return
        lim = self.limits
        listing = pages.read_listing(doc, response.url, limit=lim.links_per_listing,
                                     max_pages=lim.listing_pages_per_source)
        if max(listing.report_links, listing.more_pages) > lim.links_per_listing:
            self.fail({**meta, "listing_url": response.url}, response.url, "too_many_links",
                      f"{listing.report_links} + {listing.more_pages}, limit {lim.links_per_listing}")
        entries = listing.entries
        if not entries:
            if meta.get("first") and pages.is_report_title(pages.page_title(doc)):
                # the source is one report's page, not a column
                yield from self.parse_report(response, doc)
                return
            if meta.get("first"):
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
                    self._tick("unchanged", meta)
                continue
            if pages.trap_url(e.url, lim.url_chars):
                self.trap(meta, e.url, "url_trap", e.url[:200])
                continue
            taken = self._take(meta, "reports", e.url)
            if taken is False:
                self.trap(meta, e.url, "too_many_report_pages", f"limit {lim.report_pages_per_source}")
                break
            if taken is None:
                continue
            year = pages.report_year(e.title)
            yield self._sent(response.follow(e.url, callback=self.parse_report, errback=self.failed, meta={
                "agency": meta["agency"], "source": meta["source"], "src": meta.get("src"), "title": e.title,
                "year": year, "listing_url": response.url,
                "listing_date": e.date.isoformat() if e.date else None}))
        if self.since and not fresh:
            return  # listings run newest first: older pages hold nothing after --since
        for url in listing.next_pages:
            if pages.trap_url(url, lim.url_chars):
                self.trap(meta, url, "url_trap", url[:200])
                continue
            taken = self._take(meta, "listing", url)
            if taken is False:
                self.trap(meta, url, "too_many_listing_pages", f"limit {lim.listing_pages_per_source}")
                break
            if taken:
                yield self._sent(response.follow(url, callback=self.parse_column, errback=self.failed,
                                                 meta={"agency": meta["agency"], "source": meta["source"],
                                                       "src": meta.get("src"), "listing_url": url}))

    def parse_report(self, response, doc=None):
        meta = dict(response.meta)
        if doc is None:  # called for its own request (not for a source that is one report's page)
            self._done(meta)
        if not _is_html(response):
            yield from self.store_file(response, {**meta, "page_url": None})
            return
        if doc is None:
            if self._too_large(response, meta):
                return
            doc = pages.parse(_text(response))
        why = pages.unreadable(doc)
        if why:
            self.fail(meta, response.url, *why, status=response.status)
            return
        date, date_from = pages.page_date(doc)
        title = meta.get("title") or pages.page_title(doc)
        year = meta.get("year") or pages.report_year(title)
        meta.update(title=title, year=year, page_url=response.url,
                    page_date=date.isoformat() if date else None, page_date_from=date_from or None)
        if _REPORT_BODY.search(doc.text_content()):
            yield from self.store_file(response, meta)
            return
        files = pages.attachments(doc, response.url)
        if not files:
            self.fail(meta, response.url, "no_report_content",
                      "the report page holds neither the report's text nor an attachment")
            return
        for url, _ in files[: self.limits.links_per_listing]:
            taken = self._take(meta, "reports", url)
            if taken is False:
                self.trap(meta, url, "too_many_report_pages", f"limit {self.limits.report_pages_per_source}")
                break
            if taken is None:
                continue
            prev = self.previous.get(url) or {}
            headers = {}
            if prev.get("etag"):
                headers["If-None-Match"] = prev["etag"]
            if prev.get("last_modified"):
                headers["If-Modified-Since"] = prev["last_modified"]
            yield self._sent(response.follow(url, callback=self.store_file_cb, errback=self.failed, headers=headers,
                                             meta={**meta, "dont_cache": True, "handle_httpstatus_list": [304]}))

    def store_file_cb(self, response):
        self._done(response.meta)
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
            self._tick("unchanged", meta)
            return
        body = response.body
        sha = hashlib.sha256(body).hexdigest()
        rel = prev.get("path") if prev else store.file_name(meta.get("agency") or "agency", meta.get("year"),
                                                            url, ctype)
        what: str | None = None  # None: new bytes, to be written
        if prev and prev.get("sha256") == sha and (self.out / rel).is_file():
            what = "unchanged"
        elif not prev and sha in self.by_sha and (self.out / self.by_sha[sha]).is_file():
            rel, what = self.by_sha[sha], "unchanged"  # a report met before, now at another address
        try:
            if what is None:
                store.write_atomic(self.out / rel, body)
                what = "changed" if prev else "new"
                self.by_sha[sha] = rel
            self.log_file.write(event="stored" if what != "unchanged" else "unchanged", **common,
                                bytes=len(body), sha256=sha, path=rel)
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EDQUOT):  # nothing more can be stored: the run stops
                self.fail(meta, url, "disk_full", e.strerror or "")
                raise CloseSpider("disk_full") from None
            self.fail(meta, url, "write_failed", f"{e.strerror or e}: {rel}"[:300])
            return
        self._tick(what, meta)
        yield {"url": url, "path": rel, "what": what}
