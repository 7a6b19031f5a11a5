"""The row walker: tables 2, 3 and 4 read off the token stream, rows and columns mapped to canonical keys
by their labels.

The document is walked as one stream of tokens (paragraphs, cells, row and table breaks). Chapter
headings and content markers (第二十条…, 申请人情况, 行政复议) switch the current table, so tables are found
by what they contain even when chapters are renumbered or a heading follows its table. Within a table a
row starts at a cell whose label matches a canonical row; its values are the cells that follow — exactly
the rest of the grid row for positional tables, or the next value cells of the stream otherwise. What
each table does with its rows lives in its own module (proactive, requests, review).
"""

from __future__ import annotations

from etl import formats as F
from etl.extract.tables import proactive as t2
from etl.extract.tables import requests as t3
from etl.extract.tables.cells import read_cell
from etl.extract.tables.labels import match_key
from etl.extract.tables.result import OpenRow, TableResult
from etl.extract.tables.review import T4Reader
from etl.extract.tables.stream import CELL, PARA, ROWBREAK, TABLEBREAK, VALUE_KINDS, Token, values_follow
from etl.formats import norm
from etl.model import ExtraRow, Problem
from etl.values import NUMBER, TEXT, ZERO, parse_cell

_T3_WORD_A, _T3_WORD_B = F.T3_HEADER_WORDS  # on every cell's path: two `in` tests, no generator
_CHAPTER_INDEX = {k: i for i, k in enumerate(F.CHAPTER_KEYS)}

CHAPTER_TABLE = {"proactive": "t2", "requests": "t3", "review_litigation": "t4"}


