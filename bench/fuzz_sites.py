"""`etl collect` against hostile websites on loopback (etl.sample.hostile_sites): per case, the time, the
collector's peak memory, the requests made and the outcome (how the run ended, the reasons recorded).

    .venv/bin/python bench/fuzz_sites.py [--cases huge,big,tree,loopback,loop,trickle] [--limit NAME=VALUE …]

The hostile site runs on 127.0.0.2 (allowed for the run, as an intranet would be); 127.0.0.1 plays an
internal server that must see no request. Default limits unless --limit is given.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.collect import store  # noqa: E402
from etl.sample.hostile_sites import serve_hostile  # noqa: E402


def cases(site: str, internal: str) -> dict[str, tuple[str, list[tuple[str, str]], list[str]]]:
    port = internal.rsplit(":", 1)[1]
    return {
        "huge": ("a listing of 100,000 report links (10.6 MB)", [("列表", f"{site}/listing/100000")], []),
        "huge-read": ("the same, read whole (page_mb=20)", [("列表", f"{site}/listing/100000")],
                      ["--limit", "page_mb=20"]),
        "big": ("six listing pages of 95 MB", [(f"大{i}", f"{site}/big/95?{i}") for i in range(6)], []),
        "tree": ("a tree of pages that grows as it is walked", [("树", f"{site}/tree/0/")], []),
        "loopback": ("redirects to an internal server (by address and by name)",
                     [("跳转", f"{site}/redirect?to={internal}/report/1.html"),
                      ("跳转名", f"{site}/redirect?to=http://localhost:{port}/report/2.html"),
                      ("本机", f"{internal}/report/3.html")], []),
        "loop": ("a redirect loop", [("循环", f"{site}/loop/a")], []),
        "trickle": ("a page sent one byte every half second", [("慢", f"{site}/trickle")], []),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="huge,huge-read,big,tree,loopback,loop,trickle")
    ap.add_argument("--limit", action="append", default=[])
    args = ap.parse_args()
    with serve_hostile("127.0.0.2") as site, serve_hostile("127.0.0.1") as internal, \
            tempfile.TemporaryDirectory() as tmp:
        table = cases(site.base, internal.base)
        for name in args.cases.split(","):
            what, rows, extra = table[name]
            src = Path(tmp) / f"{name}.csv"
            src.write_text("agency,url\n" + "".join(f"{a},{u}\n" for a, u in rows), encoding="utf-8")
            out = Path(tmp) / name
            n0, i0 = len(site.log), len(internal.log)
            t0 = time.monotonic()
            r = subprocess.run([sys.executable, "-m", "etl", "collect", str(src), "--out", str(out), "--quiet",
                                "--delay", "0", "--allow-network", "127.0.0.2/32", *extra,
                                *(x for lim in args.limit for x in ("--limit", lim))],
                               capture_output=True, text=True, timeout=3600, cwd=ROOT)
            seconds = time.monotonic() - t0
            try:
                s = json.loads((out / store.SUMMARY).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                print(f"{name:10s} {what}: no summary (exit {r.returncode}) {r.stderr[-500:]}")
                continue
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(s["failures"].items())) or "none"
            print(f"{name:10s} {what}\n           {seconds:6.1f} s, peak memory {s['peak_memory_mb']:.0f} MB, "
                  f"{len(site.log) - n0} requests to the site ({s['bytes'] / 2**20:.1f} MB), "
                  f"{len(internal.log) - i0} to the internal server; ended {s['state']} (exit {r.returncode}); "
                  f"files {s['files']}; reasons: {reasons}; sources lost {len(s['lost'])}/{s['sources']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
