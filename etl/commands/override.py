"""`python -m etl override list|set|import|export|revoke`: corrections of a report's publication date, an agency's
place, level and kind, or a misread cell, kept in the review store beside the warehouse and applied by every
build (the printed value is kept beside the applied one; see etl/casework/overrides.py).

    python -m etl override set --report ID --cell t3.granted.total --value 13 --reason "原表第 3 页印作 3，据附件更正"
    python -m etl override set --agency 样例某某局 --level 县级 --kind 部门 --reason "机构改革"
    python -m etl override import overrides.csv     # columns: etl/casework/corrections.py
    python -m etl override export > overrides.csv   # re-importable, with who and when
    python -m etl override revoke 3 --reason "误改"

A correction takes effect at the next `python -m etl build`. Every change is logged with the login name (or
--user).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from etl.casework import corrections as C
from etl.casework import states as S
from etl.casework.store import CaseworkError, Store, os_user

DEFAULT_DB = "data/warehouse.duckdb"


def add_arguments(p: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)  # --db before or after the action
    common.add_argument("--db", default=DEFAULT_DB,
                        help=f"warehouse file (default {DEFAULT_DB}); the store is beside it")
    p.add_argument("--db", default=DEFAULT_DB, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", parents=[common], help="corrections in force (with --all, also revoked and replaced ones)")
    ls.add_argument("--all", action="store_true")
    st = sub.add_parser("set", parents=[common], help="one correction (or one per agency field given)")
    st.add_argument("--report", default="", help="report id (or use --agency and --year)")
    st.add_argument("--agency", default="", help="agency id or exact name")
    st.add_argument("--year", type=int)
    st.add_argument("--cell", help="a cell address, e.g. t3.granted.total, with --value")
    st.add_argument("--value", help="the cell's value (a number, blank or /)")
    st.add_argument("--published-on", help="the report's publication date, e.g. 2024-01-20")
    for f in S.TARGET_FIELDS["agency"]:
        st.add_argument(f"--{f}", help=f"the agency's {S.FIELDS[f][1].lower()}")
    st.add_argument("--reason", required=True)
    st.add_argument("--user")
    im = sub.add_parser("import", parents=[common], help="corrections from a CSV file")
    im.add_argument("csv", type=Path)
    im.add_argument("--user")
    ex = sub.add_parser("export", parents=[common], help="the corrections as CSV (re-importable), to a file or stdout")
    ex.add_argument("out", nargs="?", type=Path)
    ex.add_argument("--all", action="store_true", help="also revoked and replaced ones")
    rv = sub.add_parser("revoke", parents=[common], help="revoke corrections by number")
    rv.add_argument("ids", nargs="+", type=int, metavar="N")
    rv.add_argument("--reason", default="")
    rv.add_argument("--user")


def _specs(args: argparse.Namespace, con: duckdb.DuckDBPyConnection) -> list[C.Correction]:
    out = []
    if args.cell is not None or args.value is not None:
        if args.cell is None or args.value is None:
            raise CaseworkError("--cell and --value go together", "--cell 与 --value 须同时给出")
        rid, aid, label = C.resolve(con, "cell", args.report, args.agency, args.year)
        out.append(C.Correction("cell", "value", C.check("cell", "value", args.value), args.reason, rid, aid,
                                C.check_cell(args.cell), label))
    if args.published_on is not None:
        rid, aid, label = C.resolve(con, "published_on", args.report, args.agency, args.year)
        out.append(C.Correction("published_on", "published_on", C.check("published_on", "published_on",
                                                                          args.published_on), args.reason, rid, aid,
                                label=label))
    fields = [f for f in S.TARGET_FIELDS["agency"] if getattr(args, f) is not None]
    if fields:
        _, aid, label = C.resolve(con, "agency", args.report, args.agency, args.year)
        out += [C.Correction("agency", f, C.check("agency", f, getattr(args, f)), args.reason, agency_id=aid,
                             label=label) for f in fields]
    if not out:
        raise CaseworkError("nothing to set: give --cell/--value, --published-on or an agency field",
                            "没有要更正的内容")
    return out


def _store_all(store: Store, specs: list[C.Correction], user: str) -> list[int]:
    return [store.add_override(c.target, c.field, c.value, c.reason, user, report_id=c.report_id,
                               agency_id=c.agency_id, cell=c.cell, label=c.label) for c in specs]


def run(args: argparse.Namespace) -> int:
    db = Path(args.db)
    store = Store.beside(db)
    try:
        if args.action == "list":
            rows = store.overrides(active_only=not args.all)
            for r in rows:
                what = r["cell"] or r["field"]
                state = "" if r["revoked_at"] is None else f"  (revoked {r['revoked_at']} by {r['revoked_by']})"
                print(f"#{r['override_id']:<4} {r['label'] or '—'}  {r['target']}:{what} = {r['value'] or '(blank)'}"
                      f"  by {r['made_by']} {r['made_at']}: {r['reason']}{state}")
            print(f"({len(rows)} corrections)", file=sys.stderr)
            return 0
        if args.action == "export":
            text = C.to_csv(store.overrides(active_only=not args.all))
            if args.out:
                args.out.write_text(text, encoding="utf-8-sig")
                print(f"wrote {args.out}", file=sys.stderr)
            else:
                sys.stdout.write(text)
            return 0
        if args.action == "revoke":
            for n in args.ids:
                store.revoke_override(n, args.user or os_user(), args.reason)
            print(f"revoked {len(args.ids)}; the next build puts the printed values back")
            return 0
        if not db.is_file():
            print(f"override: no warehouse at {db}; build one first (python -m etl build …)", file=sys.stderr)
            return 2
        with duckdb.connect(str(db), read_only=True) as con:
            if args.action == "set":
                specs = _specs(args, con)
            else:
                try:
                    data = args.csv.read_bytes()
                except OSError as e:
                    print(f"override: cannot read {args.csv}: {e.strerror}", file=sys.stderr)
                    return 2
                specs = C.read_csv(data, con, args.csv.name)
        ids = _store_all(store, specs, args.user or os_user())
        print(f"stored {len(ids)} correction(s) (#{', #'.join(map(str, ids))}) in {store.path}; they apply at the "
              f"next build (python -m etl build --db {db})")
    except CaseworkError as e:
        print(f"override: {e}", file=sys.stderr)
        return 2
    return 0
