"""`python -m etl build [SRC…] [--drop SRC] [--db data/warehouse.duckdb] [--jobs N] [--full]`

The warehouse remembers the sources it was built from (build_info.sources): named sources are added to
them, none rebuilds from them, and a source leaves only when dropped by name, so loading one more folder
never loses the others. Files under the sources are found by etl.warehouse.files (what is passed over is
recorded in `skipped`), the new or changed ones parsed by an engine (etl.warehouse.engines: the local pool of
bounded worker processes, or a Dask cluster whose tasks write Parquet parts into the build's work folder;
unchanged files, by sha256, reuse their rows from the previous warehouse) and loaded by this one process,
then the checks and the marts run.

One build at a time holds the lock beside the warehouse (etl.warehouse.lock). The new warehouse is written
beside the old one under a temporary name and swapped in with os.replace at the very end: a crash or a kill
leaves the previous warehouse complete, and readers keep querying it while a build runs.

ETL_BUILD_PAUSE="stage:seconds[,stage:seconds]" sleeps at named stages (locked, parsed, loaded, checked,
replace; `parsing`: in the workers, before each file); the atomicity, locking and orphan-process tests use it
to stop a build at chosen points.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from tqdm import tqdm

import etl
from etl import settings
from etl.assess import rules as assess_rules
from etl.casework import follow, overrides
from etl.checks.categories import ACCUSATION
from etl.reasons import wording
from etl.warehouse import (
    deadlines,
    derive,
    engines,
    expected,
    load,
    marts,
    parts,
    provenance,
    reference,
    schema,
    summary,
)
from etl.warehouse.agencies import Resolver
from etl.warehouse.dask_engine import SchedulerError
from etl.warehouse.expected import Expected
from etl.warehouse.files import Skipped, discover
from etl.warehouse.lock import Busy, build_lock
from etl.warehouse.reference import ReferenceDataError
from etl.warehouse.workers import DEFAULT_LIMITS, Limits

DEFAULT_DB = "data/warehouse.duckdb"
_ETL_DIR = Path(__file__).resolve().parents[1]
# Source that decides what a file parses to: a change re-parses everything.
# (Every etl module the readers and the extractor import; tests/test_parser_sources.py keeps the list whole.)
_PARSER_SOURCES = ("readers", "extract", "parse.py", "values.py", "formats.py", "model.py", "document.py",
                   "completeness.py", "reasons.py", "identities.py", "filekinds.py", "datelabels.py",
                   "problems.py", "reading_gaps.py", "checks/labels.py", "warehouse/load.py",
                   "warehouse/workers.py")
# Failures that depend on the limits or the machine, not the file: retried by every build.
_RETRIED = ("timeout", "memory", "crashed")


class SourceError(Exception):
    """The sources asked for cannot be built from (none, missing, or a drop of an unknown one)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", nargs="*", help="report files or folders (searched recursively), added to the "
                   "sources the warehouse remembers; none: rebuild from the remembered sources")
    p.add_argument("--drop", action="append", default=[], metavar="SRC",
                   help="stop building from a remembered source: its reports leave the warehouse")
    p.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="parallel parsers (default: CPU count); with --engine dask, the local cluster's workers")
    p.add_argument("--engine", choices=engines.ENGINES, default=engines.DEFAULT_ENGINE,
                   help="where files are parsed: local (a process pool, the default) or dask (a Dask cluster)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="with --engine dask: the cluster's scheduler (contacted only when given; without it "
                        "a local cluster on 127.0.0.1 is started)")
    p.add_argument("--full", action="store_true", help="re-parse every file, ignoring the previous warehouse")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--summary-json", action="store_true",
                   help="print the summary as one JSON line (counts and reason codes, no paths)")
    p.add_argument("--wait", type=float, default=600, metavar="SECONDS",
                   help="how long to wait for another build of the same warehouse (default 600)")
    p.add_argument("--timeout", type=float, default=DEFAULT_LIMITS.seconds, metavar="SECONDS",
                   help=f"time limit per file (default {DEFAULT_LIMITS.seconds:g})")
    p.add_argument("--ocr-timeout", type=float, default=DEFAULT_LIMITS.ocr_seconds, metavar="SECONDS",
                   help="time limit per PDF or image file, which may need OCR at seconds a page "
                        f"(default {DEFAULT_LIMITS.ocr_seconds:g})")
    p.add_argument("--max-memory-mb", type=int, default=DEFAULT_LIMITS.memory_mb, metavar="MB",
                   help=f"memory limit per parsing process (default {DEFAULT_LIMITS.memory_mb})")
    p.add_argument("--max-file-mb", type=int, default=DEFAULT_LIMITS.file_mb, metavar="MB",
                   help=f"largest file read (default {DEFAULT_LIMITS.file_mb})")


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
    """Hash of the checks', the warehouse's and the corrections' source."""
    h = hashlib.sha256()
    for f in sorted([*(_ETL_DIR / "checks").rglob("*.py"), *(_ETL_DIR / "warehouse").rglob("*.py"),
                     *(_ETL_DIR / "casework").rglob("*.py")]):
        h.update(f.relative_to(_ETL_DIR).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def pause(stage: str) -> None:
    """Test hook: sleep at a named stage when ETL_BUILD_PAUSE asks for it. ETL_BUILD_TIMING=1 prints the
    time spent since the previous stage."""
    if settings.value("build_timing"):
        now = time.monotonic()
        print(f"build: {stage} +{now - _T0[0]:.2f}s", file=sys.stderr, flush=True)
        _T0[0] = now
    for item in filter(None, settings.raw("build_pause").split(",")):
        name, _, secs = item.partition(":")
        if name == stage:
            print(f"build: pausing at {stage}", file=sys.stderr, flush=True)
            time.sleep(float(secs or 1))


# --- the previous warehouse ------------------------------------------------------------------------


@dataclass
class Previous:
    path: Path
    reports: dict[str, str]  # sha -> source_path of reusable reports
    errors: dict[str, str]  # sha -> path of files that failed last time for a reason of their own
    info: dict  # its build_info row


def _info(con: duckdb.DuckDBPyConnection) -> dict | None:
    cur = con.execute("SELECT * FROM build_info")
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def previous(db: Path, pversion: str) -> Previous | None:
    """What the previous warehouse can lend, or None when it is absent, unreadable or built differently."""
    if not db.is_file():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            info = _info(con)
            if info is None or info.get("schema_version") != schema.SCHEMA_VERSION \
                    or info.get("parser_version") != pversion:
                return None
            reports = dict(con.execute("SELECT sha256, source_path FROM reports").fetchall())
            errors = dict(con.execute(
                "SELECT sha256, path FROM ingest_errors WHERE sha256 IS NOT NULL AND code NOT IN (?, ?, ?)",
                list(_RETRIED)).fetchall())
    except duckdb.Error as e:
        print(f"build: previous warehouse not reusable ({type(e).__name__}); building in full", file=sys.stderr)
        return None
    return Previous(db, reports, errors, info)


@dataclass
class Remembered:
    sources: list[str]  # what the previous build was built from ([] when there is none)
    paths: dict[str, str]  # source_path -> sha256 of its reports, for the added/replaced/dropped summary


def remembered(db: Path) -> Remembered:
    """The previous warehouse's sources and reports, whatever its versions."""
    if not db.is_file():
        return Remembered([], {})
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            paths = dict(con.execute("SELECT source_path, sha256 FROM reports").fetchall())
            info = _info(con) or {}
            if info.get("sources"):
                return Remembered(list(json.loads(info["sources"])), paths)
            # built before sources were remembered: the smallest set of folders holding its files
            dirs = sorted({os.path.dirname(p) for p in paths} | {os.path.dirname(p) for (p,) in con.execute(
                "SELECT path FROM ingest_errors WHERE path IS NOT NULL").fetchall()})
    except (duckdb.Error, ValueError) as e:
        raise SourceError(f"cannot read the sources of {db} ({type(e).__name__}); name the sources to build "
                          f"from, or move the file away") from None
    kept: list[str] = []
    for d in dirs:
        if not any(d == k or d.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
            kept.append(d)
    return Remembered(kept, paths)


def resolve_sources(before: list[str], add: list[Path], drop: list[Path]) -> list[str]:
    """The sources of this build: the remembered ones less the dropped, plus the named ones."""
    dropping = [os.path.abspath(d) for d in drop]
    unknown = [d for d in dropping if d not in before]
    if unknown:
        listed = "\n  ".join(before) or "(none)"
        raise SourceError(f"not a source of this warehouse: {', '.join(unknown)}; its sources are:\n  {listed}")
    out = [s for s in before if s not in dropping]
    for a in add:
        p = os.path.abspath(a)
        if p not in out:
            out.append(p)
    if not out:
        raise SourceError("no sources: name the report folders or files to build from")
    gone = [s for s in out if not os.path.exists(s)]
    if gone:
        raise SourceError("; ".join(f"source {g} no longer exists: restore it, or stop building from it with "
                                    f"--drop {g}" for g in gone))
    return out


def copy_reused(con: duckdb.DuckDBPyConnection, prev: Previous, reused: dict[str, str]) -> None:
    """Copy the rows of unchanged files (sha -> current path) from the previous warehouse."""
    import pyarrow as pa

    if not reused:
        return
    con.register("reused_df", pa.table({"sha256": pa.array(list(reused), pa.string()),
                                        "path": pa.array(list(reused.values()), pa.string())}))
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
    con.execute("""INSERT INTO chapter_texts SELECT c.* FROM prev.chapter_texts c
                   WHERE c.report_id IN (SELECT r.report_id FROM prev.reports r JOIN reused u USING (sha256))""")
    con.execute("""INSERT INTO ingest_errors SELECT u.path, e.sha256, e.code, e.reason, e.reason_zh, e.seen_at
                   FROM (SELECT DISTINCT ON (sha256) * FROM prev.ingest_errors WHERE sha256 IS NOT NULL) e
                   JOIN reused u USING (sha256)""")
    con.execute("DETACH prev")


# --- the build -------------------------------------------------------------------------------------


def temp_path(db: Path) -> Path:
    # unique per build, so no build can touch another's file even without the lock
    return db.with_name(f"{db.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def remove_stale_temps(db: Path) -> None:
    """Temp files of builds that died (the warehouse, its WAL and DuckDB's spill folder `….tmp`): called with
    the lock held, when no other build can be writing."""
    for p in db.parent.glob(f"{db.name}.tmp-*"):
        _remove_path(p)


def _remove_path(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def reference_files(srcs: list[Path]) -> list[Path]:
    return [reference.REFERENCE_DIR / "agencies.csv"] + [s / "agencies.csv" for s in srcs if s.is_dir()]


def build(srcs: list[Path] | None, db: Path, jobs: int = 1, full: bool = False, progress: bool = True,
          drop: list[Path] | tuple = (), limits: Limits = DEFAULT_LIMITS, wait: float = 600.0,
          engine: str = engines.DEFAULT_ENGINE, scheduler: str | None = None) -> dict:
    """Build the warehouse at `db` from its remembered sources plus `srcs`, less `drop`, parsing on `engine`
    (etl.warehouse.engines). Returns the build_info figures plus `errors` and `skipped` counts by reason code."""
    db = Path(os.path.abspath(db))
    db.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db, wait=wait):
        pause("locked")
        info = _build(list(srcs or []), db, jobs, full, progress, list(drop), limits, engine, scheduler)
        # the review marks beside the warehouse: each marked finding still open, rectified, withdrawn or gone
        try:
            info["follow_up"] = follow.reconcile(db)
        except sqlite3.Error as e:  # the new warehouse stands; the outcomes are recorded by the next build
            print(f"build: review store {follow.Store.beside(db).path} not updated ({e})", file=sys.stderr)
            info["follow_up"] = {}
        return info


def _build(srcs: list[Path], db: Path, jobs: int, full: bool, progress: bool, drop: list[Path],
           limits: Limits, engine: str = engines.DEFAULT_ENGINE, scheduler: str | None = None) -> dict:
    t0 = _T0[0] = time.monotonic()
    remove_stale_temps(db)
    parts.remove_stale(db)
    before = remembered(db)
    sources = resolve_sources(before.sources, srcs, drop)
    found, skipped = discover([Path(s) for s in sources])
    pversion = parser_version()
    prev = None if full else previous(db, pversion)
    known = frozenset(prev.reports) | frozenset(prev.errors) if prev else frozenset()
    ref_paths = reference_files([Path(s) for s in sources])
    # a bad list stops the build here, before anything is replaced (ExpectedListError names file and line)
    expected_list = expected.read([Path(s) for s in sources])
    deadline_rules = deadlines.rules([Path(s) for s in sources])  # likewise a bad deadlines.csv
    assessment = assess_rules.table([Path(s) for s in sources])  # likewise a bad assessment.csv
    ref_version = reference.fingerprint(ref_paths + expected.files([Path(s) for s in sources])
                                        + deadlines.files([Path(s) for s in sources])
                                        + [assess_rules.file_for([Path(s) for s in sources])]
                                        + provenance.fingerprint_files([Path(s) for s in sources]))
    # corrections in force (the review store beside the warehouse): a change in them is a change of input
    corrections = overrides.in_force(db)
    if corrections:
        ref_version += "+" + overrides.fingerprint(db)
    cversion = code_version()
    resolver = Resolver(reference.agency_rows(ref_paths) + provenance.reference_rows([Path(s) for s in sources])
                        + [r for e in expected_list if (r := e.reference_row())], deadline_rules=deadline_rules)

    tmp = temp_path(db)
    con = duckdb.connect(str(tmp))
    work: Path | None = None
    try:
        work = parts.work_dir(db, tmp.name.rpartition(".tmp-")[2])
        schema.create(con)
        batch = load.Batch(con)
        loader = parts.Loader(con)
        first: dict[str, str] = {}  # sha -> the path loaded for it
        reused: dict[str, str] = {}
        errors: collections.Counter[str] = collections.Counter()
        n_parsed = 0
        results = engines.parse_files(engine, found, known, jobs, limits, work, scheduler)
        for res in tqdm(results, total=len(found), desc="parse", unit="file", file=sys.stderr,
                        disable=not progress, mininterval=1.0):
            status, path, sha = res[0], res[1], res[2]
            if sha is not None and sha in first:
                skipped.append(Skipped(path, "duplicate", f"same content as {first[sha]}"))
                if status == "part":
                    parts.discard(res[3])
                continue
            if sha is not None:
                first[sha] = path
            if status == "known":
                reused[sha] = path
            elif status == "arrow":
                n_parsed += 1
                loader.add_bytes(res[3])
            elif status == "part":
                n_parsed += 1
                loader.add(res[3])
            elif status == "ok":
                n_parsed += 1
                batch.add_report(res[3], res[4])
            else:
                n_parsed += 1
                errors[res[3]] += 1
                batch.add_error(path, sha, res[3], res[4])
        loader.flush()
        batch.flush()
        pause("parsed")
        if prev is not None and n_parsed == 0 and unchanged(prev, reused, ref_version, cversion) \
                and json.loads(prev.info.get("sources") or "[]") == sources \
                and prev.info.get("n_skipped") == len(skipped):
            # same sources, files and paths, same code and reference data: the previous warehouse stands
            con.close()
            _remove(tmp)
            return {**prev.info, "n_parsed": 0, "n_reused": len(reused), "unchanged": True, "n_added": 0,
                    "n_replaced": 0, "n_dropped": 0, "seconds": round(time.monotonic() - t0, 3),
                    "errors": errors, "skipped": collections.Counter(s.code for s in skipped)}
        _add_skipped(con, skipped)
        if prev is not None:
            copy_reused(con, prev, reused)
            overrides.restore_printed(con, prev.path)  # the copied rows as printed, before corrections apply
            for code, in con.execute("SELECT code FROM ingest_errors WHERE path IN "
                                     "(SELECT path FROM reused)").fetchall():
                errors[code] += 1
        pause("reused")
        provenance.apply(con, [Path(s) for s in sources])
        finish(con, resolver, expected_list, deadline_rules, assessment, corrections)
        provenance.deadlines(con)
        n_reports, n_errors = con.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM ingest_errors)").fetchone()
        change = _change(before.paths, dict(con.execute("SELECT source_path, sha256 FROM reports").fetchall()))
        info = {"built_at": dt.datetime.now().replace(microsecond=0), "n_files": len(found),
                "n_reports": n_reports, "n_errors": n_errors, "version": etl_version(),
                "schema_version": schema.SCHEMA_VERSION, "parser_version": pversion,
                "reference_version": ref_version, "code_version": cversion, "n_parsed": n_parsed,
                "n_reused": len(reused), "seconds": round(time.monotonic() - t0, 3),
                "sources": json.dumps(sources, ensure_ascii=False), **change, "n_skipped": len(skipped)}
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
        with contextlib.suppress(Exception):  # a full disk can fail the close too: the temp file goes anyway
            con.close()
        _remove(tmp)
        raise
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return {**info, "errors": errors, "skipped": collections.Counter(s.code for s in skipped)}


def _add_skipped(con: duckdb.DuckDBPyConnection, skipped: list[Skipped]) -> None:
    rows = []
    for s in skipped:
        zh, en = wording(s.code, s.detail)
        rows.append((s.display, s.code, en, zh))
    # many rows a statement: executemany costs a statement per row (0.2 s for 359 files)
    for i in range(0, len(rows), 500):
        chunk = rows[i:i + 500]
        con.execute("INSERT INTO skipped VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
                    [v for r in chunk for v in r])


def _change(old: dict[str, str], new: dict[str, str]) -> dict[str, int]:
    """Reports added, replaced (same path, new content) and dropped against the previous build. A file that
    only moved, or an identical copy loaded in place of another, is neither added nor dropped."""
    replaced = {p for p in old.keys() & new.keys() if old[p] != new[p]}
    old_shas = {s for p, s in old.items() if p not in replaced}
    new_shas = {s for p, s in new.items() if p not in replaced}
    return {"n_added": len(new_shas - old_shas), "n_replaced": len(replaced), "n_dropped": len(old_shas - new_shas)}


def unchanged(prev: Previous, reused: dict[str, str], ref_version: str, cversion: str) -> bool:
    if prev.info.get("reference_version") != ref_version or prev.info.get("code_version") != cversion:
        return False
    return reused == {**prev.errors, **prev.reports}


def _remove(tmp: Path) -> None:
    for p in (tmp, Path(str(tmp) + ".wal"), Path(str(tmp) + ".tmp")):
        _remove_path(p)


def finish(con: duckdb.DuckDBPyConnection, resolver: Resolver, expected_list: Sequence[Expected] = (),
           deadline_rules: list[deadlines.Rule] | None = None, assessment: assess_rules.Table | None = None,
           corrections: Sequence[dict] = ()) -> None:
    """Everything after loading rows. The stages: load (done by the caller: reports, cells) → derive
    (agencies, the 应报名单, active reports, deadlines) → checks (findings) → marts (the dashboard's tables).
    `assessment`: the 考评 rules (the defaults when None), kept in the warehouse; its 雷同 threshold is the
    similarity rule's. `corrections` (etl.casework.overrides) apply to dates and cells before derive, to
    agencies after it."""
    from etl import checks  # imported here: a no-change rebuild never runs them (nor imports pandas)

    assessment = assessment or assess_rules.table()
    schema.cluster(con)  # the cells in report order: a report's cells are then one row group away
    applied = overrides.apply_to_reports(con, corrections)
    derive.run(con, resolver, expected_list, deadline_rules)
    overrides.apply_to_agencies(con, applied, deadline_rules)
    pause("loaded")  # stage names are the test hooks' (ETL_BUILD_PAUSE), kept as they were
    con.execute("DELETE FROM assessment_rules")
    con.register("assessment_df", assessment.frame().assign(source=assessment.source))
    con.execute("INSERT INTO assessment_rules SELECT * FROM assessment_df")
    con.unregister("assessment_df")
    checks.run_all(con, assessment.similarity_threshold)  # the checks stage's one entry point
    pause("checks")
    marts.build(con)
    pause("checked")


def etl_version() -> str:
    return getattr(etl, "__version__", None) or _package_version()


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("disclosure-reports")
    except PackageNotFoundError:
        return "0+unknown"


def write_failure(e: BaseException, db: Path) -> str | None:
    """One line for a build that could not write its warehouse (a full disk, a read-only or forbidden
    folder): what happened, what was kept, what to do. None for any other error (a bug: its traceback
    is wanted)."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    code = getattr(e, "errno", None)
    kept = (f"the warehouse {db} is unchanged" if db.is_file() else f"no warehouse was written at {db}")
    if code in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in text or "quota exceeded" in text:
        return (f"build: the disk holding {db.parent} is full (no space left on device); {kept} and the "
                f"unfinished copy was removed; free some space (or build with --db on another disk) and run "
                f"the build again")
    if isinstance(e, FileExistsError | NotADirectoryError):  # a file where the warehouse's folder should be
        return f"build: {e.filename or db.parent} is a file, not a folder; {kept}; build with --db in a folder"
    if isinstance(e, OSError):
        where = e.filename or db.parent
        return (f"build: cannot write {where} ({e.strerror or type(e).__name__}); {kept}; make the folder "
                f"writable for this user, or build with --db in a folder you can write")
    if isinstance(e, duckdb.IOException | duckdb.FatalException):  # DuckDB's own file errors
        return (f"build: could not write the new warehouse ({text}); {kept}; check the disk and the folder "
                f"{db.parent}, then run the build again")
    return None


def run(args: argparse.Namespace) -> int:
    missing = [s for s in args.src if not os.path.lexists(s)]
    if missing:
        print(f"build: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("build: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    limits = Limits(seconds=args.timeout, memory_mb=args.max_memory_mb, file_mb=args.max_file_mb,
                    ocr_seconds=args.ocr_timeout)
    try:
        info = build([Path(s) for s in args.src], Path(args.db), jobs=max(1, args.jobs), full=args.full,
                     progress=not args.quiet, drop=[Path(d) for d in args.drop], limits=limits, wait=args.wait,
                     engine=args.engine, scheduler=args.scheduler)
    except (SourceError, Busy, ReferenceDataError, SchedulerError) as e:  # the 应报名单, agencies.csv, …
        print(f"build: {e}", file=sys.stderr)
        return 2
    except (OSError, duckdb.Error) as e:
        message = write_failure(e, Path(os.path.abspath(args.db)))
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    with duckdb.connect(str(Path(args.db)), read_only=True) as con:
        n_fail, n_unc = con.execute(f"SELECT count(*) FILTER (WHERE {ACCUSATION}), "
                                    "count(*) FILTER (WHERE status = 'uncertain') FROM findings").fetchone()
    sources = json.loads(info.get("sources") or "[]")
    result = summary.facts(info, len(sources), n_fail, n_unc)
    if args.summary_json:  # for the dashboard, which words it in the reader's language (no paths)
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"sources ({len(sources)}): " + ", ".join(sources))
    print(f"warehouse: {args.db}")
    print("\n".join(summary.lines(result, "en")[1:]))
    fu = info.get("follow_up") or {}
    if fu:
        print("review follow-up: " + ", ".join(f"{fu[k]} {k}" for k in ("open", "rectified", "withdrawn", "gone")
                                                if fu.get(k)) + f" ({fu.get('changed', 0)} changed)")
    return 0
