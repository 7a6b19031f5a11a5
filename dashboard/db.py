"""The warehouse connection: read-only, cached per process, reopened when the build swaps the file.

The build writes a new file and moves it into place with os.replace, so a changed inode (or mtime) means a
new data version: connections and query results are keyed on it, and a rebuilt warehouse shows up on the
next rerun without restarting the server.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

ENV = "DISCLOSURE_DB"
DEFAULT = Path("data/warehouse.duckdb")

Version = tuple[int, int, int]  # (inode, mtime_ns, size)


def db_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT)


def version(path: Path | None = None) -> Version | None:
    """Identity of the file now in place, None when there is no warehouse."""
    try:
        s = (path or db_path()).stat()
    except OSError:
        return None
    return (s.st_ino, s.st_mtime_ns, s.st_size)


class Connections:
    """One read-only connection per warehouse path, replaced when the file's version changes.

    The old connection must be closed before reconnecting: DuckDB keeps one database instance per path
    while any connection to it is open, so connecting again would silently return the replaced file.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[Version, duckdb.DuckDBPyConnection]] = {}

    def get(self, path: str, ver: Version) -> duckdb.DuckDBPyConnection:
        with self._lock:
            held = self._open.get(path)
            if held is not None and held[0] == ver:
                return held[1]
            if held is not None:
                held[1].close()
            con = duckdb.connect(path, read_only=True)
            self._open[path] = (ver, con)
            return con


@st.cache_resource(show_spinner=False)
def _connections() -> Connections:
    return Connections()


def _connect(path: str, ver: Version) -> duckdb.DuckDBPyConnection:
    return _connections().get(path, ver)


@st.cache_data(max_entries=1024, show_spinner=False)
def _query(path: str, ver: Version, sql: str, params: tuple) -> pd.DataFrame:
    cur = _connect(path, ver).cursor()  # a cursor per query: sessions run on different threads
    try:
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def query(sql: str, params: Sequence = ()) -> pd.DataFrame:
    """Run parameterised SQL against the current warehouse version (cached per version)."""
    ver = version()
    if ver is None:
        raise FileNotFoundError(str(db_path()))
    return _query(str(db_path()), ver, sql, tuple(params))
