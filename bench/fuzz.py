"""Hostile input at scale and one case at a time; prints time, peak memory and outcome.

    .venv/bin/python bench/fuzz.py [--damaged 3000] [--good 200] [--jobs 2]
    .venv/bin/python bench/fuzz.py --hostile [--sessions 4]

The first form builds over a large damaged corpus mixed with good files (files, reasons, peak memory,
time). `--hostile` runs hostile documents one at a time, each in a process of its own (so its peak memory is
its own), and prints per case the time, the peak resident memory of the case's process tree, the outcome,
the requests a recording server on loopback received and the processes left behind:

  linked .doc     a Word 97 file whose pictures, fields, OLE object and template link to the loopback server
                  (etl.sample.hostile.linked_docx), converted by LibreOffice: no request may arrive
  linked .docx    the same links in a .docx, read by the DOCX reader: no request either
  slow .doc       a plain table LibreOffice converts for many seconds, with the converter's limit lowered to
                  3 s: a timeout, and no LibreOffice process left
  killed parse    the same file in `etl build --timeout 3`: the worker is killed mid-conversion, and
                  LibreOffice with it
  tall PNG        a 1 × 60,000,000-pixel image (the pixel cap) in an upload preview: the memory limit
  N previews      N sessions previewing such images at once (dashboard.previews): at most SLOTS at a time,
                  all of them within the previews' memory budget, none left
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from etl.sample.damaged import write_damaged, write_good  # noqa: E402
from etl.warehouse.build import build  # noqa: E402

CASES = ("linked .doc", "linked .docx", "slow .doc", "killed parse", "tall PNG", "previews")


def damaged(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        t0 = time.monotonic()
        bad = write_damaged(src / "bad", args.damaged, seed=args.seed)
        good = write_good(src / "good", args.good, seed=args.seed)
        print(f"corpus: {len(bad)} damaged + {len(good)} good files in {time.monotonic() - t0:.1f}s")
        t0 = time.monotonic()
        info = build([src], Path(tmp) / "wh.duckdb", jobs=args.jobs, progress=False)
        seconds = time.monotonic() - t0
        with duckdb.connect(str(Path(tmp) / "wh.duckdb"), read_only=True) as con:
            loaded = {p for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}
            codes = collections.Counter(c for (c,) in con.execute("SELECT code FROM ingest_errors").fetchall())
    print(f"build: {seconds:.1f}s, {info['n_reports']} reports, {info['n_errors']} unreadable, "
          f"{info['n_skipped']} skipped; good files loaded: {len({str(p) for p in good} & loaded)}/{len(good)}")
    for code, n in codes.most_common():
        print(f"  {code:16s} {n}")
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: build process {self_mb:.0f} MB, largest worker {child_mb:.0f} MB")
    return 0


# --- hostile documents, one case a process ------------------------------------------------------------


def _tree_rss_mb(root: int) -> int:
    """Resident MB of `root` and its descendants."""
    parent = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent[int(p)] = int(Path(f"/proc/{p}/stat").read_text().rsplit(") ", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        kids = [p for p, pp in parent.items() if pp in frontier and p not in tree]
        tree.update(kids)
        frontier = kids
    total = 0
    for p in tree:
        with contextlib.suppress(OSError, StopIteration):
            status = Path(f"/proc/{p}/status").read_text().splitlines()
            total += int(next(ln for ln in status if ln.startswith("VmRSS")).split()[1])
    return total // 1024


class _Peak:
    """The peak resident memory of this process and everything it starts, sampled every 50 ms."""

    def __init__(self) -> None:
        self.mb, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.mb = max(self.mb, _tree_rss_mb(os.getpid()))
            time.sleep(0.05)

    def __enter__(self) -> _Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _left(text: str, within: float = 5) -> int:
    """Live processes whose command line holds `text`, after up to `within` seconds for them to go."""
    deadline = time.monotonic() + within
    while True:
        n = 0
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == os.getpid():
                continue
            try:
                cmd = Path(f"/proc/{p}/cmdline").read_bytes()
                state = Path(f"/proc/{p}/stat").read_text().rsplit(") ", 1)[1][:1]
            except OSError:
                continue
            n += text.encode() in cmd and state != "Z"
        if n == 0 or time.monotonic() >= deadline:
            return n
        time.sleep(0.1)


def _save_as_doc(docx: bytes, tmp: Path) -> bytes:
    from etl.readers.convert import PROFILE_XCU, program

    (tmp / "profile" / "user").mkdir(parents=True, exist_ok=True)
    (tmp / "profile" / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    (tmp / "in.docx").write_bytes(docx)
    subprocess.run([program(), "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                    "--convert-to", "doc", "--outdir", str(tmp), str(tmp / "in.docx")],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(tmp)})
    return (tmp / "in.doc").read_bytes()


def _outcome(fn) -> str:
    from etl.document import ReadError

    try:
        return fn()
    except ReadError as e:
        return f"refused: {e.code} ({e.detail})"


def run_case(name: str, sessions: int) -> dict:
    """One case in this process: what it printed as outcome, and its figures."""
    import etl.readers.convert as convert
    from etl.parse import parse_file
    from etl.sample.hostile import RequestRecorder, linked_docx, slow_docx, tall_png

    server = RequestRecorder()
    url = server.url
    extra = ""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp_s:
        tmp = Path(tmp_s)
        os.environ["TMPDIR"] = tempfile.tempdir = str(tmp)  # conversion folders here: their processes are named
        docx = linked_docx(url, str(tmp / "outside"))
        if name == "linked .doc":
            data = _save_as_doc(docx, tmp / "make")
            server.seen.clear()
            with _Peak() as peak:
                t0 = time.monotonic()
                outcome = _outcome(lambda: f"converted to {len(convert.to_docx(data, '.doc')):,} bytes")
        elif name == "linked .docx":
            (tmp / "linked.docx").write_bytes(docx)
            with _Peak() as peak:
                t0 = time.monotonic()
                outcome = _outcome(lambda: f"read: {len(parse_file(tmp / 'linked.docx').cells)} cells")
        elif name in ("slow .doc", "killed parse"):
            data = _save_as_doc(slow_docx(500), tmp / "make")
            with _Peak() as peak:
                t0 = time.monotonic()
                if name == "slow .doc":
                    convert.MAX_CONVERT_SECONDS = 3
                    outcome = _outcome(lambda: f"converted to {len(convert.to_docx(data, '.doc')):,} bytes")
                else:
                    (tmp / "src").mkdir()
                    (tmp / "src" / "slow.doc").write_bytes(data)
                    subprocess.run([sys.executable, "-m", "etl", "build", str(tmp / "src"), "--db",
                                    str(tmp / "wh.duckdb"), "--jobs", "1", "--timeout", "3", "--quiet"],
                                   cwd=ROOT, capture_output=True, timeout=600)
                    with duckdb.connect(str(tmp / "wh.duckdb"), read_only=True) as con:
                        outcome = "ingest error: " + ", ".join(c for (c,) in con.execute(
                            "SELECT code FROM ingest_errors").fetchall())
        else:
            from dashboard import previews

            n = 1 if name == "tall PNG" else sessions
            results: list[dict] = []
            most = [0]

            def session(i: int) -> None:
                def tick(place: int) -> None:
                    most[0] = max(most[0], previews.LINE.running())

                results.extend(previews.preview([(f"scan{i}.png", tall_png(60_000_000 - i))], tick))

            with _Peak() as peak:
                t0 = time.monotonic()
                threads = [threading.Thread(target=session, args=(i,)) for i in range(n)]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()
            outcome = ", ".join(sorted(f"{r['code']}" for r in results))
            extra = (f"; at most {max(most[0], 1)} of {n} at once (SLOTS {previews.SLOTS}), budget "
                     f"{previews.MEMORY_MB} MB" if n > 1 else "")
        seconds = time.monotonic() - t0
        left = _left(str(tmp)) + _left("etl.warehouse.preview")
    server.shutdown()
    return {"case": name, "seconds": round(seconds, 1), "peak_mb": peak.mb, "outcome": outcome + extra,
            "requests": len(server.seen), "left": left}


def hostile(args: argparse.Namespace) -> int:
    if not Path("/proc").is_dir():
        print("--hostile needs /proc (Linux) to measure the processes")
        return 2
    from etl.readers.convert import program

    if program() is None:
        print("--hostile needs LibreOffice: apt-get install libreoffice-writer-nogui")
        return 2
    print(f"{'case':14s} {'time':>7s} {'peak':>8s} {'requests':>8s} {'left':>4s}  outcome")
    for name in CASES:
        proc = subprocess.run([sys.executable, __file__, "--case", name, "--sessions", str(args.sessions)],
                              capture_output=True, text=True, timeout=1800, cwd=ROOT)
        try:
            r = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            print(f"{name:14s} failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
            continue
        label = f"{args.sessions} previews" if name == "previews" else name
        print(f"{label:14s} {r['seconds']:6.1f}s {r['peak_mb']:5d} MB {r['requests']:8d} {r['left']:4d}  "
              f"{r['outcome']}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--damaged", type=int, default=3000)
    ap.add_argument("--good", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hostile", action="store_true", help="hostile documents one at a time (see above)")
    ap.add_argument("--sessions", type=int, default=4, help="concurrent upload previews (--hostile)")
    ap.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)  # one case, in a process of its own
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.sessions)))
        return 0
    return hostile(args) if args.hostile else damaged(args)


if __name__ == "__main__":
    raise SystemExit(main())
