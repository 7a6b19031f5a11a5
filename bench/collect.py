"""`etl collect` against the generated fake agency websites on loopback: pages per second at the default
politeness (one request at a time per host, 1 s apart) and unthrottled, and the cost of a re-run when
nothing changed (requests made, bytes sent back, seconds).

    python bench/collect.py [--agencies 30] [--delays 1,0]
    python bench/collect.py --listing [--links 1000,8000,100000]

The sites have one agency column per 3 agencies on a host (etl.sample.sites), so at the default delay the
run takes about (requests per host) seconds: politeness, not the crawler, sets the pace. The sites are on
loopback, which the collector fetches only when allowed (--allow-network 127.0.0.0/8 here).

--listing times the listing reader (etl.collect.pages.read_listing) on generated listings of N report
links, flat (every link in one <div>, dates after the links) and in rows (<li>): the reading must grow
linearly (it was quadratic: 8,000 flat links took 44 s on the 2-core machine, 84 s reported in issue 26).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.sample.corpus import generate  # noqa: E402
from etl.sample.site_server import serve  # noqa: E402
from etl.sample.sites import write_sites  # noqa: E402


def run(sources: Path, out: Path, delay: float) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "etl", "collect", str(sources), "--out", str(out), "--delay",
                        str(delay), "--quiet", "--allow-network", "127.0.0.0/8"], capture_output=True, text=True,
                       timeout=3600)
    if r.returncode != 0:
        raise SystemExit(f"collect failed: {r.stderr[-2000:]}")
    return time.perf_counter() - t0


def listing(links: list[int]) -> None:
    from etl.collect import pages
    from etl.sample.hostile_sites import listing_html

    title = "某局2023年政府信息公开工作年度报告"
    for n in links:
        flat = ("<html><body><div>" + "".join(f'<a href="/r/{i}.html">{title}{i}</a> 2024-01-02<br>'
                                              for i in range(n)) + "</div></body></html>")
        for style, html in (("flat", flat), ("rows", listing_html(n).decode())):
            t0 = time.perf_counter()
            doc = pages.parse(html)
            t1 = time.perf_counter()
            got = pages.read_listing(doc, "http://h.test/col/", limit=n)
            t2 = time.perf_counter()
            assert got.report_links == n and len(got.entries) == n
            print(f"{n:7d} links {style:4s} ({len(html) / 2**20:5.1f} MB): parse {t1 - t0:5.2f} s, "
                  f"read_listing {t2 - t1:5.2f} s ({(t2 - t1) / n * 1e6:.0f} µs a link)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=30)
    ap.add_argument("--delays", default="1,0", help="seconds between requests to one host, comma-separated")
    ap.add_argument("--listing", action="store_true", help="time the listing reader only")
    ap.add_argument("--links", default="1000,2000,4000,8000,100000")
    args = ap.parse_args()
    if args.listing:
        listing([int(n) for n in args.links.split(",")])
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        generate(base / "corpus", agencies=args.agencies, years=list(range(2021, 2025)), seed=3,
                 kinds=["html", "pdf", "docx"], workers=2)
        write_sites(base / "corpus", base / "sites")
        with serve(base / "sites") as served:
            sources = served.write_sources(base / "SOURCES.csv")
            print(f"{args.agencies} agencies on {len(served.bases)} hosts")
            for delay in (float(d) for d in args.delays.split(",")):
                out = base / f"out-{delay:g}"
                n0 = len(served.log)
                secs = run(sources, out, delay)
                first = served.log[n0:]
                n1 = len(served.log)
                again = run(sources, out, delay)
                second = served.log[n1:]
                st = collections.Counter(x.status for x in second)
                print(f"delay {delay:g} s: first run {len(first)} requests in {secs:.1f} s "
                      f"({len(first) / secs:.1f} requests/s); no-change re-run {len(second)} requests in "
                      f"{again:.1f} s ({st[304]} answered 304 Not Modified, {st[200]} sent in full)")


if __name__ == "__main__":
    main()
