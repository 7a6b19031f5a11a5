"""A table reading the table's own sums refute is not kept: another reading of the same PDF that satisfies
them is taken, and where no reading holds the cells the readings disagree on are withdrawn as `unproven`.

The PDFs are drawn here: a ruled table 3 (2021 form) whose chosen rows have their values drawn most of a
column to the right, so that reading words by position puts each value under the next column, while the
page's text, in the order it was written, still reads every value in its place."""

from __future__ import annotations

import io

import pytest

from etl import formats as F
from etl.document import Document
from etl.extract.tables import TableWalker, tokens
from etl.model import Report
from etl.parse import parse_file
from etl.readers import pdf as pdf_reader

Values = dict[tuple[str, str], int]

# outcome rows with requests (the rest print 0), per applicant column: natural person, commercial, research,
# social welfare, legal services, other
_OUTCOMES = {"granted": [40, 6, 1, 0, 2, 1], "partially_granted": [5, 1, 0, 0, 0, 0],
             "withheld_third_party": [2, 0, 0, 0, 0, 0], "unavailable_not_held": [9, 3, 0, 1, 0, 0],
             "not_processed_duplicate": [3, 0, 0, 0, 0, 0], "other_other": [1, 0, 0, 0, 0, 1]}


def truth() -> Values:
    """A table 3 that satisfies every identity."""
    v: Values = {}
    for row in F.T3_OUTCOME_ROWS_2021:
        for col, x in zip(F.T3_APPLICANT_COLS, _OUTCOMES.get(row, [0] * 6), strict=True):
            v[row, col] = x
    for col in F.T3_APPLICANT_COLS:
        done = sum(v[r, col] for r in F.T3_OUTCOME_ROWS_2021)
        v["total_processed", col] = done
        v["carried_forward", col] = 2 if col == "natural_person" else 0
        v["carried_over", col] = 1 if col == "natural_person" else 0
        v["new_received", col] = done + v["carried_forward", col] - v["carried_over", col]
    for row in F.T3_ROWS_2021:
        v[row, "total"] = sum(v[row, c] for c in F.T3_APPLICANT_COLS)
    return v


def table3_pdf(v: Values, shifted: frozenset[str] = frozenset()) -> bytes:
    """One page: the chapter heading, a ruled table 3, the next chapter. Rows in `shifted` draw each value
    0.9 of a column width right of its cell's centre (the last one beyond the table's right rule); every
    value is still written in its row's order."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont(font, 12)
    c.drawString(150, 800, "示例局2023年政府信息公开工作年度报告")
    c.setFont(font, 10)
    c.drawString(60, 770, "三、收到和处理政府信息公开申请情况")
    left, label_w, col_w, row_h = 30.0, 250.0, 42.0, 20.0
    xs = [left, left + label_w] + [left + label_w + col_w * (i + 1) for i in range(7)]
    rows: list[tuple[str | None, str, list[str]]] = [
        (None, "申请人情况", [F.label("t3", "col", k) for k in F.T3_COL_KEYS])]
    rows += [(r, F.label("t3", "row", r), [str(v[r, k]) for k in F.T3_COL_KEYS]) for r in F.T3_ROWS_2021]
    y = 750.0
    c.setFont(font, 6)
    for key, label, cells in rows:
        c.line(xs[0], y, xs[-1], y)
        for x in xs:
            c.line(x, y, x, y - row_h)
        c.drawString(xs[0] + 2, y - 13, label)
        offset = 0.9 * col_w if key in shifted else 0.0
        for j, text in enumerate(cells):
            c.drawCentredString(xs[j + 1] + col_w / 2 + offset, y - 13, text)
        y -= row_h
    c.line(xs[0], y, xs[-1], y)
    c.setFont(font, 10)
    c.drawString(60, y - 30, "五、存在的主要问题及改进情况")
    c.drawString(60, y - 50, "主要问题是解读不够通俗。")
    c.save()
    return buf.getvalue()


def t3(cells) -> dict[tuple[str, str], int | float | None]:
    return {(c.row, c.col): c.value for c in cells if c.table == "t3"}


def broken(values: dict[tuple[str, str], int | float | None]) -> list[str]:
    """The table-3 identities (as the checks define them) that fail on these cells."""
    from etl.checks.definitions import identities

    out = []
    for ident in identities():
        if ident.tbl != "t3" or ident.fmt != F.Format.F2021:
            continue
        for g in ident.groups:
            def cell(k: str, g: str = g, per: str = ident.per) -> int | float | None:
                return values.get((k, g) if per == "col" else (g, k))

            parts, totals = [cell(k) for k in ident.parts], [cell(k) for k in ident.totals]
            if None not in parts and None not in totals and sum(parts) != sum(totals):  # type: ignore[arg-type]
                out.append(f"{ident.rule} {g}")
    return out


def layout_reading(data: bytes) -> dict[tuple[str, str], int | float | None]:
    """Table 3 as the PDF reader's word positions give it, before any other reading is consulted."""
    return t3(TableWalker().run(tokens(pdf_reader.read_pdf(data))).cells)


