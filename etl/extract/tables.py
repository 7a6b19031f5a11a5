"""Tables 2, 3 and 4: map printed rows and columns to canonical keys by their labels.

The document is walked as one stream of tokens (paragraphs, cells, row and table breaks). Chapter
headings and content markers (第二十条…, 申请人情况, 行政复议) switch the current table, so tables are found
by what they contain even when chapters are renumbered or a heading follows its table. Within a table a
row starts at a cell whose label matches a canonical row; its values are the cells that follow — exactly
the rest of the grid row for positional tables, or the next value cells of the stream otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from etl import formats as F
from etl.document import Document, Paragraph
from etl.formats import norm
from etl.model import Cell, ExtraRow, Problem
from etl.values import EMPTY, NA, NUMBER, TEXT, ZERO, Parsed, parse_cell, tidy, to_unit

PARA, CELL, ROWBREAK, TABLEBREAK = "para", "cell", "rowbreak", "tablebreak"
VALUE_KINDS = (NUMBER, ZERO, NA, EMPTY)

_ITEM = F.T2_ITEM_RE
_T3_WORD_A, _T3_WORD_B = F.T3_HEADER_WORDS  # on every cell's path: two `in` tests, no generator
_OTHER_OTHER = re.compile(r"^(?:3|\(3\)|三)?[.、,，]?其他$")
_HEADER_UNIT = re.compile(r"(万元|元)")


@dataclass(slots=True)
class Token:
    kind: str
    text: str = ""
    n: str = ""  # normalized text
    grid: bool = True


class OcrText(str):
    """A cell's text as OCR read it, with the engine's confidence: a str everywhere the walker passes
    cell texts around, so the confidence reaches the Cell it becomes without a second path."""

    conf: float | None = None


def _ocr_text(text: str, conf: float | None) -> str:
    if conf is None:
        return text
    out = OcrText(text)
    out.conf = conf
    return out


def tokens(doc: Document) -> list[Token]:
    out: list[Token] = []
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            out.append(Token(PARA, b.text, norm(b.text)))
            continue
        for r, row in enumerate(b.rows):
            confs = b.conf[r] if b.conf else None
            for j, c in enumerate(row):
                text = _ocr_text(c, confs[j]) if confs else c
                out.append(Token(CELL, text, norm(c), b.grid))
            out.append(Token(ROWBREAK, grid=b.grid))
        out.append(Token(TABLEBREAK, grid=b.grid))
    return out


def _match(keys: tuple[F.Key, ...], n: str) -> str | None:
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


chapter_of = F.chapter_heading
_CHAPTER_INDEX = {k: i for i, k in enumerate(F.CHAPTER_KEYS)}

CHAPTER_TABLE = {"proactive": "t2", "requests": "t3", "review_litigation": "t4"}


@dataclass
class _Row:
    table: str
    key: str | None  # None for a local extra row
    label: str
    cols: tuple[str, ...]
    grid: bool
    values: list[str] = field(default_factory=list)
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


class TableWalker:
    def __init__(self) -> None:
        self.res = TableResult()
        self.ctx: str | None = None  # t2 | t3 | t4 | None
        self.chapter: str | None = None
        self.row: _Row | None = None
        self.seen: set[tuple[str, str, str]] = set()
        # table 2
        self.t2_header: list[str] = []  # header cells as printed (normalized), mapped to columns per row
        self.t2_header_unit: str | None = None
        self.t2_header_open = False
        self.t2_seen_fmt: set[str] = set()  # formats named by table-2 header words seen so far
        # table 3
        self.t3_header: list[str] = []
        self.t3_cols: tuple[str, ...] | None = None
        self.t3_placed = "official_order"
        self.t3_unlabelled: list[list[str]] = []  # grid rows of values printed without their label
        self.t3_last: str | None = None
        # table 4
        self.t4_values: list[str] = []
        self.t4_header: list[str] = []  # header words seen before the values (normalized)
        self.t4_row: list[Token] = []  # the positional row being read
        self.t4_blocks: dict[str, list[str]] = {}  # transposed layout: block -> its five values

    # --- driving -------------------------------------------------------------------------------
    def run(self, toks: list[Token]) -> TableResult:
        for i, t in enumerate(toks):
            if t.kind == CELL:
                self._cell(t, toks, i)
            elif t.kind == PARA:
                self._para(t)
            elif t.kind in (ROWBREAK, TABLEBREAK):
                if self.row and self.row.grid:
                    self._finish_row()
                if self.t4_row:
                    self._t4_grid_row()
        self._finish_row(at_end=True)
        self._place_unlabelled(None)
        self._finish_t4()
        self._verify_t3_positions()
        self._verify_t3_order()
        if not self.res.formats["t2"]:  # a table 2 that printed labels but no values still shows its format
            self.res.formats["t2"] |= self.t2_seen_fmt
        return self.res

    def _text(self, t: Token) -> None:
        if self.chapter:
            self.res.chapters.setdefault(self.chapter, []).append(t.text)

    def _set_chapter(self, key: str, heading: str) -> None:
        self.res.headings.setdefault(key, heading)
        self._finish_row()
        if self.ctx == "t4" and CHAPTER_TABLE.get(key) != "t4":
            self._finish_t4()
        self.chapter = key
        self.res.chapters.setdefault(key, [])
        self._switch(CHAPTER_TABLE.get(key))

    def _switch(self, ctx: str | None) -> None:
        if ctx == self.ctx:
            return
        self._finish_row()
        if self.ctx == "t4":
            self._finish_t4()
        if self.ctx == "t3":
            self._place_unlabelled(None)
        self.ctx = ctx
        if ctx == "t2":
            self.t2_header, self.t2_header_open = [], False

    def _chapter_at(self, n: str) -> str | None:
        """The chapter a line heads. A heading in its own words is taken wherever it stands (ordinals are
        renumbered, tables of contents repeat headings); a near miss (F.chapter_match) only in its order,
        after the chapter read so far, so a misprint-tolerant match cannot pull text back to a chapter
        already passed."""
        m = F.chapter_match(n)
        if m is None:
            return None
        if not m.exact and self.chapter is not None and _CHAPTER_INDEX[m.key] < _CHAPTER_INDEX[self.chapter]:
            return None
        return m.key

    def _para(self, t: Token) -> None:
        ch = self._chapter_at(t.n)
        if ch:
            self._set_chapter(ch, t.text)
            return
        self._finish_row()
        self._markers(t.n, para=True)
        self._text(t)

    def _markers(self, n: str, para: bool = False) -> None:
        """Content markers that say which table we are in, whatever the chapter headings say."""
        if len(n) > 80:
            return
        if F.T2_ITEM_WORD in n and not para:
            self._switch("t2")
        elif (_T3_WORD_A in n or _T3_WORD_B in n) and self.ctx != "t3":
            self._switch("t3")
        elif self.ctx == "t3" and not para and (n in F.T4_BLOCK_WORDS or F.T4_HEADER_WORD in n):
            self._switch("t4")

    # --- cells ---------------------------------------------------------------------------------
    def _cell(self, t: Token, toks: list[Token], i: int) -> None:
        n = t.n
        ch = self._chapter_at(n)
        if ch:
            self._set_chapter(ch, t.text)
            return
        self._markers(n)
        if self.ctx is None:
            # An excerpt can start mid-table: a table-3 row label followed by numbers says where we are.
            if len(n) <= 40 and _match(F.T3_ROWS, n) and self._values_follow(toks, i):
                self._switch("t3")
                self.t3_last = "?"  # the header is not in view
            else:
                self._text(t)
                return
        if self.ctx == "t2" and _match(F.T3_ROWS, n) == "new_received" and len(n) <= 40:
            self._switch("t3")  # table 3 right after table 2, its heading and header note not printed
        if self.ctx == "t4":
            self._t4_cell(t)
            return
        key = self._row_key(n)
        if key is None and not t.grid and i + 1 < len(toks) and toks[i + 1].kind == CELL:
            # PDF text wraps long labels over lines: "5.要求行政机关确认或重新出" + "具已获取信息"
            nxt = toks[i + 1].n
            if parse_cell(nxt).kind == TEXT and self._row_key(nxt) is None:
                key = self._row_key(n + nxt)
        if (key is None and self.ctx == "t3" and self.t3_last not in (None, "?") and 4 <= len(n) <= 70
                and parse_cell(t.text).kind == TEXT and self._values_follow(toks, i)):
            key = self._misprinted_row(t)
        if key is not None:
            self._start_row(key, t)
            return
        if self.row is not None and self._take_value(t):
            return
        if (self.ctx == "t3" and self.row is None and t.grid and self.t3_last not in (None, "?")
                and (i == 0 or toks[i - 1].kind != CELL) and parse_cell(t.text).kind in VALUE_KINDS):
            # a PDF converter printed this row's values on their own and its label elsewhere
            self.row = _Row("t3", None, "", self.t3_cols or F.T3_COL_KEYS, True, [t.text], unlabelled=True)
            return
        self._header_or_extra(t, toks, i)

    def _row_key(self, n: str) -> str | None:
        if not n or len(n) > 70 or parse_cell(n).kind != TEXT:
            return None
        if self.ctx == "t2":
            return _match(F.T2_ROWS, n)
        data_started = self.t3_last is not None
        if data_started:
            if _OTHER_OTHER.match(n) and self.t3_last in ("other_no_correction", "other_unpaid_fee",
                                                          "other_other"):
                return "other_other"
            if n in ("总计", "合计", "七、总计", "(七)总计") or n.endswith(")总计"):
                return "total_processed"
        key = _match(F.T3_ROWS, n)
        if key in ("granted",) and "不予" in n:
            return None
        return key

    def _place_unlabelled(self, nxt: str | None) -> None:
        """Rows of values printed without labels between two labelled rows: when exactly as many official
        rows lie between those two as there are such rows, they are those rows in order ("position");
        otherwise none is placed. A table end is no neighbour: what follows the last label is unknown."""
        pending, self.t3_unlabelled = self.t3_unlabelled, []
        if not pending:
            return
        prev = self.t3_last
        between: list[str] | None = None
        if nxt is not None and prev not in (None, "?"):
            gaps = {tuple(order[order.index(prev) + 1:order.index(nxt)])
                    for order in F.T3_ROWS_BY_FORMAT.values() if prev in order and nxt in order
                    and order.index(prev) < order.index(nxt)}
            gaps = {g for g in gaps if len(g) == len(pending)}
            between = list(next(iter(gaps))) if len(gaps) == 1 else None
        if between is None or any((("t3", r, c) in self.seen) for r in between for c in F.T3_COL_KEYS):
            where = f"t3.{prev}"
            self.res.problems.append(Problem(
                "ambiguous_row", f"{len(pending)} row(s) of values printed without a label after {where} "
                f"{'before t3.' + nxt if nxt else 'at the end of the table'}: which rows they are is not "
                "certain; left out", where,
                {"variant": "unlabelled", "n": len(pending), "after": where, "before": f"t3.{nxt}"} if nxt else
                {"variant": "unlabelled_end", "n": len(pending), "after": where}))
            return
        for key, values in zip(between, pending, strict=True):
            for col, raw in zip(self.t3_cols or F.T3_COL_KEYS, values, strict=True):
                self._emit("t3", key, col, raw, placed="position")

    def _verify_t3_order(self) -> None:
        """Table 3's two printed orders differ in where 总计 stands, and T3-columns (总计 = the six applicant
        columns) tells them apart on any row with requests. If the order read breaks it on such rows and
        the other order satisfies it on every one of them, the other order is the reading."""
        cells = [c for c in self.res.cells if c.table == "t3"]
        if not cells:
            return
        current = self.t3_cols or F.T3_COL_KEYS
        other = T3_TOTAL_FIRST if current == F.T3_COL_KEYS else F.T3_COL_KEYS
        at = {col: i for i, col in enumerate(current)}  # column read -> printed position
        printed: dict[str, list] = {}
        for c in cells:
            printed.setdefault(c.row, [None] * 7)[at[c.col]] = c.value
        full = [v for v in printed.values() if None not in v and any(v)]

        def holds(order: tuple[str, ...], v: list) -> bool:
            t = order.index("total")
            return v[t] == sum(v) - v[t]

        if not full or all(holds(current, v) for v in full) or not all(holds(other, v) for v in full):
            return
        remap = dict(zip(current, other, strict=True))  # printed position -> column under the other order
        for c in cells:
            c.col, c.placed = remap[c.col], "arithmetic"
        self.res.problems.append(Problem(
            "column_order", f"table 3: the header's column order breaks 总计 = Σ applicant columns on "
            f"{len(full)} rows; read in the order {'总计 first' if other == T3_TOTAL_FIRST else 'official'} "
            "that satisfies it", "t3",
            {"variant": "total_first" if other == T3_TOTAL_FIRST else "official", "n": len(full)}))

    def _verify_t3_positions(self) -> None:
        """Rows placed by position stand only if the table's outcome sums, where they can be checked,
        hold with them: a reading the table's own arithmetic refutes is withdrawn, never kept."""
        placed = {c.row for c in self.res.cells if c.table == "t3" and c.placed == "position"}
        if not placed:
            return
        v = {(c.row, c.col): c.value for c in self.res.cells if c.table == "t3"}
        fmt = "2019" if "other_total_2019" in {r for r, _ in v} else "2021"
        outcomes = F.T3_OUTCOME_ROWS[fmt]
        for col in F.T3_COL_KEYS:
            parts = [v.get((r, col)) for r in outcomes]
            total = v.get(("total_processed", col))
            if total is None or any(x is None for x in parts) or sum(parts) == total:
                continue
            self.res.cells = [c for c in self.res.cells if not (c.table == "t3" and c.row in placed)]
            for r in sorted(placed):
                where = f"t3.{r}"
                self.res.problems.append(Problem(
                    "ambiguous_row", f"{where}: values printed without a label, placed by position, break "
                    f"T3-outcomes ({col}); left out", where,
                    {"variant": "position", "row": where, "total": f"t3.total_processed.{col}"}))
            return

    def _misprinted_row(self, t: Token) -> str | None:
        """A table-3 label matching no fragment ("2.其他法律行政止公开"): the row it is close to, when it is
        close to exactly one official label and that row is the next one in the official order."""
        close = [k for k, lab in _T3_LABELS if _similar(t.n, lab)]
        if len(close) != 1:
            return None
        key = close[0]
        nexts = {order[order.index(self.t3_last) + 1] for order in F.T3_ROWS_BY_FORMAT.values()
                 if self.t3_last in order and order.index(self.t3_last) + 1 < len(order)}
        if key not in nexts or (self.ctx, key) in {(c[0], c[1]) for c in self.seen}:
            return None
        where = f"t3.{key}"
        self.res.problems.append(Problem(
            "label_misprint", f"{where}: printed label {t.text.strip()!r} read as {F.label('t3', 'row', key)!r} "
            "(close to that label only, in its official position)", where, {"row": where, "printed": t.text.strip()}))
        return key

    def _take_value(self, t: Token) -> bool:
        """Append a cell to the open row when it is one of its values. False when it ends the row."""
        row = self.row
        assert row is not None
        if row.grid and t.grid:
            row.values.append(t.text)
            return True
        kind = parse_cell(t.text).kind
        if kind in VALUE_KINDS:
            if len(row.values) < len(row.cols):
                row.values.append(t.text)
            return True
        if row.table == "t2" and (_ITEM.search(t.n) or t.n.startswith(F.T2_HEADER_WORD) or F.t2_cols_in(t.n)):
            self._finish_row()  # the next item's heading or header: this row printed no values
            return False
        if not row.values:
            return True  # label wrapped onto another line, e.g. "形，不计其他情形）"
        if len(row.values) < len(row.cols) and len(t.n) <= 3:
            row.values.append(t.text)  # a stray word in a value position, e.g. "增"
            return True
        self._finish_row()
        return False

    def _start_row(self, key: str, t: Token) -> None:
        self._finish_row()
        if self.ctx == "t2":
            header = tuple(self.t2_header)
            slots = _t2_slots(header)
            # how many values a stream row takes: one per header column, else the longest official layout
            width = len(slots) or max(len(lay) for lay in _t2_layouts(key).values())
            self.t2_header_open = False
            self.row = _Row("t2", key, t.text, ("?",) * width, t.grid, header_unit=self.t2_header_unit,
                            header=header)
        else:
            if self.t3_cols is None:
                self.t3_cols = _t3_column_order("".join(self.t3_header))
                # columns named by the header, or the official order where the header is not readable
                self.t3_placed = "header" if _t3_header_read("".join(self.t3_header)) else "official_order"
            self._place_unlabelled(key)
            self.t3_last = key
            self.row = _Row("t3", key, t.text, self.t3_cols, t.grid, placed=self.t3_placed)

    def _t2_place(self, row: _Row) -> bool:
        """Decide the columns of a table-2 row from its header cells and its value count (see _t2_columns);
        False, with a problem, when no placement is certain."""
        values = row.values
        readings: list[tuple[tuple[str, ...], list[str]]] = []
        if row.grid:
            while values and norm(values[0]) == norm(row.label):
                values = values[1:]  # a label cell spanning two grid columns repeats its text
            spans = _spans(row.header)
            if len(spans) < len(row.header):  # merged header cells, expanded into copies on the grid
                merged = _merge_spans(values, spans)
                heads = tuple(h for h, _ in spans)
                if merged is not None:  # the row's cells span like the header's
                    readings.append((heads, merged))
                elif len(values) == len(spans):  # the row's own cells, one under each header cell
                    readings.append((heads, values))
            width = len(_t2_slots(row.header)) or max(len(lay) for lay in _t2_layouts(row.key).values())
            while len(values) > width and not values[-1].strip():
                values = values[:-1]  # padding cells after the last column
        readings.append((row.header, values))
        reason: Unplaced | None = None
        for header, vals in readings:
            placed = _t2_columns(row.key, _t2_slots(header), len(vals), frozenset(self._t2_fmt_evidence()))
            if isinstance(placed, Unplaced):
                reason = reason or placed
                continue
            row.values = vals
            row.cols, row.placed = placed
            return True
        where = f"t2.{row.key}"
        self.res.problems.append(Problem("ambiguous_row", f"{where}: {reason}; the row is left out", where,
                                         {"row": where, **(reason.params if reason else {})}))
        return False

    def _t2_fmt_evidence(self) -> set[str]:
        """Formats table 2's own labels have shown so far (header words, rows only one format prints)."""
        return self.res.formats["t2"] | self.t2_seen_fmt

    def _header_or_extra(self, t: Token, toks: list[Token], i: int) -> None:
        n = t.n
        if self.ctx == "t2":
            if _ITEM.search(n):
                self.t2_header, self.t2_header_open, self.t2_header_unit = [], True, None
                return
            # one cell may carry several headers when PDF text puts them on one line
            cols = F.t2_cols_in(n) if len(n) <= 60 and parse_cell(n).kind == TEXT else ()
            if cols:
                if not self.t2_header_open or n.startswith(F.T2_HEADER_WORD):
                    self.t2_header, self.t2_header_open, self.t2_header_unit = [], True, None
                self.t2_header.append(n.removeprefix(F.T2_HEADER_WORD))
                self._note_t2_header(cols)
                m = _HEADER_UNIT.search(n)
                if m:
                    self.t2_header_unit = m.group(1)
                return
            if n == F.T2_HEADER_WORD:
                self.t2_header, self.t2_header_open, self.t2_header_unit = [], True, None
                return
            if self.t2_header_open and parse_cell(t.text).kind == TEXT and 0 < len(n) <= 12:
                # a header cell cut short or wrapped ("本年新", "制作数量"): it still holds a column
                self.t2_header.append(n)
                return
        elif self.ctx == "t3" and self.t3_last is None:
            self.t3_header.append(n)
            return
        # an unknown label followed by values: a local row (其他主动公开文件, 行政检查…)
        if (parse_cell(t.text).kind == TEXT and 2 <= len(n) <= 30 and not self._is_group(n)
                and self._values_follow(toks, i)):
            cols = tuple(self.t2_header) if self.ctx == "t2" and self.t2_header else (
                F.T3_COL_KEYS if self.ctx == "t3" else ("value",))
            if self.ctx == "t3" and self.t3_cols:
                cols = self.t3_cols
            self.row = _Row(self.ctx or "", None, t.text, cols, t.grid)

    def _is_group(self, n: str) -> bool:
        if self.ctx == "t3":
            return any(any(g2 in n for g2 in (norm(g[0]), norm(g[1]))) for g in F.T3_GROUPS.values()) or (
                len(n) <= 4)
        return F.T2_HEADER_WORD in n or F.T2_ITEM_WORD in n

    @staticmethod
    def _values_follow(toks: list[Token], i: int) -> bool:
        for t in toks[i + 1:i + 3]:
            if t.kind == CELL:
                return parse_cell(t.text).kind in (NUMBER, ZERO, NA)
            if t.kind == PARA:
                return False
        return False

    def _finish_row(self, at_end: bool = False) -> None:
        row, self.row = self.row, None
        if row is None or not row.values:
            return
        if row.unlabelled:
            if len(row.values) == len(row.cols) and all(parse_cell(v).kind in VALUE_KINDS for v in row.values):
                self.t3_unlabelled.append(row.values)
            return
        if not row.grid and row.key and len(row.values) < len(row.cols) and not at_end:
            # A stream row short of values before the next row: a blank cell the text does not show.
            # Which column it was is unknowable, so no value is placed (a shifted value is worse).
            where = f"{row.table}.{row.key}"
            self.res.problems.append(Problem(
                "ambiguous_row", f"{where}: {len(row.values)} of {len(row.cols)} values printed and a blank "
                "cell cannot be located; the row is left out", where,
                {"variant": "short", "row": where, "n": len(row.values), "of": len(row.cols)}))
            return
        if row.key is None:
            vals = []
            for col, raw in zip(row.cols, row.values, strict=False):
                p = parse_cell(raw)
                vals.append({"col": col, "raw": raw, "kind": p.kind, "value": p.value})
            if any(v["kind"] in (NUMBER, ZERO) for v in vals):
                self.res.extra_rows.append(ExtraRow(row.table, row.label.strip(), vals))
            return
        if row.table == "t2":
            if not self._t2_place(row):
                return
            self._note_t2_format(row)
        elif row.key == "other_total_2019":
            self.res.formats["t3"].add("2019")
        elif row.key in F.OTHER_ROWS_2021:
            self.res.formats["t3"].add("2021")
        n = min(len(row.cols), len(row.values))
        for col, raw in zip(row.cols[:n], row.values[:n], strict=True):
            self._emit(row.table, row.key, col, raw, row.header_unit, row.placed)
        if n < len(row.cols):
            self.res.partial_rows.append(f"{row.table}.{row.key}")

    def _note_t2_header(self, cols: tuple[str, ...]) -> None:
        for fmt in F.FORMATS:
            if set(cols) & F.T2_COLS_ONLY[fmt]:
                self.t2_seen_fmt.add(fmt)

    def _note_t2_format(self, row: _Row) -> None:
        for fmt in F.FORMATS:
            if set(row.cols) & F.T2_COLS_ONLY[fmt] or row.key in F.T2_ROWS_ONLY[fmt]:
                self.res.formats["t2"].add(fmt)

    def _emit(self, table: str, row: str, col: str, raw: str, header_unit: str | None = None,
              placed: str = "header") -> None:
        if (table, row, col) in self.seen:
            self.res.problems.append(Problem("duplicate_cell", f"{table}.{row}.{col} printed twice; kept the "
                                             "first", F.addr_str(table, row, col),
                                             {"cell": F.addr_str(table, row, col)}))
            return
        self.seen.add((table, row, col))
        self.res.seen_tables.add(table)
        conf = getattr(raw, "conf", None)  # an OcrText: read by OCR
        raw = raw.strip()
        p: Parsed = parse_cell(raw)
        value = p.value
        where = F.addr_str(table, row, col)
        if table == "t2" and col in F.T2_AMOUNT_COLS and p.kind in (NUMBER, ZERO):
            value, known = to_unit(p, F.T2_AMOUNT_COLS[col], header_unit or ("万元" if col == "amount_10k_yuan"
                                                                             else None))
            if not known and p.kind == NUMBER:
                self.res.problems.append(Problem("unit_unknown", f"{where}: amount {raw!r} states no unit; "
                                                 "kept as printed", where, {"cell": where, "raw": raw}))
        elif p.unit and p.kind == NUMBER:
            value = tidy(p.value) if p.value is not None else None
        if p.kind == TEXT:
            self.res.problems.append(Problem("text_cell", f"{where}: {raw!r} is not a number", where,
                                             {"cell": where, "raw": raw}))
        self.res.cells.append(Cell(table, row, col, value, raw, p.kind, placed,
                                   read="text" if conf is None else "ocr", conf=conf))

    # --- table 4 -------------------------------------------------------------------------------
    def _t4_cell(self, t: Token) -> None:
        if t.grid:
            self.t4_row.append(t)
            return
        p = parse_cell(t.text)
        if p.kind == TEXT:
            if self.t4_values:
                self._finish_t4()  # text after the numbers: the table is over
            else:
                self.t4_header.append(t.n)
            return
        if not self.t4_values and p.kind == EMPTY:
            return  # blanks before the first value belong to the header
        if len(self.t4_values) < len(F.T4_CELLS):
            self.t4_values.append(t.text)

    def _t4_grid_row(self) -> None:
        """A positional row of table 4: the data row (all values), or one block per row (transposed)."""
        row, self.t4_row = self.t4_row, []
        kinds = [parse_cell(t.text).kind for t in row]
        texts = [i for i, k in enumerate(kinds) if k == TEXT]
        if not any(k in (NUMBER, ZERO, NA) for k in kinds):
            self.t4_header.extend(t.n for t in row)
            return
        if texts == [0]:
            block = _match(F.T4_ROWS, row[0].n)
            if block:
                self.t4_blocks[block] = [t.text for t in row[1:6]]
            return
        if not texts:
            self.t4_values.extend(t.text for t in row[: len(F.T4_CELLS) - len(self.t4_values)])

    def _finish_t4(self) -> None:
        if self.t4_row:
            self._t4_grid_row()
        vals, self.t4_values = self.t4_values, []
        blocks, self.t4_blocks = self.t4_blocks, {}
        header, self.t4_header = "".join(self.t4_header), []
        if ("t4", "review", "upheld") in self.seen:
            return
        # the values are read in the official order; "header" only where the header printed that order
        placed = "header" if _t4_header_read(header) else "official_order"
        if len(blocks) == 3 and not vals:
            for block in F.T4_ROW_KEYS:
                for col, raw in zip(F.T4_COL_KEYS, blocks[block], strict=False):
                    self._emit("t4", block, col, raw, placed=placed)
            return
        while vals and parse_cell(vals[-1]).kind == EMPTY:
            vals.pop()
        if not vals:
            return
        for (_, r, c), raw in zip(F.T4_CELLS, vals, strict=False):
            self._emit("t4", r, c, raw, placed=placed)
        if len(vals) < len(F.T4_CELLS):
            self.res.partial_rows.append("t4")


