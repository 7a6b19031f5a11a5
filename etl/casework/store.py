"""The review store: a SQLite file beside the warehouse (`data/warehouse.duckdb` → `data/warehouse.review.sqlite`).

Why SQLite and not a second DuckDB file: the store is written a row at a time by several processes at once (the
app's sessions, the CLI, the build recording follow-up outcomes) while the app keeps reading it. DuckDB lets one
process hold a file for writing and no other open it meanwhile; SQLite's WAL mode lets readers and one writer at
a time work concurrently, waiting (busy_timeout) instead of failing, and it ships with Python. The build never
replaces this file (it swaps only the warehouse), and `make clean` (data/warehouse.duckdb*) leaves it alone.

Tables:
- marks: one row per finding an analyst marked (grain: finding_id): its state (etl.casework.states.STATES),
  reason (required to dismiss), note, who and when, what the finding was about (kept for when it leaves the
  warehouse), and the latest follow-up outcome the build found.
- overrides: one row per correction (grain: override_id): the target, the field, the value, why, who, when; a
  revoked or replaced one keeps its row with who revoked it and when.
- history: the append-only log of every change (marks, notes, follow-up outcomes, corrections, revocations,
  loads and rebuilds from the app), each with its user; triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from etl.casework import states as S

SUFFIX = ".review.sqlite"
BUSY_MS = 15_000

DDL = """
CREATE TABLE IF NOT EXISTS marks (
    finding_id  TEXT PRIMARY KEY,
    state       TEXT NOT NULL,          -- confirmed | dismissed | notified
    reason      TEXT,                   -- why dismissed (required then)
    note        TEXT,
    made_by     TEXT NOT NULL,
    made_at     TEXT NOT NULL,          -- ISO local time, seconds
    -- what the finding was about when marked (it may leave the warehouse later)
    rule        TEXT,
    status      TEXT,
    responsibility TEXT,
    report_id   TEXT,
    agency_id   TEXT,
    agency      TEXT,
    year        INTEGER,
    cells       TEXT,                   -- JSON list of cell addresses
    message     TEXT,
    message_en  TEXT,
    problem     TEXT,                   -- rule|agency|year|cells: the same problem in a republished report
    outcome     TEXT,                   -- open | rectified | withdrawn | gone (etl.casework.follow)
    outcome_at  TEXT
);
CREATE TABLE IF NOT EXISTS overrides (
    override_id INTEGER PRIMARY KEY AUTOINCREMENT,
    target      TEXT NOT NULL,          -- published_on | agency | cell
    field       TEXT NOT NULL,          -- published_on | province | city | county | level | kind | value
    report_id   TEXT,
    agency_id   TEXT,
    cell        TEXT,                   -- "t3.granted.total"
    value       TEXT NOT NULL,          -- normalized ('' = blank / unknown)
    reason      TEXT NOT NULL,
    made_by     TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    label       TEXT,                   -- the agency (and year) it concerns, as named when it was made
    revoked_by  TEXT,
    revoked_at  TEXT,
    revoke_reason TEXT,
    replaced_by INTEGER                 -- a later correction of the same field took its place
);
CREATE TABLE IF NOT EXISTS history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    action      TEXT NOT NULL,          -- etl.casework.states.ACTIONS
    finding_id  TEXT,
    override_id INTEGER,
    state       TEXT,                   -- the state or outcome set
    reason      TEXT,
    note        TEXT,
    detail      TEXT                    -- JSON: what else there is to say (value, target, files …)
);
CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
"""

SNAPSHOT_COLUMNS = ("rule", "status", "responsibility", "report_id", "agency_id", "agency", "year", "cells", "message",
                    "message_en", "problem")
# The same problem whatever report it is found in: the finding id without its report (etl.checks.common.insert
# hashes rule | report | agency | year | cells). SQL over a findings row.
PROBLEM_SQL = ("concat_ws('|', rule, coalesce(agency_id, ''), coalesce(CAST(year AS VARCHAR), ''), "
               "CAST(cells AS VARCHAR))")


class CaseworkError(ValueError):
    """A mark or correction that cannot be stored as asked; English message, `.zh` in Chinese."""

    def __init__(self, en: str, zh: str | None = None):
        super().__init__(en)
        self.zh = zh or en

    def words(self, lang: str) -> str:
        return self.zh if lang == "zh" else str(self)


def path_for(db: Path | str) -> Path:
    """The store beside a warehouse: data/warehouse.duckdb → data/warehouse.review.sqlite."""
    p = Path(db)
    return p.with_name(p.stem + SUFFIX)


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def os_user() -> str:
    """Who runs the command: the login name (a CLI change is logged with it unless --user says otherwise)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)

    @classmethod
    def beside(cls, db: Path | str) -> Store:
        return cls(path_for(db))

    def exists(self) -> bool:
        return self.path.is_file()

    def version(self) -> tuple[int, int] | None:
        """(mtime_ns, size) of the file and its WAL: changes whenever anything is written (for caches)."""
        out = []
        for p in (self.path, Path(str(self.path) + "-wal")):
            try:
                s = p.stat()
                out += [s.st_mtime_ns, s.st_size]
            except OSError:
                out += [0, 0]
        return None if out[:2] == [0, 0] else tuple(out)

    @contextlib.contextmanager
    def _con(self, write: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection in one transaction; None when reading a store that does not exist (reading never
        creates it)."""
        if not write and not self.exists():
            yield None
            return
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(str(self.path), timeout=BUSY_MS / 1000, isolation_level=None)
        try:
            con.row_factory = sqlite3.Row
            con.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            if write:
                con.execute("PRAGMA journal_mode = WAL")
                con.executescript(DDL)
                con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                if write:
                    con.execute("ROLLBACK")
                raise
            if write:
                con.execute("COMMIT")
        finally:
            con.close()

    def _rows(self, sql: str, params: Iterable = ()) -> list[dict]:
        with self._con(False) as con:
            if con is None:
                return []
            try:
                return [dict(r) for r in con.execute(sql, list(params)).fetchall()]
            except sqlite3.OperationalError as e:  # a store created by a program that never wrote this table
                if "no such table" in str(e):
                    return []
                raise

    # --- the log ------------------------------------------------------------------------------------

    @staticmethod
    def _log(con: sqlite3.Connection, user: str, action: str, *, finding_id: str | None = None,
             override_id: int | None = None, state: str | None = None, reason: str | None = None,
             note: str | None = None, detail: dict | None = None, at: str | None = None) -> None:
        if action not in S.ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        con.execute("INSERT INTO history (at, user, action, finding_id, override_id, state, reason, note, detail) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [at or now(), user, action, finding_id, override_id, state, reason, note,
                     json.dumps(detail, ensure_ascii=False) if detail else None])

    def log(self, action: str, user: str, detail: dict | None = None) -> None:
        """Record a change made elsewhere (a load or rebuild from the app) with its user."""
        with self._con(True) as con:
            self._log(con, _user(user), action, detail=detail)

    def history(self, limit: int | None = None, finding_id: str | None = None,
                override_id: int | None = None) -> list[dict]:
        where, params = [], []
        if finding_id is not None:
            where.append("finding_id = ?")
            params.append(finding_id)
        if override_id is not None:
            where.append("override_id = ?")
            params.append(override_id)
        sql = "SELECT * FROM history" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._rows(sql, params)

    # --- review marks -------------------------------------------------------------------------------

    def mark(self, findings: list[dict], state: str, user: str, reason: str | None = None,
             note: str | None = None) -> int:
        """Mark findings (each a dict with finding_id and the SNAPSHOT_COLUMNS, see snapshot()) with a state.
        A dismissal needs a reason. A note given replaces the finding's note (the log keeps every one).
        Returns how many were marked."""
        if state not in S.STATES:
            raise CaseworkError(f"unknown state {state!r}: one of {', '.join(S.STATES)}",
                                f"审核状态“{state}”无法识别，应为{'、'.join(z for z, _ in S.STATES.values())}")
        reason = (reason or "").strip() or None
        note = (note or "").strip() or None
        if state == "dismissed" and not reason:
            raise CaseworkError("a dismissal needs a reason", "排除须说明理由")
        user = _user(user)
        at = now()
        with self._con(True) as con:
            for f in findings:
                fid = f["finding_id"]
                old = con.execute("SELECT note FROM marks WHERE finding_id = ?", [fid]).fetchone()
                snap = {c: f.get(c) for c in SNAPSHOT_COLUMNS}
                if isinstance(snap["cells"], list):
                    snap["cells"] = json.dumps(snap["cells"], ensure_ascii=False)
                kept_note = note if note is not None else (old["note"] if old else None)
                con.execute(f"""INSERT INTO marks (finding_id, state, reason, note, made_by, made_at,
                                                  {', '.join(SNAPSHOT_COLUMNS)}, outcome, outcome_at)
                               VALUES (?, ?, ?, ?, ?, ?, {', '.join('?' * len(SNAPSHOT_COLUMNS))}, 'open', ?)
                               ON CONFLICT (finding_id) DO UPDATE SET state = excluded.state,
                                   reason = excluded.reason, note = excluded.note, made_by = excluded.made_by,
                                   made_at = excluded.made_at""",
                            [fid, state, reason, kept_note, user, at, *snap.values(), at])
                self._log(con, user, "mark", finding_id=fid, state=state, reason=reason, note=note, at=at)
        return len(findings)

    def note(self, finding_id: str, note: str, user: str) -> None:
        """Replace a marked finding's note (the log keeps the earlier ones)."""
        with self._con(True) as con:
            if con.execute("UPDATE marks SET note = ? WHERE finding_id = ?", [note.strip() or None,
                                                                             finding_id]).rowcount == 0:
                raise CaseworkError(f"finding {finding_id} has not been marked; mark it first",
                                    f"问题 {finding_id} 尚未审核标记，请先标记")
            self._log(con, _user(user), "note", finding_id=finding_id, note=note.strip() or None)

    def marks(self, states: Iterable[str] | None = None) -> list[dict]:
        rows = self._rows("SELECT * FROM marks ORDER BY made_at DESC, finding_id")
        if states is not None:
            wanted = set(states)
            rows = [r for r in rows if r["state"] in wanted]
        return rows

    def states(self) -> dict[str, str]:
        """finding_id -> state of every marked finding."""
        return {r["finding_id"]: r["state"] for r in self._rows("SELECT finding_id, state FROM marks")}

    def dismissed(self) -> list[str]:
        return [r["finding_id"] for r in self._rows("SELECT finding_id FROM marks WHERE state = 'dismissed'")]

    def set_outcomes(self, outcomes: dict[str, str], user: str) -> int:
        """Record the follow-up outcome of marked findings; a change is logged. Returns how many changed."""
        for o in outcomes.values():
            if o not in S.OUTCOMES:
                raise ValueError(f"unknown outcome {o!r}")
        changed = 0
        at = now()
        with self._con(True) as con:
            old = {r["finding_id"]: r["outcome"] for r in con.execute("SELECT finding_id, outcome FROM marks")}
            for fid, outcome in outcomes.items():
                if fid not in old or old[fid] == outcome:
                    continue
                con.execute("UPDATE marks SET outcome = ?, outcome_at = ? WHERE finding_id = ?", [outcome, at, fid])
                self._log(con, _user(user), "follow_up", finding_id=fid, state=outcome, at=at,
                          detail={"before": old[fid]})
                changed += 1
        return changed

    # --- corrections --------------------------------------------------------------------------------

    def add_override(self, target: str, field: str, value: str, reason: str, user: str, *,
                     report_id: str | None = None, agency_id: str | None = None, cell: str | None = None,
                     label: str | None = None) -> int:
        """Store one correction (already validated: etl.casework.corrections.check). A correction of the same
        field of the same report, cell or agency in force before is replaced (kept, with replaced_by)."""
        reason = (reason or "").strip()
        if not reason:
            raise CaseworkError("a correction needs a reason", "人工更正须说明理由")
        user = _user(user)
        at = now()
        with self._con(True) as con:
            cur = con.execute("""INSERT INTO overrides (target, field, report_id, agency_id, cell, value, reason,
                                                        made_by, made_at, label)
                                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                              [target, field, report_id, agency_id, cell, value, reason, user, at, label])
            new = int(cur.lastrowid)
            con.execute("""UPDATE overrides SET replaced_by = ?, revoked_by = ?, revoked_at = ?
                           WHERE override_id <> ? AND revoked_at IS NULL AND target = ? AND field = ?
                             AND report_id IS ? AND agency_id IS ? AND cell IS ?""",
                        [new, user, at, new, target, field, report_id, agency_id, cell])
            self._log(con, user, "override", override_id=new, reason=reason, at=at,
                      detail={"target": target, "field": field, "value": value, "report_id": report_id,
                              "agency_id": agency_id, "cell": cell})
        return new

    def revoke_override(self, override_id: int, user: str, reason: str = "") -> None:
        user = _user(user)
        at = now()
        with self._con(True) as con:
            n = con.execute("UPDATE overrides SET revoked_by = ?, revoked_at = ?, revoke_reason = ? "
                            "WHERE override_id = ? AND revoked_at IS NULL",
                            [user, at, reason.strip() or None, int(override_id)]).rowcount
            if n == 0:
                raise CaseworkError(f"no correction #{override_id} in force", f"没有生效中的第 {override_id} 号更正")
            self._log(con, user, "revoke", override_id=int(override_id), reason=reason.strip() or None, at=at)

    def overrides(self, active_only: bool = True) -> list[dict]:
        where = " WHERE revoked_at IS NULL" if active_only else ""
        return self._rows(f"SELECT * FROM overrides{where} ORDER BY override_id")

    def overrides_fingerprint(self) -> str:
        """A short hash of the corrections in force ('' when there are none): a build whose corrections
        changed is not 'up to date' even when no file did."""
        rows = self.overrides()
        if not rows:
            return ""
        h = hashlib.sha256()
        for r in rows:
            h.update(json.dumps([r["override_id"], r["target"], r["field"], r["report_id"], r["agency_id"], r["cell"],
                                 r["value"]], ensure_ascii=False).encode())
        return h.hexdigest()[:12]


def _user(user: str | None) -> str:
    u = (user or "").strip()
    if not u:
        raise CaseworkError("every change needs its user", "每项更改都须记录操作人")
    return u[:80]
