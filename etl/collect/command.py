"""`python -m etl collect SOURCES.csv --out data/collected [--since YYYY-MM-DD]`

Walks each agency's annual-report column and stores its reports with their provenance (etl.collect.store),
politely: robots.txt obeyed, one request at a time per host with a delay that AutoThrottle raises when a
host slows down, retries, a size limit per download, conditional requests for everything seen before.
Interrupt it (Ctrl+C, or kill) and run it again: it resumes from Scrapy's job directory; after a hard kill
whose job state may be torn it starts the walk again, and since every file is named by its URL and
re-asked with If-None-Match, nothing is fetched twice in full or stored twice. Only public addresses are
fetched (etl.collect.netguard) and every run is bounded (etl.collect.limits); the summary
(collection.json) is rewritten as the run goes and names every source that gave no report, with why.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import etl
from etl import settings as setting
from etl.collect import netguard, store
from etl.collect.limits import LIMITS, MB, POLITENESS, Limits, as_dict, override
from etl.collect.sources import SourcesError, read_sources

USER_AGENT = (f"disclosure-reports-collector/{etl.__version__} "
              "(annual disclosure report monitoring; obeys robots.txt)")
# After Ctrl+C or SIGTERM the run closes cleanly (its job directory saved for the next run to resume) but
# waits at most this long for downloads in flight: a trickling server does not hold the stop.
STOP_GRACE_SECONDS = 5.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    d = POLITENESS
    p.add_argument("sources", help="CSV with columns agency,url[,region,level,kind]")
    p.add_argument("--out", default="data/collected", help="folder for the files and their provenance "
                   "(default data/collected); `etl build` reads it like any folder")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="skip listing entries dated before this day")
    p.add_argument("--delay", type=float, default=d.delay,
                   help=f"seconds between two requests to one host, at least (default {d.delay:g})")
    p.add_argument("--per-host", type=int, default=d.per_host,
                   help=f"requests in flight per host (default {d.per_host})")
    p.add_argument("--concurrency", type=int, default=d.concurrency,
                   help=f"requests in flight in all (default {d.concurrency})")
    p.add_argument("--timeout", type=float, default=d.timeout,
                   help=f"seconds for one whole download (default {d.timeout:g})")
    p.add_argument("--max-mb", type=float, default=None,
                   help=f"largest file downloaded, MB (default {LIMITS.file_mb:g}; same as --limit file_mb=…)")
    p.add_argument("--retries", type=int, default=d.retries,
                   help=f"retries of a failed download (default {d.retries})")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="change one bound for this run, e.g. listing_pages_per_source=50 (names and defaults: "
                   + ", ".join(f"{k}={v:g}" for k, v in as_dict(LIMITS).items()) + ")")
    p.add_argument("--allow-network", action="append", default=[], metavar="CIDR",
                   help="also fetch from this internal network (e.g. 10.1.0.0/16; repeatable). Loopback, "
                   "private, link-local and reserved addresses are refused otherwise; the setting "
                   f"{netguard.ALLOW_ENV} does the same for the dashboard's runs")
    p.add_argument("--no-robots", action="store_true", help=argparse.SUPPRESS)  # tests of the rule only
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def limits_for(args: argparse.Namespace) -> Limits:
    limits = override(LIMITS, list(args.limit or []))
    if getattr(args, "max_mb", None):
        limits = replace(limits, file_mb=float(args.max_mb))
    return limits


def allowed_networks(args: argparse.Namespace) -> list[str]:
    """The operator's allowances: the setting (environment) and --allow-network, checked."""
    return [str(n) for n in netguard.parse_networks([setting.raw("collect_allow_networks"),
                                                      *(args.allow_network or [])])]