_T3_LABELS = tuple((k.key, norm(k.zh)) for k in F.T3_ROWS)
_T4_COL_WORDS = tuple(norm(k.zh) for k in F.T4_COLS)  # 结果维持 … 总计


def _t4_header_read(header: str) -> bool:
    """Whether table 4's header prints the official order: 行政复议, then 直接起诉, then 复议后起诉, and
    under each the five result columns in order (a header split into fragments is not read)."""
    at = [header.find(norm(k.zh)) for k in F.T4_ROWS]
    if min(at) < 0 or at != sorted(at):
        return False
    i = 0
    for _ in F.T4_ROWS:
        for word in _T4_COL_WORDS:
            i = header.find(word, i)
            if i < 0:
                return False
            i += len(word)
    return True


@lru_cache(maxsize=4096)
def _similar(a: str, b: str) -> bool:
    """Close enough to be the same label with a few characters lost or changed (difflib ratio)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.75


@lru_cache(maxsize=4096)
def _t2_slots(header: tuple[str, ...]) -> tuple[str | None, ...]:
    """Header cells -> one column key per printed column, None where a cell is cut short or damaged.

    A header wrapped over two cells ("本年新" + "制作数量") is joined when only the joined text names a
    column; a cell naming several columns (PDF text on one line) gives several."""
    out: list[str | None] = []
    i = 0
    while i < len(header):
        keys = F.t2_cols_in(header[i])
        if not keys and i + 1 < len(header) and not F.t2_cols_in(header[i + 1]):
            joined = F.t2_cols_in(header[i] + header[i + 1])
            if len(joined) == 1:
                out.append(joined[0])
                i += 2
                continue
        out.extend(keys or (None,))
        i += 1
    return tuple(out)


def _spans(header: tuple[str, ...]) -> list[tuple[str, int]]:
    """Runs of equal adjacent header cells: one merged cell each (grid readers copy a span's text)."""
    out: list[tuple[str, int]] = []
    for h in header:
        if out and out[-1][0] == h:
            out[-1] = (h, out[-1][1] + 1)
        else:
            out.append((h, 1))
    return out


def _merge_spans(values: list[str], spans: list[tuple[str, int]]) -> list[str] | None:
    """One value per merged header cell, when the row's cells repeat exactly under each span."""
    if len(values) != sum(n for _, n in spans):
        return None
    out, i = [], 0
    for _, n in spans:
        group = values[i:i + n]
        if len(set(group)) != 1:
            return None
        out.append(group[0])
        i += n
    return out


def _t2_layouts(row: str) -> dict[str, tuple[str, ...]]:
    """The official columns of a table-2 row in each format that prints it."""
    return {fmt: f.layout[row] for fmt, f in F.T2_FORMATS.items() if row in f.layout}


@dataclass(frozen=True)
class Unplaced:
    """Why a table-2 row's columns cannot be decided: the English words and etl.problems' parameters."""

    text: str
    params: dict

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=4096)
def _t2_columns(row: str, slots: tuple[str | None, ...], n: int,
                evidence: frozenset[str]) -> tuple[tuple[str, ...], str] | Unplaced:
    """Columns for the n values of a table-2 row, with how they were found — or why they cannot be.

    - header: every header cell names a column of this row, one per value;
    - position: some header cells are cut short, but exactly one official layout of the row has the
      value count and agrees with every readable header cell at its position;
    - official_order: no usable header, and the value count is the row's official column count in the
      one format the table's labels (or the count itself) point to.
    A header naming fewer columns than the row has values never maps the first value to the one column
    it names: that is how values land in wrong cells."""
    layouts = _t2_layouts(row)
    known = [c for c in slots if c is not None]
    valid = {c for lay in layouts.values() for c in lay}
    if slots and len(slots) == n:
        if None not in slots and set(slots) <= valid and len(set(slots)) == n:
            return tuple(slots), "header"  # type: ignore[arg-type]
        fits = {lay for lay in layouts.values() if len(lay) == n
                and all(s is None or s == c for s, c in zip(slots, lay, strict=True))}
        if len(fits) == 1 and known and set(known) <= valid:
            return next(iter(fits)), "position"
    if set(known) & valid:
        return Unplaced(f"{n} values under a header naming {', '.join(c or '?' for c in slots)}",
                        {"variant": "t2_header", "n": n, "slots": list(slots)})
    # No usable header (none, unreadable, or another item's when a page dropped this one's): the count
    # alone decides, where only one format gives the row that many columns.
    by_count = {fmt: lay for fmt, lay in layouts.items() if len(lay) == n}
    if len(by_count) > 1:
        by_count = {f: lay for f, lay in by_count.items() if f in evidence} if len(evidence) == 1 else {}
    if len(set(by_count.values())) == 1:
        return next(iter(by_count.values())), "official_order"
    if not slots:
        return Unplaced(f"{n} values and no readable header", {"variant": "t2_no_header", "n": n})
    return Unplaced(f"{n} values under {len(slots)} header cells that do not name its columns",
                    {"variant": "t2_unnamed", "n": n, "m": len(slots)})


def _t3_header_read(header: str) -> bool:
    """Whether the table-3 header names every column (the order then comes from it)."""
    return all(any(f in header for f in k.fragments()) for k in F.T3_COLS)


# The column orders table 3 is printed in: the official one, and 总计 first (some agencies' layout).
T3_TOTAL_FIRST = ("total",) + F.T3_COL_KEYS[:-1]


def _t3_column_order(header: str) -> tuple[str, ...]:
    """Column order of table 3 from its header text (joined, normalized): 总计 first when the header
    names 总计 before 自然人, else the official order. No other order is read off a header: PDF text
    scatters the group words (法人或其他组织) into the note above, and a permutation of the applicant
    columns is one the table's sums cannot refute."""
    pos = {k.key: min((header.find(f) for f in k.fragments() if f in header), default=-1) for k in F.T3_COLS}
    if pos["total"] >= 0 and pos["natural_person"] > pos["total"]:
        return T3_TOTAL_FIRST
    return F.T3_COL_KEYS
