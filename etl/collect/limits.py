"""Every bound of `etl collect`, declared once (printed in docs/reference/limits.md, generated from here, and in
each run's collection.json).

A hostile or broken site can hand the collector a listing with 100,000 links, a page of 95 MB, pagination
that branches without end, a tree of pages that grows as it is walked, a redirect loop or a server that
trickles a byte a second. Each of these ends at one of the bounds below with a coded reason
(etl.reasons), and the run goes on with the other sources. Real report columns stay far below them: a
column has under 30 listing pages of 15–50 entries, a report page is under 2 MB, a report file under 30 MB.

`etl collect --limit NAME=VALUE` overrides one bound for a run (tests shrink them this way).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

MB = 1024 * 1024


@dataclass(frozen=True)
class Politeness:
    """How hard a host is asked (the flags of `etl collect`)."""
    delay: float = 1.0  # seconds between two requests to one host, at least
    per_host: int = 1  # requests in flight per host
    concurrency: int = 8  # requests in flight in all
    timeout: float = 30.0  # seconds for one whole download (a trickling server ends here)
    retries: int = 2  # retries of a failed download


@dataclass(frozen=True)
class Limits:
    """How much one run may take, per source, per host and in all."""
    # per source (one SOURCES.csv row): the column's listing pages (counted across every branch of its
    # pagination, not along one chain) and the report pages its listings point at
    listing_pages_per_source: int = 200
    report_pages_per_source: int = 2000
    # per listing page: report entries and further listing pages followed from it (a page past this is a
    # link-heavy trap: the first ones are followed and the page is recorded)
    links_per_listing: int = 1000
    # per response: an HTML page (listing or report page) is parsed whole, so it is capped well below a file
    page_mb: float = 10.0
    file_mb: float = 100.0  # a report file (PDF, DOC …); `--max-mb`
    redirects: int = 5
    url_chars: int = 2048  # longer links, and links whose path repeats a segment 4 times, are traps
    # per host (name and port)
    requests_per_host: int = 10_000
    mb_per_host: float = 5_000.0
    # per run
    requests: int = 100_000
    mb: float = 20_000.0
    hours: float = 4.0  # wall time; an interrupted run resumes where it stopped
    memory_mb: int = 1024  # the collector's resident memory, checked every few seconds


POLITENESS = Politeness()
LIMITS = Limits()

# What each bound stops and the reason code it ends in (etl.reasons): the words of docs/reference/limits.md.
ABOUT: dict[str, str] = {
    "listing_pages_per_source": "listing pages of one SOURCES.csv row, counted across every branch of its "
                                "pagination (`too_many_listing_pages`: endless or growing pagination)",
    "report_pages_per_source": "report pages and files one source points at (`too_many_report_pages`)",
    "links_per_listing": "report entries and further pages followed from one listing page; more is a link-heavy "
                         "trap (`too_many_links`: the first ones are followed)",
    "page_mb": "one HTML page, on the wire and decompressed: it is parsed whole (`page_too_large`)",
    "file_mb": "one report file, also after decompression (`download_too_large`; `--max-mb`)",
    "redirects": "redirect hops; a loop ends in `redirect_loop`",
    "url_chars": "a link's length; a link that repeats one path segment 4 times is a trap too (`url_trap`)",
    "requests_per_host": "requests to one host name and port, robots.txt and retries included "
                         "(`host_request_limit`)",
    "mb_per_host": "MB downloaded from one host (`host_byte_limit`)",
    "requests": "requests of the whole run (`run_request_limit`)",
    "mb": "MB downloaded by the whole run (`run_byte_limit`)",
    "hours": "wall time of the run (`run_time_limit`); the next run resumes",
    "memory_mb": "the collector's resident memory, checked every 2 s (`run_memory_limit`)",
}


def as_dict(limits: Limits) -> dict[str, float | int]:
    return asdict(limits)


def override(limits: Limits, items: list[str]) -> Limits:
    """`limits` with NAME=VALUE overrides applied; ValueError names an unknown bound or a bad value."""
    types = {f.name: f.type for f in fields(Limits)}
    changes: dict[str, float | int] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in types:
            raise ValueError(f"--limit {item!r}: expected NAME=VALUE with NAME one of {', '.join(types)}")
        try:
            number = int(value) if types[name] in (int, "int") else float(value)
        except ValueError:
            raise ValueError(f"--limit {item!r}: {value!r} is not a number") from None
        if number <= 0:
            raise ValueError(f"--limit {item!r}: must be above 0")
        changes[name] = number
    return replace(limits, **changes)