def settings(args: argparse.Namespace, out: Path, limits: Limits | None = None) -> dict:
    from etl.collect import bounds

    limits = limits or limits_for(args)
    state = (out / store.STATE_DIR).resolve()
    return {
        "BOT_NAME": "disclosure-reports",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": not args.no_robots,
        "ROBOTSTXT_USER_AGENT": "disclosure-reports-collector",
        "CONCURRENT_REQUESTS": max(1, args.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, args.per_host),
        "DOWNLOAD_DELAY": max(0.0, args.delay),
        "DOWNLOAD_DELAY_JITTER": 0.0,  # the delay is a floor the host can rely on, not an average
        "AUTOTHROTTLE_ENABLED": args.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(0.0, args.delay),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(max(1, args.per_host)),
        "DOWNLOAD_TIMEOUT": args.timeout,
        "DNS_TIMEOUT": max(1, min(30, int(args.timeout))),
        "DOWNLOAD_MAXSIZE": max(1, int(limits.file_mb * MB)),  # after decompression too
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": args.retries > 0,
        "RETRY_TIMES": args.retries,
        "REDIRECT_MAX_TIMES": limits.redirects,
        # Addresses: every request and every redirect hop is checked after DNS resolution, by the first
        # downloader middleware and again by the resolver the connection uses (etl.collect.netguard); only
        # http(s) is fetched at all.
        netguard.SETTING: allowed_networks(args),
        "TWISTED_DNS_RESOLVER": "etl.collect.netguard.GuardedResolver",
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "s3": None, "ftp": None},
        "DOWNLOADER_MIDDLEWARES": {"etl.collect.netguard.GuardMiddleware": 10, "etl.collect.bounds.Bounds": 20},
        # Budgets per host and per run, the HTML page cap (etl.collect.bounds), wall time and memory
        bounds.SETTING: as_dict(limits),
        "CLOSESPIDER_TIMEOUT": limits.hours * 3600,
        "MEMUSAGE_ENABLED": True,
        "MEMUSAGE_LIMIT_MB": limits.memory_mb,
        "MEMUSAGE_CHECK_INTERVAL_SECONDS": 2.0,
        # The cookie middleware looks domains up in the public-suffix list, which tldextract would try to
        # download; government report columns need no cookies.
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(state / "httpcache"),
        "HTTPCACHE_POLICY": "etl.collect.spider.AlwaysRevalidate",
        "HTTPCACHE_IGNORE_HTTP_CODES": [301, 302, 303, 307, 308, 404, 410, 500, 502, 503, 504],
        "JOBDIR": str(state / "job"),
        # breadth first, so an interrupted run has finished whole listings rather than one deep branch
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        # No listening endpoint: the Telnet console and Scrapy 2.19's remote-control HTTP server (which runs
        # code sent to it and leaves its token in the user's state folder) are both off.
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None,
                       "scrapy.extensions.remote_control.RemoteControl": None,
                       "scrapy.extensions.memusage.MemoryUsage": None,  # measured on the peak: see ResidentMemory
                       "etl.collect.bounds.ResidentMemory": 0},
        "LOG_LEVEL": "ERROR",
        "LOG_ENABLED": True,
    }


def _prepare_job(out: Path) -> str:
    """Keep the job directory of a run that stopped cleanly (Scrapy resumes from it); drop one a hard kill
    may have torn. Returns what the run starts from."""
    job = out / store.STATE_DIR / "job"
    marker = out / store.STATE_DIR / "running"
    if marker.exists():  # the last run never reached its end: its queue on disk may be half-written
        shutil.rmtree(job, ignore_errors=True)
        marker.unlink()
        how = "restart after an interrupted run (its job state was not saved)"
    elif job.is_dir():
        how = "resume an interrupted run"
    else:
        how = "fresh"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()))
    return how


def _finish_job(out: Path, reason: str | None) -> None:
    """After a clean close, drop the marker (and the job state of a complete walk); after a forced stop
    (reason None: the close did not finish) keep the marker, so the next run starts the walk again."""
    marker = out / store.STATE_DIR / "running"
    if reason is None:
        return
    if reason == "finished":  # a complete walk: the next run starts a new one
        shutil.rmtree(out / store.STATE_DIR / "job", ignore_errors=True)
    marker.unlink(missing_ok=True)


