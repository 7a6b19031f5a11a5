"""`python -m etl.warehouse.preview [--max-memory-mb MB] FILE…`: what a build would make of each file, one JSON
line per file.

The dashboard's upload page runs this as a subprocess (dashboard.previews, which bounds how many run and
their memory), so a hostile upload costs a bounded worker of another process (etl.warehouse.workers'
limits), never the server's memory or time. Started with PARENT_ENV set to the server's pid, it dies with
the thread that started it (a parent-death signal), so a server killed outright leaves no preview behind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys

from etl import settings
from etl.reasons import wording
from etl.warehouse.files import Found, display
from etl.warehouse.workers import DEFAULT_LIMITS, Limits, parse_files

PARENT_ENV = settings.setting("preview_parent").env  # set by dashboard.previews


def summarize(res: tuple) -> dict:
    status, path, sha = res[0], res[1], res[2]
    if status == "err":
        zh, en = wording(res[3], res[4])
        return {"path": path, "sha256": sha, "ok": False, "code": res[3], "reason": en, "reason_zh": zh}
    row, cells = res[3], res[4]
    return {"path": path, "sha256": sha, "ok": True, "agency": row["agency_name"], "year": row["year"],
            "template": row["template"], "n_cells": len(cells), "problems": json.loads(row["problems"]),
            "missing": json.loads(row["missing"])}


def _die_with_parent() -> None:
    """SIGKILL when the thread that started this process ends; gone at once if it already has."""
    parent = settings.raw("preview_parent").strip()
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != int(parent):  # the parent died before the signal was set
        os._exit(1)


def main(argv: list[str]) -> int:
    from etl.readers import ocr_engine

    _die_with_parent()
    ocr_engine.STRICT_CAP = True  # previews share one memory budget (dashboard/previews.py)
    ap = argparse.ArgumentParser(prog="python -m etl.warehouse.preview")
    ap.add_argument("files", nargs="*")
    ap.add_argument("--max-memory-mb", type=int, default=DEFAULT_LIMITS.memory_mb,
                    help=f"memory limit of the parsing worker (default {DEFAULT_LIMITS.memory_mb})")
    args = ap.parse_args(argv)
    files = [Found(p, display(p)) for p in args.files]
    limits = Limits(memory_mb=args.max_memory_mb)
    for res in parse_files(files, frozenset(), jobs=1, limits=limits):
        print(json.dumps(summarize(res), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
