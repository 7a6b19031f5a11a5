"""The original beside the parsed table: where each table and row is printed in a report's file, a PDF page
rendered as a picture, or the lines of text around a table.

`python -m etl.sourceview FILE [--focus t3 | t3.granted.total] [--page N] [--render]` prints one JSON object:

    {"ok": true, "kind": "pdf", "sha256": …, "pages": 6,
     "tables": {"t3": {"page": 3, "line": null}, …},          where each table's title is printed
     "rows": {"t3.granted": {"page": 3, "line": null}, …},    where each row label is printed, within its table
     "page": 3, "png": "<base64>",                            PDF and page images, with --render
     "lines": [[118, "（一）予以公开 | 3 | 1 | …"], …],       HTML, Word and text: the text around the focus
     "focus_line": 121}

or {"ok": false, "code": …, "reason": …, "reason_zh": …}. A file's text is searched with whitespace removed
(etl.formats.norm), so a label wrapped over two lines or spaced out is still found; a row is looked for after its
table's title and before the next table's. A scanned page has no text to search: the page is then the first
(or the one asked for). Rendering highlights the focus's label on the page.

The dashboard runs this as a subprocess with a time and memory limit (a hostile file costs that process, never
the server), and shows the result beside the rebuilt tables (dashboard/source_panel.py).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

from etl import formats as F
from etl.document import ReadError, Table
from etl.reasons import wording

MAX_FILE_MB = 200
MEMORY_MB = 2048
ZOOM = 1.6  # 115 dpi: a table's figures read clearly, a page stays a few hundred KB
WINDOW = 60  # lines of text shown at most around a table (the whole table when shorter)
_LABEL = re.compile(r"[^\d\s.,，。+\-/%]")  # a character no figure is printed with
_LEAD = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])")


@dataclass
class Text:
    """A file's text as units (PDF pages or lines), with the whitespace-free text and where each unit starts."""

    units: list[str]
    by_page: bool
    compact: str = ""
    starts: list[int] | None = None

    def __post_init__(self) -> None:
        parts, starts, at = [], [], 0
        for u in self.units:
            starts.append(at)
            c = F.norm(u)
            parts.append(c)
            at += len(c)
        self.compact, self.starts = "".join(parts), starts

    def unit_at(self, pos: int) -> int:
        """0-based unit holding compact position `pos`."""
        import bisect

        return max(0, bisect.bisect_right(self.starts or [0], pos) - 1)


def core(label: str) -> str:
    """A printed label without its ordinal ("（一）予以公开" → "予以公开"), whitespace removed."""
    return _LEAD.sub("", F.norm(label)) or F.norm(label)


def probes(tbl: str, row: str) -> tuple[str, ...]:
    """The whitespace-free texts a row's label may be printed as: the official label, without its ordinal, then
    the fragments the parser identifies the row by (etl.formats.Key, e.g. 规范性文件 in the 2019 form)."""
    k = next((k for k in F.ROWS.get(tbl, ()) if k.key == row), None)
    return tuple(dict.fromkeys(p for p in ((F.norm(k.zh), core(k.zh), *k.fragments()) if k else ()) if p))


def _table_starts(text: Text) -> dict[str, int]:
    """Compact position of each table's title: the occurrence followed soonest by two of its row labels."""
    out = {}
    for tbl, (title, _) in F.TABLE_TITLES.items():
        t = F.norm(title)
        hits = [m.start() for m in re.finditer(re.escape(t), text.compact)]
        labels = [core(k.zh) for k in F.ROWS[tbl]]
        best = None
        for h in hits:
            window = text.compact[h: h + 4000]
            if sum(1 for lab in labels if lab and lab in window) >= 2:
                best = h
                break
        if best is None and hits:
            best = hits[0]
        if best is None:  # no title: the first of its row labels found (a table printed without its heading)
            found = [p for lab in labels if lab and (p := text.compact.find(lab)) >= 0]
            best = min(found) if found else None
        if best is not None:
            out[tbl] = best
    return out


