"""The collector's budgets per host and per run, and the size cap of an HTML page, enforced while the run
goes (the numbers are etl.collect.limits).

A downloader middleware (after etl.collect.netguard) counts every request that reaches the downloader —
robots.txt, retries and redirect hops included — per host and in all, and refuses the ones past a budget
with a coded reason (netguard.Blocked). Two signal handlers count the bytes as they arrive: an HTML page
past `page_mb` (it would be parsed whole) and a host or run past its byte budget stop that download at once
(StopDownload), with the reason left in the request's meta for the spider's errback. Scrapy's
DOWNLOAD_MAXSIZE caps every other response at `file_mb`, after decompression too.
"""

from __future__ import annotations

import collections
import os

from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.extensions.memusage import MemoryUsage
from scrapy.utils.httpobj import urlparse_cached

from etl.collect.limits import MB, Limits
from etl.collect.netguard import Blocked

SETTING = "COLLECT_LIMITS"  # the Scrapy setting holding the run's limits (a dict, limits.as_dict)
STOPPED = "collect_stopped"  # request.meta key: the reason code a download was stopped for
_RECEIVED, _PAGE = "collect_received", "collect_page"
_HTML = (b"text/html", b"application/xhtml")


def host_of(request) -> str:
    return urlparse_cached(request).netloc.lower()


class Bounds:
    def __init__(self, crawler, limits: Limits) -> None:
        self.crawler, self.limits = crawler, limits
        self.requests = 0
        self.bytes = 0
        self.requests_by_host: collections.Counter[str] = collections.Counter()
        self.bytes_by_host: collections.Counter[str] = collections.Counter()
        self.run_stop: str | None = None  # the run's budget that was spent, once it is
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)
        crawler.bounds = self  # read by the spider for the summary

    @classmethod
    def from_crawler(cls, crawler) -> Bounds:
        return cls(crawler, Limits(**crawler.settings.getdict(SETTING)))

    def _close_run(self, code: str) -> None:
        from scrapy.utils.defer import _schedule_coro

        if self.run_stop is None:
            self.run_stop = code
            _schedule_coro(self.crawler.engine.close_spider_async(reason=code))

    # --- requests ---------------------------------------------------------------------------------

    def process_request(self, request, spider=None):
        for key in (STOPPED, _RECEIVED, _PAGE):  # a redirect or retry copies the meta of the request before
            request.meta.pop(key, None)
        host, lim = host_of(request), self.limits
        if self.run_stop:
            raise Blocked(self.run_stop, "")
        if self.requests >= lim.requests:
            self._close_run("run_request_limit")
            raise Blocked("run_request_limit", str(lim.requests))
        if self.requests_by_host[host] >= lim.requests_per_host:
            raise Blocked("host_request_limit", f"{host} {lim.requests_per_host}")
        if self.bytes_by_host[host] >= lim.mb_per_host * MB:
            raise Blocked("host_byte_limit", f"{host} {lim.mb_per_host:g} MB")
        self.requests += 1
        self.requests_by_host[host] += 1
        return None

    # --- bytes ------------------------------------------------------------------------------------

    def _stop(self, request, code: str) -> None:
        request.meta[STOPPED] = code
        raise StopDownload(fail=True)

    def headers_received(self, headers, body_length, request, spider=None) -> None:
        ctype = (headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
        if ctype.startswith(_HTML):
            request.meta[_PAGE] = True
            if body_length and body_length > self.limits.page_mb * MB:
                self._stop(request, "page_too_large")

    def bytes_received(self, data: bytes, request, spider=None) -> None:
        n, host, lim = len(data), host_of(request), self.limits
        self.bytes += n
        self.bytes_by_host[host] += n
        received = request.meta[_RECEIVED] = request.meta.get(_RECEIVED, 0) + n
        if request.meta.get(_PAGE) and received > lim.page_mb * MB:
            self._stop(request, "page_too_large")
        if self.bytes_by_host[host] > lim.mb_per_host * MB:
            self._stop(request, "host_byte_limit")
        if self.bytes > lim.mb * MB:
            self._close_run("run_byte_limit")
            self._stop(request, "run_byte_limit")

    def by_host(self) -> dict[str, dict[str, int]]:
        return {h: {"requests": n, "bytes": self.bytes_by_host[h]} for h, n in sorted(self.requests_by_host.items())}


class ResidentMemory(MemoryUsage):
    """Scrapy's memory limit measured on the resident memory now, not the peak: on Linux the peak
    (ru_maxrss) survives exec, so a collector started by a large process (a test run, the dashboard's server)
    would start "over" its limit and stop at once."""

    def get_virtual_size(self) -> int:
        try:
            with open("/proc/self/statm", "rb") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):  # no /proc (not Linux): Scrapy's own measure
            return super().get_virtual_size()
