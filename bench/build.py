"""Benchmark `etl build`: full builds with 1 and 2 workers, then a no-change rebuild, per engine.

    python bench/build.py [--corpus DIR | --reports N] [--engine local|dask] [--jobs 1,2] [--keep]

Each build runs as `python -m etl build … --quiet` in its own process, as a user runs it, so the figures
include start-up imports; CPU seconds are the whole process tree's (the build and every worker it waited
for). The machine may be shared: the load average is printed beside every timing. Without --corpus the
corpus is generated with `python -m etl sample --agencies N/5 --formats html,text` into a temp folder.

Targets (2 cores): 2 workers ≥ 1.8× one worker; a no-change rebuild < 5 % of a full build; a full build of
100k text/HTML reports < 10 min.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# `python -m etl` that also prints the CPU seconds of the build process itself (the single writer, the
# stages after parsing) apart from those of the workers it waited for
_MAIN = """import resource, runpy, sys
sys.argv = ["etl", *sys.argv[1:]]
try:
    runpy.run_module("etl", run_name="__main__")
finally:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"cpu-main {s.ru_utime + s.ru_stime:.3f} cpu-workers {c.ru_utime + c.ru_stime:.3f}")
"""


def run_build(corpus: Path, db: Path, jobs: int, engine: str, full: bool) -> tuple[float, str]:
    """(wall seconds, the build's last line) of one `etl build` in its own process."""
    cmd = [sys.executable, "-c", _MAIN, "build", str(corpus), "--db", str(db), "--jobs", str(jobs), "--quiet"]
    if engine != "local":
        cmd += ["--engine", engine]
    if full:
        cmd.append("--full")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    t = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=7200)
    wall = time.monotonic() - t
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return wall, proc.stdout


def cpu_children() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measured(corpus: Path, db: Path, jobs: int, engine: str, full: bool) -> tuple[float, float, str, str, str]:
    """(wall, CPU seconds of the whole tree, the load before, the build's output, main/worker CPU split)."""
    before_cpu, before_load = cpu_children(), load()
    wall, out = run_build(corpus, db, jobs, engine, full)
    cpu = cpu_children() - before_cpu
    split = next((ln.split() for ln in out.splitlines() if ln.startswith("cpu-main")), None)
    detail = f"main {float(split[1]):.1f} s + workers {float(split[3]):.1f} s" if split else ""
    return wall, cpu, before_load, out, detail


def count_reports(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000, help="about how many reports to generate (default 10000)")
    ap.add_argument("--formats", default="html,text", help="file kinds to generate (default html,text)")
    ap.add_argument("--corpus", type=Path, help="use this corpus instead of generating one (e.g. data/samples)")
    ap.add_argument("--engine", default="local", choices=("local", "dask"), help="parse engine (default local)")
    ap.add_argument("--jobs", default="1,2", help="worker counts to compare, comma-separated (default 1,2)")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        corpus = args.corpus
        if corpus is None:
            corpus = tmp / "corpus"
            t = time.monotonic()
            subprocess.run([sys.executable, "-m", "etl", "sample", "--out", str(corpus), "--agencies",
                            str(max(1, args.reports // 5)), "--formats", args.formats, "--workers", "2"],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            print(f"generated corpus in {time.monotonic() - t:.1f}s: {corpus}")
        corpus = corpus.resolve()
        print(f"engine {args.engine}, corpus {corpus}, {os.cpu_count()} CPUs, {load()}")
        fulls: dict[int, float] = {}
        for j in jobs:
            db = tmp / f"warehouse-{j}.duckdb"
            wall, cpu, ld, _, split = measured(corpus, db, j, args.engine, full=True)
            n = count_reports(db)
            fulls[j] = wall
            speedup = f", {fulls[jobs[0]] / wall:.2f}× {jobs[0]} worker(s)" if j != jobs[0] else ""
            print(f"full build, {j} worker(s): {wall:6.1f} s wall, {cpu:6.1f} s CPU ({split}), "
                  f"{n / wall:6.1f} reports/s ({n} reports{speedup}) [{ld}]", flush=True)
            wall2, cpu2, ld2, line, split2 = measured(corpus, db, j, args.engine, full=False)
            print(f"  no-change rebuild: {wall2:5.2f} s wall = {100 * wall2 / wall:4.1f} % of the full build, "
                  f"{cpu2:5.2f} s CPU ({split2}) [{ld2}]", flush=True)
            if "up to date" not in line:
                print(f"  (the rebuild was not a no-change one: {line})")
            size = db.stat().st_size
            print(f"  warehouse: {size / 1e6:.1f} MB, {size / max(n, 1) / 1024:.1f} KiB per report")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
