"""`python -m etl docs [--check]`: write docs/reference/*.md from the registries (etl/docsgen.py).

    python -m etl docs            # (re)write the generated reference pages
    python -m etl docs --check    # exit 1 listing the pages that differ from their registry (CI, tests)

A page no longer generated (a registry removed) counts as stale too, and is removed by a plain run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.docsgen import generate

DEFAULT_OUT = "docs/reference"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder of the generated pages (default {DEFAULT_OUT})")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 listing stale or missing pages")


def stale(out: Path, pages: dict[str, str]) -> list[str]:
    """The pages under `out` that differ from `pages` (missing, changed, or no longer generated)."""
    on_disk = {p.name for p in out.glob("*.md")} if out.is_dir() else set()
    bad = [n for n, text in pages.items() if not (out / n).is_file()
           or (out / n).read_text(encoding="utf-8") != text]
    return sorted(bad + [n for n in on_disk - set(pages)])


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    pages = generate()
    bad = stale(out, pages)
    if args.check:
        for name in bad:
            print(f"stale: {out / name}", file=sys.stderr)
        if bad:
            print("run `make docs` (python -m etl docs) and commit the result", file=sys.stderr)
        return 1 if bad else 0
    out.mkdir(parents=True, exist_ok=True)
    for name in bad:
        if name in pages:
            (out / name).write_text(pages[name], encoding="utf-8")
        else:
            (out / name).unlink()
    print(f"{out}: {len(bad)} of {len(pages)} pages rewritten" if bad else f"{out}: up to date")
    return 0
