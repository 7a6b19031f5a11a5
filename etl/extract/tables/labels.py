"""Printed labels -> canonical keys: the row and column labels of tables 2–4, and the chapter headings."""

from __future__ import annotations

from functools import lru_cache

from etl import formats as F

chapter_of = F.chapter_heading


def match_key(keys: tuple[F.Key, ...], n: str) -> str | None:
    """The key whose label fragments the normalized text carries (first listed wins)."""
    return _match_cached(id(keys), n)


_KEYSETS = {id(k): k for k in (F.T2_ROWS, F.T3_ROWS, F.T4_ROWS, F.T2_COLS, F.T3_COLS, F.T4_COLS)}


@lru_cache(maxsize=32768)  # keyed by the key set's id: hashing the Key tuples themselves is slow
def _match_cached(keys_id: int, n: str) -> str | None:
    for k in _KEYSETS[keys_id]:
        if any(x in n for x in k.exclude):
            continue
        if any(f in n for f in k.fragments()):
            return k.key
    return None
