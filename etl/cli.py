"""`python -m etl COMMAND …`: parse, build, export, sample, collect, settings, review, override, docs.

Each command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "parse": ("etl.commands.parse", "parse report files and print them (or JSON lines)"),
    "build": ("etl.warehouse.build", "build or update the DuckDB warehouse from report folders"),
    "export": ("etl.warehouse.export", "export the warehouse as Parquet (by year) or CSV"),
    "sample": ("etl.sample.cli", "generate a sample corpus of reports with ground truth"),
    "collect": ("etl.collect.command", "collect reports from agency websites listed in a SOURCES.csv"),
    "settings": ("etl.settings", "list every setting (environment variable, default, help) and limit"),
    "review": ("etl.commands.review", "mark findings confirmed, dismissed or notified; list them and the log"),
    "override": ("etl.commands.override", "correct a report's date, an agency's place/level/kind or a cell"),
    "docs": ("etl.commands.docs", "write docs/reference/*.md from the registries (--check: list stale pages)"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    # Only the chosen command's module is imported: `etl parse` must not pay for pandas or duckdb.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    modules = {}
    for name, (modname, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if name != chosen:
            continue
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name and modname.startswith(e.name):
                ap.error(f"command {name!r} is not installed in this checkout")
            raise
        modules[name] = mod
        mod.add_arguments(p)
    args = ap.parse_args(argv)
    try:
        return int(modules[args.command].run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
