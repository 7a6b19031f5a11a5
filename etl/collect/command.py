"""`python -m etl collect SOURCES.csv --out data/collected [--since YYYY-MM-DD]`

Walks each agency's annual-report column and stores its reports with their provenance (etl.collect.store),
politely: robots.txt obeyed, one request at a time per host with a delay that AutoThrottle raises when a
host slows down, retries, a size limit per download, conditional requests for everything seen before.
Interrupt it (Ctrl+C, or kill) and run it again: it resumes from Scrapy's job directory; after a hard kill
whose job state may be torn it starts the walk again, and since every file is named by its URL and
re-asked with If-None-Match, nothing is fetched twice in full or stored twice.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sys
import time
from pathlib import Path

import etl
from etl.collect import store
from etl.collect.sources import SourcesError, read_sources

USER_AGENT = (f"disclosure-reports-collector/{etl.__version__} "
              "(annual disclosure report monitoring; obeys robots.txt)")
DEFAULTS = {"delay": 1.0, "per_host": 1, "concurrency": 8, "timeout": 30.0, "max_mb": 100, "retries": 2}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", help="CSV with columns agency,url[,region,level,kind]")
    p.add_argument("--out", default="data/collected", help="folder for the files and their provenance "
                   "(default data/collected); `etl build` reads it like any folder")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="skip listing entries dated before this day")
    p.add_argument("--delay", type=float, default=DEFAULTS["delay"],
                   help=f"seconds between two requests to one host, at least (default {DEFAULTS['delay']:g})")
    p.add_argument("--per-host", type=int, default=DEFAULTS["per_host"],
                   help=f"requests in flight per host (default {DEFAULTS['per_host']})")
    p.add_argument("--concurrency", type=int, default=DEFAULTS["concurrency"],
                   help=f"requests in flight in all (default {DEFAULTS['concurrency']})")
    p.add_argument("--timeout", type=float, default=DEFAULTS["timeout"],
                   help=f"seconds to wait for one download (default {DEFAULTS['timeout']:g})")
    p.add_argument("--max-mb", type=float, default=DEFAULTS["max_mb"],
                   help=f"largest file downloaded, MB (default {DEFAULTS['max_mb']})")
    p.add_argument("--retries", type=int, default=DEFAULTS["retries"],
                   help=f"retries of a failed download (default {DEFAULTS['retries']})")
    p.add_argument("--no-robots", action="store_true", help=argparse.SUPPRESS)  # tests of the rule only
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def settings(args: argparse.Namespace, out: Path) -> dict:
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
        "DOWNLOAD_MAXSIZE": max(1, int(args.max_mb * 1024 * 1024)),
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": args.retries > 0,
        "RETRY_TIMES": args.retries,
        "REDIRECT_MAX_TIMES": 5,
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
        "TELNETCONSOLE_ENABLED": False,
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


def _finish_job(out: Path, reason: str) -> None:
    marker = out / store.STATE_DIR / "running"
    if reason == "finished":  # a complete walk: the next run starts a new one
        shutil.rmtree(out / store.STATE_DIR / "job", ignore_errors=True)
    marker.unlink(missing_ok=True)


def summary_text(s: dict) -> str:
    lines = [f"collected {s['sources']} sources in {s['seconds']:.1f} s ({s['how']}, {s['stopped']})",
             f"  listing pages {s['listing_pages']}, report files {s['files']}: new {s['new']}, "
             f"changed {s['changed']}, unchanged {s['unchanged']}",
             f"  agencies with a report found: {s['agencies_found']} of {s['sources']}"]
    if s["failures"]:
        lines.append("  failures: " + ", ".join(f"{k} {v}" for k, v in sorted(s["failures"].items())))
    return "\n".join(lines)


def collect(sources_csv: str, out: Path, args: argparse.Namespace) -> dict:
    from scrapy.crawler import CrawlerProcess
    from tqdm import tqdm

    from etl.collect.spider import ReportsSpider

    sources = read_sources(sources_csv)
    out.mkdir(parents=True, exist_ok=True)
    how = _prepare_job(out)
    t0 = time.monotonic()
    progress = None if args.quiet else tqdm(unit="fetch", desc="collect", file=sys.stderr)
    process = CrawlerProcess({**settings(args, out), "LOG_INSTALL_ROOT_HANDLER": False})
    crawler = process.create_crawler(ReportsSpider)
    process.crawl(crawler, sources=sources, out=str(out), since=args.since, progress=progress)
    process.start()
    if progress is not None:
        progress.close()
    spider = crawler.spider
    reason = (crawler.stats.get_value("finish_reason") if crawler.stats else None) or "unknown"
    _finish_job(out, reason)
    store.write_sources_copy(out, sources)
    pubs = store.publications(out, [s.agency for s in sources])
    store.write_publications(out, pubs)
    counts = spider.counts if spider else collections.Counter()
    s = {"sources": len(sources), "how": how, "stopped": reason, "seconds": round(time.monotonic() - t0, 2),
         "finished_at": store.now(), "listing_pages": counts["listing_pages"],
         "files": counts["new"] + counts["changed"] + counts["unchanged"], "new": counts["new"],
         "changed": counts["changed"], "unchanged": counts["unchanged"],
         "failures": dict(spider.failures) if spider else {},
         "agencies_found": len({p["agency"] for p in pubs if p["found"]}),
         "requests": crawler.stats.get_value("downloader/request_count", 0) if crawler.stats else 0,
         "not_modified": crawler.stats.get_value("downloader/response_status_count/304", 0)
         if crawler.stats else 0}
    (out / store.SUMMARY).write_text(json.dumps(s, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return s


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    try:
        s = collect(args.sources, out, args)
    except SourcesError as e:
        print(f"collect: {e}", file=sys.stderr)
        return 2
    print(summary_text(s))
    if s["stopped"] != "finished":
        print("collect: stopped before the end; run the same command again to continue", file=sys.stderr)
        return 130 if s["stopped"] == "shutdown" else 1
    return 0
