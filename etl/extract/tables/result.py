"""What the walk returns (TableResult), and the row it has open while reading (OpenRow)."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.extract.tables.stream import Token
from etl.model import Cell, ExtraRow, Problem


@dataclass
class OpenRow:
    table: str
    key: str | None  # None for a local extra row
    label: str
    cols: tuple[str, ...]
    grid: bool
    values: list[Token] = field(default_factory=list)  # the value cells, as tokens (text and OCR confidence)
    header_unit: str | None = None
    placed: str = "header"
    header: tuple[str, ...] = ()  # table 2: the header cells above the row, columns decided at its end
    unlabelled: bool = False  # table 3: values printed without a label, placed by the rows around them


@dataclass
class TableResult:
    cells: list[Cell] = field(default_factory=list)
    extra_rows: list[ExtraRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formats: dict[str, set[str]] = field(default_factory=lambda: {"t2": set(), "t3": set()})
    chapters: dict[str, list[str]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # chapter -> its heading line as printed (the first)
    partial_rows: list[str] = field(default_factory=list)
    seen_tables: set[str] = field(default_factory=set)


# A cell to emit: (row key, column key, its token)
Emit = tuple[str, str, Token]
