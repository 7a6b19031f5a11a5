"""The warehouse connection: read-only, cached per process, reopened when the build swaps the file.

The build writes a new file and moves it into place with os.replace, so a changed inode (or mtime) means a
new data version: connections and query results are keyed on it, and a rebuilt warehouse shows up on the
next rerun without restarting the server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import settings

ENV = settings.setting("db").env

Version = tuple[int, int, int]  # (inode, mtime_ns, size)


def db_path() -> Path:
    return Path(settings.raw("db"))


def version(path: Path | None = None) -> Version | None:
    """Identity of the file now in place, None when there is no warehouse."""
    try:
        s = (path or db_path()).stat()
    except OSError:
        return None
    return (s.st_ino, s.st_mtime_ns, s.st_size)


class Stale(Exception):
    """A query ran on the previous warehouse version while the new one waited: not to be cached."""


class Connections:
    """One read-only connection per warehouse path, replaced when the file's version changes — but only
    when no query is running on it.

    DuckDB keeps one database instance per path while any connection to it is open, so the old connection
    must be closed before connecting to the new file; closing it under another session's running query
    would break that query. So a version change drains: new queries wait (briefly) for running ones to end,
    then the connection is swapped. Queries that cannot wait run on the old version and are not cached.
    """

    DRAIN_SECONDS = 10.0

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._open: dict[str, tuple[Version, duckdb.DuckDBPyConnection]] = {}
        self._busy: dict[str, int] = {}

    @contextmanager
    def use(self, path: str, ver: Version) -> Iterator[tuple[duckdb.DuckDBPyConnection, bool]]:
        """A connection to `path` and whether it is the wanted version; held until the block ends."""
        with self._cond:
            held = self._open.get(path)
            if held is not None and held[0] != ver:
                self._cond.wait_for(lambda: self._busy.get(path, 0) == 0, timeout=self.DRAIN_SECONDS)
                held = self._open.get(path)
            if held is None or (held[0] != ver and self._busy.get(path, 0) == 0):
                if held is not None:
                    held[1].close()
                held = (ver, duckdb.connect(path, read_only=True))
                self._open[path] = held
            self._busy[path] = self._busy.get(path, 0) + 1
        try:
            yield held[1], held[0] == ver
        finally:
            with self._cond:
                self._busy[path] -= 1
                self._cond.notify_all()


@st.cache_resource(show_spinner=False)
def _connections() -> Connections:
    return Connections()


def _run(path: str, ver: Version, sql: str, params: tuple) -> tuple[pd.DataFrame, bool]:
    with _connections().use(path, ver) as (con, current):
        cur = con.cursor()  # a cursor per query: sessions run on different threads
        try:
            return cur.execute(sql, list(params)).df(), current
        finally:
            cur.close()


@st.cache_data(max_entries=1024, show_spinner=False)
def _query(path: str, ver: Version, sql: str, params: tuple) -> pd.DataFrame:
    df, current = _run(path, ver, sql, params)
    if not current:
        raise Stale(df)  # an exception is never cached: the caller shows it once, uncached
    return df


def query(sql: str, params: Sequence = ()) -> pd.DataFrame:
    """Run parameterised SQL against the current warehouse version (cached per version)."""
    ver = version()
    if ver is None:
        raise FileNotFoundError(str(db_path()))
    try:
        return _query(str(db_path()), ver, sql, tuple(params))
    except Stale as e:
        return e.args[0]
