"""Plain-text renderings of a report, as text copied out of real pages and PDFs.

  a  each cell on its own TAB-prefixed line, blank line between rows, merged cells as a TAB-only line
  b  one cell per line, one blank line between cells; an empty cell is one extra blank line
  c  one row per line, cells joined by " | " (with outer pipes and "| |||" padding, or trailing pipes only)
  d  one cell per line ending in " |", rows closed by a line of pipes
  e  cells separated by lines holding only "|" (some header cells wrap onto two lines)
  f  text as pulled from a PDF: label then space-separated values, split column headers, page numbers
"""

from __future__ import annotations

import random

from etl import formats as F
from etl.sample.grid import covered_from_above
from etl.sample.layout import Layout, Para, TableBlock

_WRAP = {"商业企业": "商业\n企业", "科研机构": "科研\n机构", "社会公益组织": "社会公益\n组织",
         "法律服务机构": "法律服务\n机构"}


def _tab(t: TableBlock) -> list[str]:
    out: list[str] = []
    for row in covered_from_above(t):
        out += ["\t" + (p.td.text if p else "") for _, p in row]
        out.append("")
    return out


def _blank(t: TableBlock) -> list[str]:
    out: list[str] = []
    for row in t.rows:
        for td in row:
            out += [td.text, ""] if td.text else [""]
    return out


def _pipe_row(t: TableBlock, outer: bool) -> list[str]:
    out = []
    for row in t.rows:
        texts = [td.text for td in row]
        extra = sum(td.colspan - 1 for td in row)
        if outer:
            out.append("| " + " | ".join(texts) + " |" + (" " + "|" * extra if extra else " "))
        else:
            out.append(" | ".join(texts) + " |")
    return out


def _pipe_cell(t: TableBlock) -> list[str]:
    out = []
    for row in t.rows:
        out += [f"{td.text} |" for td in row]
        pad = t.ncols - len(row)
        if pad > 0:
            out.append("|" * pad)
    return out


def _pipe_line(t: TableBlock, rng: random.Random) -> list[str]:
    wrap = rng.random() < 0.5
    out = []
    for row in t.rows:
        for td in row:
            text = _WRAP.get(td.text, td.text) if wrap else td.text
            if text:
                out += text.split("\n")
            out.append("|")
    return out


def _wrap_prose(text: str, width: int) -> list[str]:
    """Break a paragraph like a PDF line does, but only after punctuation so figures stay whole."""
    lines, cur = [], ""
    for ch in text:
        cur += ch
        if len(cur) >= width and ch in "，。；、：":
            lines.append(cur)
            cur = ""
    if cur:
        lines.append(cur)
    return lines


def _pdf_label(text: str, rng: random.Random) -> list[str]:
    if len(text) > 22 and rng.random() < 0.6:
        cut = rng.randint(14, 20)
        return [text[:cut], text[cut:]]
    return [text]


def _pdf_table(t: TableBlock, rng: random.Random) -> list[str]:
    out: list[str] = []
    if t.table == "t4":
        out += [" ".join(F.T4_BLOCK_WORDS), " ".join(k.zh for k in F.T4_ROWS[1:])]
        heads = [td.text for td in t.rows[2]]
        heads = heads[:5] + heads  # the first five (rowspan 2) come first
        step = rng.choice((1, 2))
        for i in range(0, 4, step):
            out.append(" ".join(h[i:i + step] for h in heads if h[i:i + step]))
        out.append(" ".join(td.text for td in t.rows[3]))
        return out
    for row in t.rows:
        labels = [td.text for td in row if td.header and td.text]
        values = [td.text for td in row if not td.header]
        if not values:
            out.append(" ".join(labels))
            continue
        for lab in labels[:-1]:
            out.append(lab)  # a merged group label stands on its own line
        head = _pdf_label(labels[-1], rng) if labels else [""]
        out += head[:-1]
        out.append((head[-1] + " " + " ".join(values)).strip())
    return out


def render(lay: Layout, variant: str, rng: random.Random) -> str:
    """The report as text in rendering `variant` (a–f)."""
    lines: list[str] = []
    outer = rng.random() < 0.5
    for b in lay.blocks:
        if isinstance(b, Para):
            if variant == "f":
                lines += _wrap_prose(b.text, 34)
            else:
                lines.append(b.text)
            if variant in ("a", "b"):
                lines.append("")
            continue
        if variant == "a":
            lines += _tab(b)
        elif variant == "b":
            lines += _blank(b)
        elif variant == "c":
            lines += _pipe_row(b, outer)
        elif variant == "d":
            lines += _pipe_cell(b)
        elif variant == "e":
            lines += _pipe_line(b, rng)
        else:
            lines += _pdf_table(b, rng)
    if variant == "f":
        lines = _paginate(lines, rng)
    return "\n".join(lines) + "\n"


def _paginate(lines: list[str], rng: random.Random) -> list[str]:
    per = rng.randint(30, 45)
    out: list[str] = []
    for i in range(0, len(lines), per):
        out += lines[i:i + per]
        out.append(f"- {i // per + 1} -")
    return out