def locate(text: Text) -> tuple[dict[str, int], dict[str, int]]:
    """(table -> unit, "t3.granted" -> unit): where each table and each row label is printed."""
    starts = _table_starts(text)
    order = sorted(starts.items(), key=lambda kv: kv[1])
    tables, rows = {}, {}
    for i, (tbl, pos) in enumerate(order):
        end = order[i + 1][1] if i + 1 < len(order) else len(text.compact)
        tables[tbl] = text.unit_at(pos)
        after = pos  # rows are printed in order: a short label (其他, 总计) is looked for after the row before it
        for k in F.ROWS[tbl]:
            found = next((p for frag in probes(tbl, k.key) if (p := text.compact.find(frag, after, end)) >= 0), -1)
            if found < 0:  # a row of the other form's order, or printed out of order
                found = next((p for frag in probes(tbl, k.key) if (p := text.compact.find(frag, pos, end)) >= 0), -1)
            else:
                after = found + 1
            if found >= 0:
                rows[f"{tbl}.{k.key}"] = text.unit_at(found)
    return tables, rows


def _limit_memory() -> None:
    limit = MEMORY_MB * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    except (ValueError, OSError):
        pass


def _pymupdf():
    """PyMuPDF without its optional layout-analysis package, which it imports whenever installed (most of a
    second of CPU per process); placing a label on a page needs none of it."""
    sys.modules.setdefault("pymupdf.layout", None)
    import pymupdf

    return pymupdf


def _pdf(data: bytes, kind: str):
    pymupdf = _pymupdf()

    try:
        return pymupdf.open(stream=data, filetype="pdf" if kind == "pdf" else None)
    except Exception as e:  # noqa: BLE001 (MuPDF raises its own kinds for damaged files)
        raise ReadError("corrupt", f"cannot be opened ({type(e).__name__})") from None


def _label_rect(page, label: str) -> tuple[float, float, float, float] | None:
    """Where `label` is printed on a PDF page, from the page's words (MuPDF's search_for misplaces the glyphs
    of some CJK fonts); a label wrapped over lines is found by its first characters."""
    words = page.get_text("words")
    want = F.norm(label)
    for probe in dict.fromkeys((want, want[:4])):
        for w in words:
            if probe and probe in F.norm(w[4]):
                return (w[0], w[1], w[2], w[3])
    return None


def _label(cell: str) -> bool:
    """A heading or row label (a merged one repeats across the columns it spans), not a value ("无", "/", 12)."""
    return len(cell) >= 3 and bool(_LABEL.search(cell))


def _lines(path: Path, data: bytes, kind: str) -> list[str]:
    """The text of a non-PDF report as lines: a text file's own lines, else the reader's paragraphs and table
    rows (cells joined by " | ")."""
    if kind == "text":
        from etl.readers.charset import decode_lenient

        got = decode_lenient(data)
        if got is None:
            raise ReadError("binary")
        return got[0].splitlines()
    from etl.readers import read_document

    doc = read_document(path, data)
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            # a merged label is repeated in every column it spans: shown once per run (a figure never is
            # collapsed: two equal figures side by side are two cells)
            out += [" | ".join(c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1] or not _label(c))
                    for cells in ([c.strip() for c in row] for row in b.rows)]
        else:
            out += b.text.splitlines() or [""]
    return out


