"""`python -m etl.warehouse.preview FILE…`: what a build would make of each file, one JSON line per file.

The dashboard's upload page runs this as a subprocess, so a hostile upload costs a bounded worker of
another process (etl.warehouse.workers' limits), never the server's memory or time.
"""

from __future__ import annotations

import json
import sys

from etl.reasons import wording
from etl.warehouse.files import Found, display
from etl.warehouse.workers import parse_files


def summarize(res: tuple) -> dict:
    status, path, sha = res[0], res[1], res[2]
    if status == "err":
        zh, en = wording(res[3], res[4])
        return {"path": path, "sha256": sha, "ok": False, "code": res[3], "reason": en, "reason_zh": zh}
    row, cells = res[3], res[4]
    return {"path": path, "sha256": sha, "ok": True, "agency": row["agency_name"], "year": row["year"],
            "template": row["template"], "n_cells": len(cells), "problems": json.loads(row["problems"]),
            "missing": json.loads(row["missing"])}


def main(argv: list[str]) -> int:
    files = [Found(p, display(p)) for p in argv]
    for res in parse_files(files, frozenset(), jobs=1):
        print(json.dumps(summarize(res), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
