"""`python -m etl review list|mark|note|history|follow-up|hash-password`: the review store beside the warehouse.

    python -m etl review list --accusations              # findings with their review state and follow-up
    python -m etl review mark 1a2b3c4d5e6f7a8b --state dismissed --reason "附件中已更正"
    python -m etl review list --marked --state dismissed  # the marks, also of findings no longer found
    python -m etl review history --limit 20

A change is logged with the login name (or --user). Marks are keyed by finding id (etl/checks/common.py), kept
in data/warehouse.review.sqlite beside data/warehouse.duckdb (etl/casework/store.py), and every build records
whether each marked finding is still open, rectified, withdrawn or gone (etl/casework/follow.py).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

import duckdb

from etl.casework import follow
from etl.casework import states as S
from etl.casework.passwords import make_hash
from etl.casework.store import CaseworkError, Store, os_user
from etl.checks.categories import accusation

DEFAULT_DB = "data/warehouse.duckdb"


def add_arguments(p: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)  # --db before or after the action
    common.add_argument("--db", default=DEFAULT_DB,
                        help=f"warehouse file (default {DEFAULT_DB}); the store is beside it")
    p.add_argument("--db", default=DEFAULT_DB, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", parents=[common], help="findings with their review state (or, with --marked, the marks)")
    ls.add_argument("--state", action="append", default=[], help="only this state (repeatable): "
                    + ", ".join(S.FILTER_STATES))
    ls.add_argument("--rule", action="append", default=[], help="only this rule (repeatable)")
    ls.add_argument("--year", type=int)
    ls.add_argument("--accusations", action="store_true", help="only certain failures of the report itself")
    ls.add_argument("--marked", action="store_true", help="the marks in the store, also of findings gone since")
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    mk = sub.add_parser("mark", parents=[common], help="mark findings confirmed, dismissed (with --reason) or notified")
    mk.add_argument("ids", nargs="+", metavar="ID")
    mk.add_argument("--state", required=True, help=", ".join(S.STATES) + " (or their Chinese words)")
    mk.add_argument("--reason", help="why (required to dismiss)")
    mk.add_argument("--note")
    mk.add_argument("--user", help="who (default: the login name)")
    nt = sub.add_parser("note", parents=[common], help="replace a marked finding's note")
    nt.add_argument("id", metavar="ID")
    nt.add_argument("--note", required=True)
    nt.add_argument("--user")
    hs = sub.add_parser("history", parents=[common], help="the log of every change, newest first")
    hs.add_argument("--limit", type=int, default=50)
    hs.add_argument("--json", action="store_true")
    sub.add_parser("follow-up", parents=[common], help="record each marked finding's outcome over the warehouse now (a build "
                                     "does this itself)")
    sub.add_parser("hash-password", parents=[common], help="print a hash of a password for DISCLOSURE_ADMIN_PASSWORD")


def _findings(db: Path, args: argparse.Namespace) -> list[dict]:
    where, params = ["TRUE"], []
    if args.rule:
        where.append("list_contains(?::VARCHAR[], fi.rule)")
        params.append(args.rule)
    if args.year is not None:
        where.append("fi.year = ?")
        params.append(args.year)
    if args.accusations:
        where.append(f"({accusation('fi')})")
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(f"""SELECT fi.finding_id, a.name AS agency, fi.year, fi.rule, fi.status, fi.responsibility,
                                     fi.message FROM findings fi LEFT JOIN agencies a USING (agency_id)
                              WHERE {' AND '.join(where)} ORDER BY fi.year DESC, agency, fi.rule""", params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _list(db: Path, store: Store, args: argparse.Namespace) -> int:
    wanted = set()
    for s in args.state:
        code = S.state_of(s)
        if code is None:
            print(f"review: unknown state {s!r}: one of {', '.join(S.FILTER_STATES)}", file=sys.stderr)
            return 2
        wanted.add(code)
    marks = {m["finding_id"]: m for m in store.marks()}
    if args.marked:
        rows = [m for m in marks.values() if not wanted or m["state"] in wanted]
    else:
        rows = []
        for f in _findings(db, args):
            m = marks.get(f["finding_id"])
            f["state"] = m["state"] if m else S.UNREVIEWED
            f["outcome"] = m["outcome"] if m else None
            if not wanted or f["state"] in wanted:
                rows.append(f)
    rows = rows[: max(0, args.limit)]
    for r in rows:
        if args.json:
            print(json.dumps(r, ensure_ascii=False, default=str))
        else:
            outcome = f" [{S.word(S.OUTCOMES, r['outcome'], 'en')}]" if r.get("outcome") else ""
            print(f"{r['finding_id']}  {S.word(S.FILTER_STATES, r['state'], 'en'):<12}{outcome}  {r.get('agency') or '—'}"
                  f" {r.get('year') or '—'} {r.get('rule')}: {r.get('message') or ''}")
    if not args.json:
        print(f"({len(rows)} shown)", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    db = Path(args.db)
    store = Store.beside(db)
    if args.action == "hash-password":
        if sys.stdin.isatty():
            pw = getpass.getpass("password: ")
            if getpass.getpass("again: ") != pw:
                print("review: the two passwords differ", file=sys.stderr)
                return 2
        else:
            pw = sys.stdin.readline().rstrip("\n")
        if not pw:
            print("review: an empty password", file=sys.stderr)
            return 2
        print(make_hash(pw))
        return 0
    if args.action == "history":
        for h in store.history(limit=args.limit):
            if args.json:
                print(json.dumps(h, ensure_ascii=False))
            else:
                what = h["finding_id"] or (f"#{h['override_id']}" if h["override_id"] else "")
                extra = " ".join(x for x in (h["state"], h["reason"], h["note"], h["detail"]) if x)
                print(f"{h['at']}  {h['user']:<12} {h['action']:<13} {what} {extra}".rstrip())
        return 0
    if not db.is_file():
        print(f"review: no warehouse at {db}; build one first (python -m etl build …)", file=sys.stderr)
        return 2
    if args.action == "list":
        return _list(db, store, args)
    if args.action == "follow-up":
        counts = follow.reconcile(db, os_user())
        print(", ".join(f"{v} {k}" for k, v in counts.items()) or "no marked findings")
        return 0
    try:
        if args.action == "mark":
            state = S.state_of(args.state)
            with duckdb.connect(str(db), read_only=True) as con:
                found = follow.snapshot(con, args.ids)
            missing = sorted(set(args.ids) - {f["finding_id"] for f in found})
            if missing:
                print(f"review: not findings of {db}: {', '.join(missing)} (python -m etl review list)",
                      file=sys.stderr)
                return 2
            n = store.mark(found, state or args.state, args.user or os_user(), args.reason, args.note)
            print(f"marked {n} finding(s) {state} in {store.path}")
        elif args.action == "note":
            store.note(args.id, args.note, args.user or os_user())
            print(f"noted {args.id}")
    except CaseworkError as e:
        print(f"review: {e}", file=sys.stderr)
        return 2
    return 0
