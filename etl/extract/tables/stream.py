"""The document as one stream of tokens — paragraphs, cells, row and table breaks — as the walker reads it."""

from __future__ import annotations

from dataclasses import dataclass

from etl.document import Document, Paragraph
from etl.formats import norm
from etl.values import EMPTY, NA, NUMBER, ZERO, parse_cell

PARA, CELL, ROWBREAK, TABLEBREAK = "para", "cell", "rowbreak", "tablebreak"
VALUE_KINDS = (NUMBER, ZERO, NA, EMPTY)


@dataclass(slots=True)
class Token:
    kind: str
    text: str = ""
    n: str = ""  # normalized text
    grid: bool = True
    # The OCR engine's confidence for a cell read from a page image (None: read as text). It travels on the
    # token, which the walker keeps as a row's value, so it reaches the Cell the value becomes.
    conf: float | None = None


def tokens(doc: Document) -> list[Token]:
    out: list[Token] = []
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            out.append(Token(PARA, b.text, norm(b.text)))
            continue
        for r, row in enumerate(b.rows):
            confs = b.conf[r] if b.conf else None
            for j, c in enumerate(row):
                out.append(Token(CELL, c, norm(c), b.grid, confs[j] if confs else None))
            out.append(Token(ROWBREAK, grid=b.grid))
        out.append(Token(TABLEBREAK, grid=b.grid))
    return out


def values_follow(toks: list[Token], i: int) -> bool:
    """Whether the next cell after toks[i] (within two tokens, before any paragraph) holds a value."""
    for t in toks[i + 1:i + 3]:
        if t.kind == CELL:
            return parse_cell(t.text).kind in (NUMBER, ZERO, NA)
        if t.kind == PARA:
            return False
    return False
