"""The build applies the corrections in force in the review store (etl.casework.store) on every build.

Order (etl.warehouse.build.finish): publication dates and cells are set right after loading, before anything
reads them (the active report, deadlines, lateness, the checks and the marts all see the corrected values, so
a corrected misread cell makes its arithmetic finding disappear); an agency's place, level and kind after the
agencies are derived, then the deadlines are worked out again from them. The `overrides` table of the warehouse
records each correction with what it replaced (the value as printed or derived) and whether it applied: a
correction whose report, cell or agency is not loaded waits, unapplied, for a build that has it.

A reused report's rows are copied from the previous warehouse with that warehouse's corrections in them, so
`restore_printed` first puts back what was printed there; a revoked correction then simply is not applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from etl import values as V
from etl.casework import states as S
from etl.casework.store import Store
from etl.warehouse import deadlines

RECORD_COLUMNS = ("override_id", "target", "field", "report_id", "agency_id", "cell", "value", "printed",
                  "printed_value", "printed_kind", "printed_from", "applied", "reason", "made_by", "made_at")


def in_force(db: Path | str) -> list[dict]:
    """The corrections in force in the store beside `db` ([] when there is no store)."""
    store = Store.beside(db)
    return store.overrides() if store.exists() else []


def fingerprint(db: Path | str) -> str:
    store = Store.beside(db)
    return store.overrides_fingerprint() if store.exists() else ""


def restore_printed(con: duckdb.DuckDBPyConnection, prev: Path) -> None:
    """Put back the printed values of the previous warehouse's corrections in the rows copied from it."""
    con.execute("ATTACH ? AS prev_corrections (READ_ONLY)", [str(prev)])
    try:
        has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'prev_corrections' "
                          "AND table_name = 'overrides'").fetchone()[0]
        if not has:  # built before corrections existed
            return
        con.execute("""UPDATE cells SET value = o.printed_value, kind = o.printed_kind
                       FROM prev_corrections.overrides o
                       WHERE o.applied AND o.target = 'cell' AND cells.report_id = o.report_id
                         AND cells.tbl || '.' || cells.row_key || '.' || cells.col_key = o.cell""")
        con.execute("""UPDATE reports SET published_on = TRY_CAST(o.printed AS DATE), published_from = o.printed_from
                       FROM prev_corrections.overrides o
                       WHERE o.applied AND o.target = 'published_on' AND reports.report_id = o.report_id""")
    finally:
        con.execute("DETACH prev_corrections")


def _record(o: dict) -> dict:
    return {c: o.get(c) for c in RECORD_COLUMNS} | {"printed": None, "printed_value": None, "printed_kind": None,
                                                   "printed_from": None, "applied": False}


def apply_to_reports(con: duckdb.DuckDBPyConnection, corrections: Sequence[dict]) -> list[dict]:
    """Set corrected publication dates and cell values; returns the records of every correction (the
    agency ones not yet applied)."""
    out = []
    for o in corrections:
        rec = _record(o)
        if o["target"] == "published_on":
            row = con.execute("SELECT CAST(published_on AS VARCHAR), published_from FROM reports WHERE report_id = ?",
                              [o["report_id"]]).fetchone()
            if row is not None:
                rec |= {"printed": row[0], "printed_from": row[1], "applied": True}
                con.execute("UPDATE reports SET published_on = CAST(? AS DATE), published_from = 'override' "
                            "WHERE report_id = ?", [o["value"], o["report_id"]])
        elif o["target"] == "cell":
            tbl, row_key, col_key = o["cell"].split(".")
            key = [o["report_id"], tbl, row_key, col_key]
            row = con.execute("SELECT raw, value, kind FROM cells WHERE report_id = ? AND tbl = ? AND row_key = ? "
                              "AND col_key = ?", key).fetchone()
            if row is not None:
                p = V.parse_cell(o["value"])
                rec |= {"printed": row[0], "printed_value": row[1], "printed_kind": row[2], "applied": True}
                con.execute("UPDATE cells SET value = ?, kind = ? WHERE report_id = ? AND tbl = ? AND row_key = ? "
                            "AND col_key = ?", [None if p.value is None else float(p.value), p.kind, *key])
        out.append(rec)
    return out


def apply_to_agencies(con: duckdb.DuckDBPyConnection, records: list[dict],
                      rules: list[deadlines.Rule] | None) -> None:
    """Set corrected agency fields (in `records`, from apply_to_reports), work the agencies' and the reports'
    deadlines out again when any applied, and write every record to the warehouse's overrides table."""
    changed = set()
    for rec in records:
        if rec["target"] != "agency":
            continue
        field = rec["field"]
        if field not in S.TARGET_FIELDS["agency"]:  # a column name reaches SQL: only the vocabulary's
            raise ValueError(f"not an agency field: {field!r}")
        row = con.execute(f"SELECT {field} FROM agencies WHERE agency_id = ?", [rec["agency_id"]]).fetchone()
        if row is None:
            continue
        rec |= {"printed": row[0], "applied": True}
        con.execute(f"UPDATE agencies SET {field} = nullif(?, '') WHERE agency_id = ?", [rec["value"], rec["agency_id"]])
        changed.add(rec["agency_id"])
    if changed:
        table = deadlines.rules() if rules is None else rules
        for aid, level, kind, prov, city in con.execute(
                "SELECT agency_id, level, kind, province, city FROM agencies WHERE list_contains(?, agency_id)",
                [sorted(changed)]).fetchall():
            rule = deadlines.current(table, level, kind, prov, city)
            con.execute("UPDATE agencies SET deadline_month = ?, deadline_day = ? WHERE agency_id = ?",
                        [rule.month if rule else None, rule.day if rule else None, aid])
        deadlines.apply(con, table)  # each report's deadline and lateness from the corrected level and kind
    if records:
        con.executemany(f"INSERT INTO overrides ({', '.join(RECORD_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(RECORD_COLUMNS))})",
                        [[r[c] for c in RECORD_COLUMNS] for r in records])