def parse(tmp_path, data: bytes) -> Report:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return parse_file(path)


def codes(r: Report, code: str) -> list[str | None]:
    return [p.where for p in r.problems if p.code == code]


def test_a_misleading_layout_gives_way_to_the_text_order_that_adds_up(tmp_path):
    v = truth()
    assert not broken(v)
    data = table3_pdf(v, frozenset({"total_processed", "carried_forward"}))
    first = layout_reading(data)
    # the premise: by position （七）总计's values moved one column right (its 自然人 cell blank, 60 under
    # 商业企业), and the table's sums fail on that reading
    assert first["total_processed", "natural_person"] is None
    assert first["total_processed", "commercial"] == v["total_processed", "natural_person"] == 60
    assert {"T3-outcomes commercial", "T3-balance total"} <= set(broken(first))

    r = parse(tmp_path, data)
    assert t3(r.cells) == v
    moved = {(c.row, c.col) for c in r.cells if c.table == "t3" and c.placed == "arithmetic"}
    assert moved == {k for k in v if first.get(k) != v[k]}
    assert codes(r, "alternative_reading") == ["t3"]
    (note,) = [p.message for p in r.problems if p.code == "alternative_reading"]
    assert "page layout" in note and "text in the order it was written" in note
    assert not codes(r, "unproven")


def test_readings_that_disagree_and_both_fail_withdraw_the_cells_they_differ_on(tmp_path):
    v = truth()
    v["partially_granted", "natural_person"] = 6  # printed wrong: 予以公开…总计 no longer adds up, in any reading
    data = table3_pdf(v, frozenset({"granted", "total_processed"}))
    first = layout_reading(data)
    differ = {k for k in v if first.get(k) != v[k]}
    assert broken(first) and broken(v)

    r = parse(tmp_path, data)
    got = t3(r.cells)
    # the cells the two readings disagree on are left out, never given either value
    assert not differ & set(got)
    assert {k: x for k, x in got.items()} == {k: x for k, x in v.items() if k not in differ}
    # where both readings agree the figure stands, the source's own error included: a true finding
    assert got["partially_granted", "natural_person"] == 6
    unproven = codes(r, "unproven")
    # every cell of 予以公开 differs: one problem for the row; （七）总计 differs on some cells: one each
    assert "t3.granted" in unproven
    assert not any(w and w.startswith("t3.granted.") for w in unproven)
    total_cells = sorted(F.addr_str("t3", row, col) for row, col in differ if row == "total_processed")
    assert total_cells and sorted(w for w in unproven if w and w.startswith("t3.total_processed")) == total_cells
    assert len(unproven) == 1 + len(total_cells)
    for p in r.problems:
        if p.code == "unproven":  # the message names both competing readings and what each read
            assert "page layout" in p.message and "text in the order it was written" in p.message
    row_note = next(p.message for p in r.problems if p.where == "t3.granted")
    assert "'40' / '6' / '1' / '0' / '2' / '1' / '50'" in row_note
    assert not codes(r, "alternative_reading")


def test_a_table_that_adds_up_never_pays_for_a_second_reading(tmp_path, monkeypatch):
    calls: list[int] = []

    def counted(data: bytes) -> list[tuple[str, Document]]:
        calls.append(len(data))
        return []

    monkeypatch.setattr(pdf_reader, "text_order_readings", counted)
    v = truth()
    r = parse(tmp_path, table3_pdf(v))
    assert t3(r.cells) == v and calls == []
    # a table that does not add up asks for the other readings once; with none offered it stays as read
    v["granted", "natural_person"] = 41
    r = parse(tmp_path, table3_pdf(v))
    assert t3(r.cells) == v and len(calls) == 1
    assert not codes(r, "unproven") and not codes(r, "alternative_reading")


def test_the_parser_checks_the_identities_the_checks_define():
    """readings.identity_rules() is built from etl.formats like etl.checks.definitions.identities(), so that
    parsing does not load the checks' pandas and duckdb: the two must stay the same rules."""
    pytest.importorskip("pandas")
    from etl.checks.definitions import identities
    from etl.extract.readings import identity_rules

    theirs = [(i.rule, i.tbl, str(i.fmt), i.per, tuple(i.groups), tuple(i.parts), tuple(i.totals), i.op)
              for i in identities()]
    ours = [(rule, tbl, str(fmt), per, tuple(g), tuple(p), tuple(t), op)
            for rule, tbl, fmt, per, g, p, t, op in identity_rules()]
    assert sorted(ours) == sorted(theirs)