def summary_text(s: dict) -> str:
    lines = [f"collected {s['sources']} sources in {s['seconds']:.1f} s ({s['how']}, {s['stopped']})",
             f"  listing pages {s['listing_pages']}, report files {s['files']}: new {s['new']}, "
             f"changed {s['changed']}, unchanged {s['unchanged']}",
             f"  agencies with a report found: {s['agencies_found']} of {s['sources']}",
             f"  requests {s['requests']}, downloaded {s['bytes'] / MB:.1f} MB, peak memory "
             f"{s['peak_memory_mb']:.0f} MB"]
    if s["failures"]:
        lines.append("  failures: " + ", ".join(f"{k} {v}" for k, v in sorted(s["failures"].items())))
    if s["lost"]:
        lines.append(f"  sources with no report file: {len(s['lost'])}")
        for lost in s["lost"][:10]:
            lines.append(f"    {lost['agency']} {lost['url']}: "
                         + ", ".join(f"{k} {v}" for k, v in sorted(lost["reasons"].items())))
    if s["state"] != "finished":
        from etl.reasons import wording

        lines.append(f"  stopped early: {s['state']} ({wording(s['state'])[1]})")
    return "\n".join(lines)


def _process(settings: dict):
    from scrapy.crawler import CrawlerProcess

    class Process(CrawlerProcess):
        """The first Ctrl+C or SIGTERM closes the run cleanly but waits at most STOP_GRACE_SECONDS for the
        downloads in flight; then the reactor stops whatever is left (the summary is written after)."""

        def _signal_shutdown(self, signum, frame) -> None:
            from twisted.internet import reactor

            super()._signal_shutdown(signum, frame)
            reactor.callFromThread(reactor.callLater, STOP_GRACE_SECONDS, self._stop_reactor)

    return Process(settings)


def collect(sources_csv: str, out: Path, args: argparse.Namespace) -> dict:
    from tqdm import tqdm

    from etl.collect.spider import ReportsSpider

    sources = read_sources(sources_csv)
    limits = limits_for(args)
    conf = settings(args, out, limits)
    out.mkdir(parents=True, exist_ok=True)
    store.write_sources_copy(out, sources)  # who the run expects, on disk before anything is fetched
    how = _prepare_job(out)
    progress = None if args.quiet else tqdm(unit="fetch", desc="collect", file=sys.stderr)
    process = _process({**conf, "LOG_INSTALL_ROOT_HANDLER": False})
    crawler = process.create_crawler(ReportsSpider)
    process.crawl(crawler, sources=sources, out=str(out), since=args.since, progress=progress, how=how,
                  limits=as_dict(limits))
    process.start()
    if progress is not None:
        progress.close()
    spider = crawler.spider
    closed = crawler.stats.get_value("finish_reason") if crawler.stats else None
    _finish_job(out, closed)
    pubs = store.publications(out, [s.agency for s in sources])
    store.write_publications(out, pubs)
    s = spider.write_progress(closed or "shutdown")
    s.update(finished_at=store.now(), agencies_found=len({p["agency"] for p in pubs if p["found"]}))
    store.write_json_atomic(out / store.SUMMARY, s)
    return s


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    try:
        s = collect(args.sources, out, args)
    except SourcesError as e:
        print(f"collect: {e}", file=sys.stderr)
        return 2
    except ValueError as e:  # a bad --limit or --allow-network
        print(f"collect: {e}", file=sys.stderr)
        return 2
    print(summary_text(s))
    if s["stopped"] != "finished":
        print("collect: stopped before the end; run the same command again to continue", file=sys.stderr)
        return 130 if s["stopped"] == "shutdown" else 1
    return 0