class TableWalker:
    def __init__(self) -> None:
        self.res = TableResult()
        self.ctx: str | None = None  # t2 | t3 | t4 | None
        self.chapter: str | None = None
        self.row: OpenRow | None = None
        self.seen: set[tuple[str, str, str]] = set()
        self.t2 = t2.T2Header()
        # table 3
        self.t3_header: list[str] = []
        self.t3_cols: tuple[str, ...] | None = None
        self.t3_placed = "official_order"
        self.t3_unlabelled: list[list[Token]] = []  # grid rows of values printed without their label
        self.t3_last: str | None = None
        self.t4 = T4Reader()

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
                if self.t4.row:
                    self.t4.grid_row()
        self._finish_row(at_end=True)
        self._place_unlabelled(None)
        self._finish_t4()
        t3.verify_positions(self.res)
        t3.verify_order(self.res, self.t3_cols or F.T3_COL_KEYS)
        if not self.res.formats["t2"]:  # a table 2 that printed labels but no values still shows its format
            self.res.formats["t2"] |= self.t2.seen_fmt
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
            self.t2.cells, self.t2.open = [], False

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
            if len(n) <= 40 and match_key(F.T3_ROWS, n) and values_follow(toks, i):
                self._switch("t3")
                self.t3_last = "?"  # the header is not in view
            else:
                self._text(t)
                return
        if self.ctx == "t2" and match_key(F.T3_ROWS, n) == "new_received" and len(n) <= 40:
            self._switch("t3")  # table 3 right after table 2, its heading and header note not printed
        if self.ctx == "t4":
            if self.t4.cell(t):
                self._finish_t4()  # text after the numbers: the table is over
            return
        key = self._row_key(n)
        if key is None and not t.grid and i + 1 < len(toks) and toks[i + 1].kind == CELL:
            # PDF text wraps long labels over lines: "5.要求行政机关确认或重新出" + "具已获取信息"
            nxt = toks[i + 1].n
            if parse_cell(nxt).kind == TEXT and self._row_key(nxt) is None:
                key = self._row_key(n + nxt)
        if (key is None and self.ctx == "t3" and self.t3_last not in (None, "?") and 4 <= len(n) <= 70
                and parse_cell(t.text).kind == TEXT and values_follow(toks, i)):
            misprint = t3.misprinted_row(t, self.t3_last, self.seen)
            if misprint is not None:
                key = misprint[0]
                self.res.problems.append(misprint[1])
        if key is not None:
            self._start_row(key, t)
            return
        if self.row is not None and self._take_value(t):
            return
        if (self.ctx == "t3" and self.row is None and t.grid and self.t3_last not in (None, "?")
                and (i == 0 or toks[i - 1].kind != CELL) and parse_cell(t.text).kind in VALUE_KINDS):
            # a PDF converter printed this row's values on their own and its label elsewhere
            self.row = OpenRow("t3", None, "", self.t3_cols or F.T3_COL_KEYS, True, [t], unlabelled=True)
            return
        self._header_or_extra(t, toks, i)

    def _row_key(self, n: str) -> str | None:
        if not n or len(n) > 70 or parse_cell(n).kind != TEXT:
            return None
        if self.ctx == "t2":
            return match_key(F.T2_ROWS, n)
        return t3.row_key(n, self.t3_last)

    def _place_unlabelled(self, nxt: str | None) -> None:
        pending, self.t3_unlabelled = self.t3_unlabelled, []
        if not pending:
            return
        placed = t3.place_unlabelled(pending, self.t3_last, nxt, self.seen, self.t3_cols or F.T3_COL_KEYS)
        if isinstance(placed, Problem):
            self.res.problems.append(placed)
            return
        for key, col, raw in placed:
            self._emit("t3", key, col, raw, placed="position")

    def _take_value(self, t: Token) -> bool:
        """Append a cell to the open row when it is one of its values. False when it ends the row."""
        row = self.row
        assert row is not None
        if row.grid and t.grid:
            row.values.append(t)
            return True
        kind = parse_cell(t.text).kind
        if kind in VALUE_KINDS:
            if len(row.values) < len(row.cols):
                row.values.append(t)
            return True
        if row.table == "t2" and (t2.ITEM.search(t.n) or t.n.startswith(F.T2_HEADER_WORD) or F.t2_cols_in(t.n)):
            self._finish_row()  # the next item's heading or header: this row printed no values
            return False
        if not row.values:
            return True  # label wrapped onto another line, e.g. "形，不计其他情形）"
        if len(row.values) < len(row.cols) and len(t.n) <= 3:
            row.values.append(t)  # a stray word in a value position, e.g. "增"
            return True
        self._finish_row()
        return False

    def _start_row(self, key: str, t: Token) -> None:
        self._finish_row()
        if self.ctx == "t2":
            header = tuple(self.t2.cells)
            # how many values a stream row takes: one per header column, else the longest official layout
            width = t2.row_width(key, header)
            self.t2.open = False
            self.row = OpenRow("t2", key, t.text, ("?",) * width, t.grid, header_unit=self.t2.unit, header=header)
        else:
            if self.t3_cols is None:
                self.t3_cols = t3.column_order("".join(self.t3_header))
                # columns named by the header, or the official order where the header is not readable
                self.t3_placed = "header" if t3.header_read("".join(self.t3_header)) else "official_order"
            self._place_unlabelled(key)
            self.t3_last = key
            self.row = OpenRow("t3", key, t.text, self.t3_cols, t.grid, placed=self.t3_placed)

    def _header_or_extra(self, t: Token, toks: list[Token], i: int) -> None:
        n = t.n
        if self.ctx == "t2":
            if self.t2.take(t):
                return
        elif self.ctx == "t3" and self.t3_last is None:
            self.t3_header.append(n)
            return
        # an unknown label followed by values: a local row (其他主动公开文件, 行政检查…)
        if (parse_cell(t.text).kind == TEXT and 2 <= len(n) <= 30 and not self._is_group(n)
                and values_follow(toks, i)):
            cols = tuple(self.t2.cells) if self.ctx == "t2" and self.t2.cells else (
                F.T3_COL_KEYS if self.ctx == "t3" else ("value",))
            if self.ctx == "t3" and self.t3_cols:
                cols = self.t3_cols
            self.row = OpenRow(self.ctx or "", None, t.text, cols, t.grid)

    def _is_group(self, n: str) -> bool:
        if self.ctx == "t3":
            return any(any(g2 in n for g2 in (norm(g[0]), norm(g[1]))) for g in F.T3_GROUPS.values()) or (
                len(n) <= 4)
        return F.T2_HEADER_WORD in n or F.T2_ITEM_WORD in n

    def _finish_row(self, at_end: bool = False) -> None:
        row, self.row = self.row, None
        if row is None or not row.values:
            return
        if row.unlabelled:
            if len(row.values) == len(row.cols) and all(parse_cell(v.text).kind in VALUE_KINDS for v in row.values):
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
                p = parse_cell(raw.text)
                vals.append({"col": col, "raw": raw.text, "kind": p.kind, "value": p.value})
            if any(v["kind"] in (NUMBER, ZERO) for v in vals):
                self.res.extra_rows.append(ExtraRow(row.table, row.label.strip(), vals))
            return
        if row.table == "t2":
            problem = t2.place_row(row, frozenset(self.res.formats["t2"] | self.t2.seen_fmt))
            if problem is not None:
                self.res.problems.append(problem)
                return
            for fmt in t2.row_formats(row):
                self.res.formats["t2"].add(fmt)
        elif row.key == "other_total_2019":
            self.res.formats["t3"].add("2019")
        elif row.key in F.OTHER_ROWS_2021:
            self.res.formats["t3"].add("2021")
        n = min(len(row.cols), len(row.values))
        for col, raw in zip(row.cols[:n], row.values[:n], strict=True):
            self._emit(row.table, row.key, col, raw, row.header_unit, row.placed)
        if n < len(row.cols):
            self.res.partial_rows.append(f"{row.table}.{row.key}")

    def _emit(self, table: str, row: str, col: str, cell: Token, header_unit: str | None = None,
              placed: str = "header") -> None:
        if (table, row, col) in self.seen:
            self.res.problems.append(Problem("duplicate_cell", f"{table}.{row}.{col} printed twice; kept the "
                                             "first", F.addr_str(table, row, col),
                                             {"cell": F.addr_str(table, row, col)}))
            return
        self.seen.add((table, row, col))
        self.res.seen_tables.add(table)
        out, problems = read_cell(table, row, col, cell, header_unit, placed)
        self.res.problems += problems
        self.res.cells.append(out)

    # --- table 4 -------------------------------------------------------------------------------
    def _finish_t4(self) -> None:
        cells, placed, partial = self.t4.take(("t4", "review", "upheld") in self.seen)
        for r, c, raw in cells:
            self._emit("t4", r, c, raw, placed=placed)
        if partial:
            self.res.partial_rows.append("t4")