def show(path: Path, focus: str = "", page: int | None = None, render: bool = False) -> dict:
    """What the dashboard shows of `path` (see the module's docstring)."""
    from etl.readers import read_bytes, sniff

    if path.stat().st_size > MAX_FILE_MB * 1024 * 1024:
        raise ReadError("too_large", f"limit {MAX_FILE_MB} MB")
    data = read_bytes(path)
    kind = sniff(data, path.name)
    out: dict = {"ok": True, "kind": kind, "sha256": hashlib.sha256(data).hexdigest()}
    tbl = focus.split(".")[0] if focus else ""
    row_key = ".".join(focus.split(".")[:2]) if focus.count(".") >= 1 else ""
    if kind in ("pdf", "image"):
        doc = _pdf(data, kind)
        out["pages"] = doc.page_count
        text = Text([p.get_text("text") for p in doc] if kind == "pdf" else [""], by_page=True)
        tables, rows = locate(text)
        out["tables"] = {t: {"page": u + 1, "line": None} for t, u in tables.items()}
        out["rows"] = {r: {"page": u + 1, "line": None} for r, u in rows.items()}
        at = rows.get(row_key, tables.get(tbl))
        chosen = page if page is not None else (at + 1 if at is not None else 1)
        out["page"] = min(max(1, chosen), max(1, doc.page_count))
        if render:
            pymupdf = _pymupdf()

            pg = doc[out["page"] - 1]
            labels = probes(tbl, row_key.split(".")[1]) if row_key else (
                (F.TABLE_TITLES[tbl][0],) if tbl in F.TABLE_TITLES else ())
            rect = next((r for lab in labels if (r := _label_rect(pg, lab))), None) if kind == "pdf" else None
            if rect is not None:  # the label's line across the page: the row, as printed
                right = max([w[2] for w in pg.get_text("words")] + [rect[2]])
                r = pymupdf.Rect(rect[0] - 3, rect[1] - 2, min(pg.rect.x1, right + 4), rect[3] + 2)
                pg.draw_rect(r, color=(0.85, 0.25, 0.1), width=1.4)
            pix = pg.get_pixmap(matrix=pymupdf.Matrix(ZOOM, ZOOM), alpha=False)
            out["png"] = base64.b64encode(pix.tobytes("png")).decode()
        return out
    lines = _lines(path, data, kind)
    text = Text(lines, by_page=False)
    tables, rows = locate(text)
    out["lines_total"] = len(lines)
    out["tables"] = {t: {"page": None, "line": u + 1} for t, u in tables.items()}
    out["rows"] = {r: {"page": None, "line": u + 1} for r, u in rows.items()}
    at = rows.get(row_key, tables.get(tbl))
    if at is None and tables:
        at = min(tables.values())
    start_of = tables.get(tbl, at) if at is not None else 0
    later = [u for u in tables.values() if u > (start_of or 0)]
    end = min(later) if later else len(lines)
    lo = max(0, (start_of or 0) - 3)
    hi = min(len(lines), max(end, (at or 0) + 10), lo + WINDOW)
    if at is not None and at >= hi:  # a row beyond the window: centre on it
        lo, hi = max(0, at - WINDOW // 2), min(len(lines), at + WINDOW // 2)
    out["lines"] = [[i + 1, lines[i]] for i in range(lo, hi)]
    out["focus_line"] = at + 1 if at is not None else None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.sourceview", description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--focus", default="", help="a table (t3) or a cell address (t3.granted.total)")
    ap.add_argument("--page", type=int, help="the PDF page to render (default: where the focus is printed)")
    ap.add_argument("--render", action="store_true", help="render the page as PNG (PDF and page images)")
    args = ap.parse_args(argv)
    try:
        out = show(args.path, args.focus, args.page, args.render)
    except ReadError as e:
        zh, en = wording(e.code, e.detail)
        out = {"ok": False, "code": e.code, "reason": en, "reason_zh": zh}
    except FileNotFoundError:
        zh, en = wording("unreadable", "not found")
        out = {"ok": False, "code": "missing", "reason": en, "reason_zh": zh}
    except MemoryError:
        zh, en = wording("memory")
        out = {"ok": False, "code": "memory", "reason": en, "reason_zh": zh}
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    _limit_memory()  # its own process only: a caller that imports main() keeps its address space
    sys.exit(main())
