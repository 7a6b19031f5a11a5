"""`python -m etl build SRC… [--db data/warehouse.duckdb] [--jobs N] [--full]`

Finds report files under SRC, parses the new or changed ones in parallel (unchanged files, by sha256, reuse
their rows from the previous warehouse), runs the checks and writes the marts. The new warehouse is written
beside the old one under a temporary name and swapped in with os.replace at the very end: a crash or a
kill leaves the previous warehouse complete, and readers keep querying it while a build runs.

ETL_BUILD_PAUSE="stage:seconds[,stage:seconds]" sleeps at named stages (parsed, loaded, checked, replace);
the atomicity tests use it to kill a build at chosen points.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from tqdm import tqdm

import etl
from etl.warehouse import derive, load, marts, reference, schema
from etl.warehouse.agencies import Resolver

REPORT_EXTENSIONS = {".txt", ".html", ".htm", ".shtml", ".pdf", ".docx", ""}
DEFAULT_DB = "data/warehouse.duckdb"
_ETL_DIR = Path(__file__).resolve().parents[1]
# Source that decides what a file parses to: a change re-parses everything.
_PARSER_SOURCES = ("readers", "extract", "parse.py", "values.py", "formats.py", "model.py", "document.py",
                   "warehouse/load.py")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", nargs="+", help="report files or folders (searched recursively)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel parsers (default: CPU count)")
    p.add_argument("--full", action="store_true", help="re-parse every file, ignoring the previous warehouse")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def discover(srcs: list[Path]) -> list[Path]:
    """Report files under the sources: known extensions or none; never *.json/*.csv/*.md or hidden files."""
    out: list[Path] = []
    for src in srcs:
        if src.is_file():
            out.append(src)
            continue
        for root, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                p = Path(root) / f
                if not f.startswith(".") and p.suffix.lower() in REPORT_EXTENSIONS:
                    out.append(p)
    return out


def parser_version() -> str:
    h = hashlib.sha256()
    for name in _PARSER_SOURCES:
        p = _ETL_DIR / name
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            if f.is_file():
                h.update(f.relative_to(_ETL_DIR).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


_T0 = [time.monotonic()]


def code_version() -> str:
    """Hash of the checks' and the warehouse's source."""
    h = hashlib.sha256()
    for f in sorted([*(_ETL_DIR / "checks").rglob("*.py"), *(_ETL_DIR / "warehouse").rglob("*.py")]):
        h.update(f.relative_to(_ETL_DIR).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def pause(stage: str) -> None:
    """Test hook: sleep at a named stage when ETL_BUILD_PAUSE asks for it. ETL_BUILD_TIMING=1 prints the
    time spent since the previous stage."""
    if os.environ.get("ETL_BUILD_TIMING"):
        now = time.monotonic()
        print(f"build: {stage} +{now - _T0[0]:.2f}s", file=sys.stderr, flush=True)
        _T0[0] = now
    for item in filter(None, os.environ.get("ETL_BUILD_PAUSE", "").split(",")):
        name, _, secs = item.partition(":")
        if name == stage:
            print(f"build: pausing at {stage}", file=sys.stderr, flush=True)
            time.sleep(float(secs or 1))


# --- parsing in worker processes -------------------------------------------------------------------

_KNOWN: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str]) -> None:
    global _KNOWN
    _KNOWN = known


def parse_one(path: str) -> tuple:
    """("ok", path, sha, report_row, cells) | ("known", path, sha) | ("err", path, sha, reason)."""
    from etl.document import ReadError
    from etl.parse import parse_file

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return ("err", path, None, f"cannot read file: {e.strerror or e}")
    sha = load.sha256_file(data)
    if sha in _KNOWN:
        return ("known", path, sha)
    try:
        report = parse_file(path, data)
    except ReadError as e:
        return ("err", path, sha, str(e) or "unreadable")
    except Exception as e:  # a parser bug must not stop the build: record it with its type
        return ("err", path, sha, f"{type(e).__name__}: {e}".strip())
    if not report.cells and not report.chapters and not any(v is not None for v in report.narrative.values()):
        # a title at most: truncated, or not an annual report at all
        return ("err", path, sha, "nothing recognizable as an annual report (no tables, chapters or figures)"
                + (f"; parser notes: {'; '.join(p.message for p in report.problems[:2])}" if report.problems else ""))
    row, cells = load.report_rows(report, sha, path)
    return ("ok", path, sha, row, cells)


# --- the previous warehouse ------------------------------------------------------------------------


@dataclass
class Previous:
    path: Path
    reports: dict[str, str]  # sha -> source_path of reusable reports
    errors: dict[str, str]  # sha -> path of files that failed last time
    info: dict  # its build_info row


def previous(db: Path, pversion: str) -> Previous | None:
    """What the previous warehouse can lend, or None when it is absent, unreadable or built differently."""
    if not db.is_file():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            cur = con.execute("SELECT * FROM build_info")
            row = cur.fetchone()
            info = dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None
            if info is None or info.get("schema_version") != schema.SCHEMA_VERSION \
                    or info.get("parser_version") != pversion:
                return None
            reports = dict(con.execute("SELECT sha256, source_path FROM reports").fetchall())
            errors = dict(con.execute("SELECT sha256, path FROM ingest_errors WHERE sha256 IS NOT NULL").fetchall())
    except duckdb.Error as e:
        print(f"build: previous warehouse not reusable ({type(e).__name__}); building in full", file=sys.stderr)
        return None
    return Previous(db, reports, errors, info)


def copy_reused(con: duckdb.DuckDBPyConnection, prev: Previous, reused: dict[str, str]) -> None:
    """Copy the rows of unchanged files (sha -> current path) from the previous warehouse."""
    import pandas as pd

    if not reused:
        return
    con.register("reused_df", pd.DataFrame({"sha256": list(reused), "path": list(reused.values())}))
    con.execute("CREATE TEMP TABLE reused AS SELECT * FROM reused_df")
    con.unregister("reused_df")
    con.execute("ATTACH ? AS prev (READ_ONLY)", [str(prev.path)])
    cols = [c for c in load.REPORT_COLUMNS if c not in ("source_path", "source_dir")]
    con.execute(f"""INSERT INTO reports ({', '.join(cols)}, source_path, source_dir)
                    SELECT {', '.join('r.' + c for c in cols)}, u.path, regexp_replace(u.path, '/[^/]*$', '')
                    FROM prev.reports r JOIN reused u USING (sha256)""")
    cell_cols = ", ".join(load.CELL_COLUMNS)
    con.execute(f"""INSERT INTO cells ({cell_cols}) SELECT {', '.join('c.' + c for c in load.CELL_COLUMNS)}
                    FROM prev.cells c
                    WHERE c.report_id IN (SELECT r.report_id FROM prev.reports r JOIN reused u USING (sha256))""")
    con.execute("""INSERT INTO ingest_errors SELECT u.path, e.sha256, e.reason, e.seen_at
                   FROM (SELECT DISTINCT ON (sha256) * FROM prev.ingest_errors WHERE sha256 IS NOT NULL) e
                   JOIN reused u USING (sha256)""")
    con.execute("DETACH prev")


# --- the build -------------------------------------------------------------------------------------


def temp_path(db: Path) -> Path:
    return db.with_name(f"{db.name}.tmp-{os.getpid()}")


def remove_stale_temps(db: Path, keep: Path | None = None) -> None:
    """Temp files of builds that were killed: nothing else writes them."""
    for p in db.parent.glob(f"{db.name}.tmp-*"):
        if keep is None or not p.name.startswith(keep.name):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def reference_files(srcs: list[Path]) -> list[Path]:
    return [reference.REFERENCE_DIR / "agencies.csv"] + [s / "agencies.csv" for s in srcs if s.is_dir()]


def build(srcs: list[Path], db: Path, jobs: int = 1, full: bool = False, progress: bool = True) -> dict:
    """Build the warehouse at `db` from `srcs`. Returns the build_info figures."""
    t0 = _T0[0] = time.monotonic()
    db = db.resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(db)
    files = [f.resolve() for f in discover(srcs)]  # absolute: a report keeps its path whatever the cwd
    pversion = parser_version()
    prev = None if full else previous(db, pversion)
    known = frozenset(prev.reports) | frozenset(prev.errors) if prev else frozenset()
    ref_paths = reference_files(srcs)
    ref_version, cversion = reference.fingerprint(ref_paths), code_version()
    resolver = Resolver(reference.agency_rows(ref_paths))

    tmp = temp_path(db)
    con = duckdb.connect(str(tmp))
    try:
        schema.create(con)
        batch = load.Batch(con)
        seen: set[str] = set()
        reused: dict[str, str] = {}
        n_parsed = 0
        results = _parse_all([str(f) for f in files], known, jobs)
        for res in tqdm(results, total=len(files), desc="parse", unit="file", file=sys.stderr,
                        disable=not progress, mininterval=1.0):
            status, path, sha = res[0], res[1], res[2]
            if sha is not None and sha in seen:
                continue  # an identical copy of a file already loaded: one report
            if sha is not None:
                seen.add(sha)
            if status == "known":
                reused[sha] = path
            elif status == "ok":
                n_parsed += 1
                batch.add_report(res[3], res[4])
            else:
                n_parsed += 1
                batch.add_error(path, sha, res[3])
        batch.flush()
        pause("parsed")
        if prev is not None and n_parsed == 0 and unchanged(prev, reused, ref_version, cversion):
            # same files at the same paths, same code and reference data: the previous warehouse stands
            con.close()
            _remove(tmp)
            return {**prev.info, "n_parsed": 0, "n_reused": len(reused), "unchanged": True,
                    "seconds": round(time.monotonic() - t0, 3)}
        if prev is not None:
            copy_reused(con, prev, reused)
        pause("reused")
        finish(con, resolver)
        n_reports, n_errors = con.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM ingest_errors)").fetchone()
        info = {"built_at": dt.datetime.now().replace(microsecond=0), "n_files": len(files),
                "n_reports": n_reports, "n_errors": n_errors, "version": etl_version(),
                "schema_version": schema.SCHEMA_VERSION, "parser_version": pversion,
                "reference_version": ref_version, "code_version": cversion, "n_parsed": n_parsed,
                "n_reused": len(reused), "seconds": round(time.monotonic() - t0, 3)}
        con.execute(f"INSERT INTO build_info ({', '.join(info)}) VALUES ({', '.join('?' * len(info))})",
                    list(info.values()))
        con.execute("CHECKPOINT")
        con.close()
        pause("replace")
        # a WAL left by the old file would be replayed into the new one: it must go first
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(db) + ".wal")
        os.replace(tmp, db)
    except BaseException:
        con.close()
        _remove(tmp)
        raise
    return info


def unchanged(prev: Previous, reused: dict[str, str], ref_version: str, cversion: str) -> bool:
    if prev.info.get("reference_version") != ref_version or prev.info.get("code_version") != cversion:
        return False
    return reused == {**prev.errors, **prev.reports}


def _remove(tmp: Path) -> None:
    for p in (tmp, Path(str(tmp) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def finish(con: duckdb.DuckDBPyConnection, resolver: Resolver) -> None:
    """Everything after loading rows: agencies, active reports, deadlines, checks, marts."""
    from etl.checks import run_all

    derive.run(con, resolver)
    pause("loaded")
    run_all(con)
    pause("checks")
    marts.build(con)
    pause("checked")


def _parse_all(paths: list[str], known: frozenset[str], jobs: int):
    if jobs <= 1 or len(paths) < 8:
        _init_worker(known)
        yield from map(parse_one, paths)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(known,), maxtasksperchild=2000) as pool:
        yield from pool.imap_unordered(parse_one, paths, chunksize=max(1, min(32, len(paths) // (jobs * 8))))


def etl_version() -> str:
    return getattr(etl, "__version__", None) or _package_version()


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("disclosure-reports")
    except PackageNotFoundError:
        return "0+unknown"


def run(args: argparse.Namespace) -> int:
    srcs = [Path(s) for s in args.src]
    missing = [s for s in srcs if not s.exists()]
    if missing:
        print(f"build: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    info = build(srcs, Path(args.db), jobs=max(1, args.jobs), full=args.full, progress=not args.quiet)
    with duckdb.connect(str(Path(args.db)), read_only=True) as con:
        n_fail, n_unc = con.execute("SELECT count(*) FILTER (WHERE status = 'fail'), "
                                    "count(*) FILTER (WHERE status = 'uncertain') FROM findings").fetchone()
    if info.get("unchanged"):
        print(f"{args.db} is up to date: {info['n_reused']} files unchanged, nothing to rebuild "
              f"({info['seconds']:.1f}s)")
        return 0
    print(f"built {args.db}: {info['n_reports']} reports ({info['n_parsed']} parsed, {info['n_reused']} reused), "
          f"{info['n_errors']} unreadable files, {n_fail} failed checks, {n_unc} uncertain, "
          f"{info['seconds']:.1f}s")
    return 0
