"""SOURCES.csv: which agency's annual reports to collect from where.

Columns: agency, url (its 年报栏目 listing, or one report's page or file), and optional region, level and
kind, carried into the provenance as the user's own statement about the agency. UTF-8 (with or without a
BOM) or GB18030, the two encodings Chinese spreadsheets save CSV in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

OPTIONAL = ("region", "level", "kind")


class SourcesError(ValueError):
    """SOURCES.csv cannot be used; the message says which line and why."""


@dataclass(frozen=True)
class Source:
    agency: str
    url: str
    region: str = ""
    level: str = ""
    kind: str = ""


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise SourcesError("SOURCES.csv is neither UTF-8 nor GB18030 text")


def read_sources(path: str | Path) -> list[Source]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SourcesError(f"cannot read {path}: {e.strerror or e}") from None
    rows = csv.DictReader(io.StringIO(_decode(data)))
    fields = [f.strip().lower() for f in rows.fieldnames or []]
    if "agency" not in fields or "url" not in fields:
        raise SourcesError(f"{path}: the header must name the columns agency and url (found: {', '.join(fields)})")
    out: list[Source] = []
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        agency, url = row.get("agency", ""), row.get("url", "")
        if not agency:
            raise SourcesError(f"{path} line {n}: no agency name")
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SourcesError(f"{path} line {n}: {url!r} is not an http(s) URL")
        if (agency, url) in seen:
            continue
        seen.add((agency, url))
        out.append(Source(agency, url, *(row.get(k, "") for k in OPTIONAL)))
    if not out:
        raise SourcesError(f"{path}: no sources listed")
    return out
