"""Helpers shared by the test modules: paths, the small corpus the warehouse and checks tests build, the
2021-format report in its text/HTML/DOCX renderings, and generated reader inputs (HTML pages, PDFs).

Everything here is written by the tests themselves, never copied from anywhere. Pytest fixtures stay in
conftest.py; dashboard-only helpers in tests/dashboard/dash_helpers.py.
"""

from __future__ import annotations

import contextlib
import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from etl import formats as F

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "data" / "samples"  # the bundled generated corpus


# --- a small corpus of tab-separated text reports (2021 and 2019 formats) ------------------------------

Addr = tuple[str, str, str]
_LABEL = {(t, "row", k.key): k.zh for t, keys in F.ROWS.items() for k in keys}
_LABEL |= {(t, "col", k.key): k.zh for t, keys in F.COLS.items() for k in keys}
# the group heading printed before the first row of each table-3 outcome group
GROUP_OF = {"granted": "三、本年度办理结果", "withheld_state_secret": "（三）不予公开",
            "unavailable_not_held": "（四）无法提供", "not_processed_petition": "（五）不予处理",
            "other_no_correction": "（六）其他处理"}


def clean_values(rng: random.Random, fmt: str = "2021", carried_over: dict[str, int] | None = None,
                 prev_in_force: dict[str, int] | None = None, scale: int = 6) -> dict[Addr, int | float]:
    """Figures that obey every within-report rule (and, given last year's, X-carry and X-stock)."""
    v: dict[Addr, int | float] = {}
    t2 = F.T2_FORMATS[fmt]
    for row, cols in t2.layout.items():
        for col in cols:
            v["t2", row, col] = rng.randint(0, 40)
    if fmt == "2021":
        for row in ("regulations", "normative_documents"):
            repealed = rng.randint(0, 3)
            issued = rng.randint(0, 5)
            base = (prev_in_force or {}).get(row, rng.randint(10, 60))
            v["t2", row, "repealed"], v["t2", row, "issued"] = repealed, issued
            v["t2", row, "in_force"] = base + issued - repealed
        v["t2", "admin_fees", "amount_10k_yuan"] = round(rng.uniform(0, 50), 2)
    outcome_rows = F.T3_OUTCOME_ROWS_2021 if fmt == "2021" else F.T3_OUTCOME_ROWS_2019
    for col in F.T3_APPLICANT_COLS:
        for row in outcome_rows:
            v["t3", row, col] = rng.randint(0, scale) if rng.random() < 0.6 else 0
        done = sum(v["t3", r, col] for r in outcome_rows)
        v["t3", "total_processed", col] = done
        cf = rng.randint(0, 3)
        co = (carried_over or {}).get(col, rng.randint(0, 3))
        co = min(co, done + cf)
        v["t3", "carried_forward", col] = cf
        v["t3", "carried_over", col] = co
        v["t3", "new_received", col] = done + cf - co
    for row in F.T3_ROWS_BY_FORMAT[fmt]:
        v["t3", row, "total"] = sum(v["t3", row, c] for c in F.T3_APPLICANT_COLS)
    if carried_over is not None and "total" in carried_over:
        assert v["t3", "carried_over", "total"] == carried_over["total"], "carry-over must add up"
    for block in F.T4_ROW_KEYS:
        parts = [rng.randint(0, 4) for _ in range(4)]
        for col, x in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            v["t4", block, col] = x
        v["t4", block, "total"] = sum(parts)
    return v


def next_year(rng: random.Random, prev: dict[Addr, int | float], fmt: str = "2021") -> dict[Addr, int | float]:
    """Figures for the following year that carry over last year's carried_forward and document stock."""
    carried = {c: int(prev["t3", "carried_forward", c]) for c in F.T3_COL_KEYS}
    stock = {r: int(prev["t2", r, "in_force"]) for r in ("regulations", "normative_documents")
             if ("t2", r, "in_force") in prev}
    for _ in range(200):  # carried_over may not exceed what the year can absorb: retry until it fits
        v = clean_values(rng, fmt, carried_over=carried, prev_in_force=stock)
        if all(v["t3", "carried_over", c] == carried[c] for c in F.T3_COL_KEYS):
            return v
    raise AssertionError("could not draw a consistent next year")


def _cell(v: int | float | None | str) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return f"{v:g}" if isinstance(v, float) else str(v)


def render_report(agency: str, year: int, values: dict[Addr, int | float | None | str], t2_fmt: str = "2021",
           t3_fmt: str = "2021", narrative: str = "", published: str | None = None,
           drop_chapter: str | None = None) -> str:
    """A report as text copied from a web page: tab-prefixed cells, blank line between table rows.
    A value may be a string to print as is ("/", "", "十二"); None prints a blank cell."""
    out = [f"{agency}{year}年政府信息公开工作年度报告"]
    if published:
        out.append(f"发布日期：{published}")
    chapters = dict((k, zh) for k, zh, _ in F.CHAPTERS)
    ords = "一二三四五六"

    def heading(i: int, key: str) -> None:
        if key != drop_chapter:
            out.append(f"{ords[i]}、{chapters[key]}")

    def row(*cells: str) -> None:
        out.extend("\t" + c for c in cells)
        out.append("")

    heading(0, "overview")
    out.append(narrative or "本机关认真贯彻落实政府信息公开条例。")
    heading(1, "proactive")
    layout = F.T2_FORMATS[t2_fmt].layout
    for item, rows in F.T2_ITEMS.items():
        rows = [r for r in rows if r in layout]
        if not rows:
            continue
        row(f"第二十条第（{item}）项")
        row("信息内容", *(_LABEL["t2", "col", c] for c in layout[rows[0]]))
        for r in rows:
            row(_LABEL["t2", "row", r], *(_cell(values.get(("t2", r, c))) for c in layout[r]))
    heading(2, "requests")
    row("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况")
    row("自然人", "法人或其他组织", "总计")
    row("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
    for r in F.T3_ROWS_BY_FORMAT[t3_fmt]:
        lead = [GROUP_OF[r]] if r in GROUP_OF and not (t3_fmt == "2019" and r == "other_total_2019") else []
        label = "（六）其他处理" if r == "other_total_2019" else _LABEL["t3", "row", r]
        row(*lead, label, *(_cell(values.get(("t3", r, c))) for c in F.T3_COL_KEYS))
    heading(3, "review_litigation")
    row("行政复议", "行政诉讼")
    row("未经复议直接起诉", "复议后起诉")
    row(*(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3))
    row(*(_cell(values.get(("t4", b, c))) for b in F.T4_ROW_KEYS for c in F.T4_COL_KEYS))
    heading(4, "problems")
    out.append("个别栏目更新不够及时。")
    heading(5, "other")
    out.append("本年度未收取信息处理费。")
    out.append(agency)
    return "\n".join(out) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def corpus(folder: Path, n_agencies: int = 3, years: tuple[int, ...] = (2021, 2022), seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    out = []
    for i in range(n_agencies):
        agency = f"样例市样例{'甲乙丙丁戊己'[i]}局"
        v = clean_values(rng)
        for y in years:
            out.append(write(folder / f"a{i}", f"{y}.txt", render_report(agency, y, v, published=f"{y + 1}-01-10")))
            v = next_year(rng, v)
    return out


# --- one 2021-format report and the renderings real pages take ------------------------------------------
# The figures are arbitrary but distinct per cell (so a value landing in the wrong cell is caught); one
# table-3 cell is blank and one is "/" to check that neither becomes 0.

T2_BLOCKS = [
    ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("规 章", ["1", "0", "11"]), ("行政规范性文件", ["8", "26", "66"])]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("行政许可", ["447228"])]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"], [("行政处罚", ["3985758"]), ("行政强制", ["88283"])]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("行政事业性收费", ["96171.6"])]),
]
T2_EXPECTED = {
    ("regulations", "issued"): 1, ("regulations", "repealed"): 0, ("regulations", "in_force"): 11,
    ("normative_documents", "issued"): 8, ("normative_documents", "repealed"): 26,
    ("normative_documents", "in_force"): 66, ("licensing", "decisions"): 447228,
    ("punishment", "decisions"): 3985758, ("coercion", "decisions"): 88283,
    ("admin_fees", "amount_10k_yuan"): 96171.6,
}
BLANK_CELL = ("withheld_inquiry", "research")
NA_CELL = ("withheld_inquiry", "social_welfare")


def t3_value(i: int, j: int) -> str:
    return str((i * 7 + j * 3) % 17 + (100 if j == 6 else 0))


def t3_rows() -> list[tuple[str, str, list[str]]]:
    """(row key, printed label, 7 printed values) for every 2021 table-3 row."""
    out = []
    labels = {k.key: k.zh for k in F.T3_ROWS}
    for i, key in enumerate(F.T3_ROWS_2021):
        vals = [t3_value(i, j) for j in range(7)]
        if key == BLANK_CELL[0]:
            vals[F.T3_COL_KEYS.index(BLANK_CELL[1])] = ""
            vals[F.T3_COL_KEYS.index(NA_CELL[1])] = "/"
        out.append((key, labels[key], vals))
    return out


def t3_expected() -> dict[tuple[str, str], int | None]:
    exp: dict[tuple[str, str], int | None] = {}
    for key, _, vals in t3_rows():
        for col, v in zip(F.T3_COL_KEYS, vals, strict=True):
            exp[(key, col)] = int(v) if v.isdigit() else None
    return exp


T4_VALUES = [str(v) for v in (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20)]
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEAD = ["样例测试县样例局", "2023年政府信息公开工作年度报告", "一、总体情况",
        "本年度主动公开政府信息1234条。全年共收到政府信息公开申请56件，办结55件。",
        "二、主动公开政府信息情况"]
TAIL = ["五、存在的主要问题及改进情况", "个别栏目更新不及时。", "六、其他需要报告的事项", "本年度未收取信息处理费。",
        "样例测试县样例局", "2024年1月15日"]


def grid_rows(rowspan_once: bool = True) -> list[tuple[str, list[str]]]:
    """Table rows as ('t2'|'t3'|'t4'|'para', cells) in document order (group labels on first row only)."""
    rows: list[tuple[str, list[str]]] = [("para", [h]) for h in HEAD]
    for item, header, data in T2_BLOCKS:
        rows.append(("t2", [item]))
        rows.append(("t2", header))
        rows += [("t2", [label, *vals]) for label, vals in data]
    rows.append(("para", ["三、收到和处理政府信息公开申请情况"]))
    rows.append(("t3", [T3_NOTE, "申请人情况"]))
    rows.append(("t3", ["自然人", "法人或其他组织", "总计"]))
    rows.append(("t3", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]))
    for key, label, vals in t3_rows():
        group = GROUP_OF.get(key)
        lead = [group] if group else ([""] if not rowspan_once and key not in ("new_received", "carried_over",
                                                                              "carried_forward") else [])
        rows.append(("t3", [*lead, label, *vals]))
    rows.append(("para", ["四、政府信息公开行政复议、行政诉讼情况"]))
    rows.append(("t4", ["行政复议", "行政诉讼"]))
    rows.append(("t4", ["未经复议直接起诉", "复议后起诉"]))
    rows.append(("t4", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3))
    rows.append(("t4", T4_VALUES))
    rows += [("para", [t]) for t in TAIL]
    return rows


def render(kind: str) -> str:
    rows = grid_rows()
    out: list[str] = []
    if kind == "a":  # tab-prefixed cells, blank line between rows
        for what, cells in rows:
            out += [cells[0]] if what == "para" else [*("\t" + c for c in cells), ""]
    elif kind == "b":  # one cell per line, blank line between cells, empty cell = extra blank line
        for what, cells in rows:
            if what == "para":
                out += [cells[0], ""]
                continue
            for c in cells:
                out += [""] if c == "" else [c, ""]
    elif kind == "c":  # "| a | b |" rows, padding to the widest row
        for what, cells in rows:
            if what == "para":
                out.append(cells[0])
            else:
                pad = " " + "|" * max(0, 9 - len(cells)) if what != "t4" else ""
                out.append("| " + " | ".join(cells) + " |" + pad)
    elif kind == "d":  # one cell per line ending " |", rows separated by pipe-only lines
        for what, cells in rows:
            if what == "para":
                out.append(cells[0])
            else:
                out += [f"{c} |" for c in cells] + ["|" * 3]
    elif kind == "e":  # cells separated by lines holding only "|"; a long label wraps
        for what, cells in rows:
            if what == "para":
                out.append(cells[0])
                continue
            for c in cells:
                out += ([c[:2], c[2:]] if c == "商业企业" else [c]) + ["|"]
    elif kind == "f":  # PDF text: values on the label's line, headers split, page numbers
        for n, (what, cells) in enumerate(rows):
            if n == 30:
                out.append("- 3 -")
            if what == "t4" and cells[0].isdigit():
                out.append(" ".join(cells))
            elif what == "t4":
                out += [" ".join(c[i:i + 2] for c in cells) for i in range(0, 4, 2)]
            elif what in ("t2", "t3") and _n_values(what, cells):
                k = _n_values(what, cells)
                labels, values = cells[:-k], [v or "/" for v in cells[-k:]]
                out += labels[:-1] + [labels[-1] + " " + " ".join(values)]
            else:
                out += cells
    else:
        raise ValueError(kind)
    return "\n".join(out) + "\n"


def _n_values(what: str, cells: list[str]) -> int:
    """How many trailing cells of a table row are values (0 for header rows)."""
    if what == "t3":
        return 7 if len(cells) >= 8 else 0
    if what == "t2" and cells[-1][:1].isdigit():
        return len(cells) - 1
    return 0


# --- the same report as an HTML page and a Word document, with the official merged cells ----------

def _t3_html_rows() -> list[list[tuple[str, int, int]]]:
    """Table 3 as rows of (text, rowspan, colspan), merged as the official form prints it."""
    rows: list[list[tuple[str, int, int]]] = [
        [(T3_NOTE, 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [(x, 1, 1) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    spans = {"三、本年度办理结果": 22, "（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5,
             "（六）其他处理": 3}
    for key, label, vals in t3_rows():
        cells: list[tuple[str, int, int]] = []
        group = GROUP_OF.get(key)
        if key in ("new_received", "carried_over", "carried_forward"):
            cells.append((label, 1, 3))
        else:
            if key == "granted":
                cells.append(("三、本年度办理结果", spans["三、本年度办理结果"], 1))
            if key in ("granted", "partially_granted", "total_processed"):
                cells.append((label, 1, 2))
            else:
                if group:
                    cells.append((group, spans[group], 1))
                cells.append((label, 1, 1))
        cells += [(v, 1, 1) for v in vals]
        rows.append(cells)
    return rows


def _t2_html_rows() -> list[list[tuple[str, int, int]]]:
    """Table 2 in a 4-column grid: item headings span the row, the last header/value spans the rest."""
    rows: list[list[tuple[str, int, int]]] = []
    for item, header, data in T2_BLOCKS:
        rows.append([(item, 1, 4)])
        span = 4 - len(header) + 1
        rows.append([(h, 1, span if i == len(header) - 1 else 1) for i, h in enumerate(header)])
        rows += [[(label, 1, 1)] + [(v, 1, span if i == len(vals) - 1 else 1) for i, v in enumerate(vals)]
                 for label, vals in data]
    return rows


def _word_markup(text: str) -> str:
    """Word-pasted HTML: nested spans and a number split across tags."""
    if text.isdigit() and len(text) > 2:
        return f'<span style="font-family:宋体"><font>{text[:2]}</font></span><span>{text[2:]}</span>'
    return f'<p class="MsoNormal"><span lang="EN-US"><o:p></o:p></span><span>{text or "&nbsp;"}</span></p>'


def render_html(encoding: str = "utf-8", declare: str | None = "utf-8") -> bytes:
    def table(rows: list[list[tuple[str, int, int]]]) -> str:
        out = ['<table border="1" cellspacing="0">']
        for row in rows:
            tds = "".join(f'<td rowspan="{r}" colspan="{c}">{_word_markup(t)}</td>' for t, r, c in row)
            out.append(f"<tr>{tds}</tr>")
        return "\n".join(out + ["</table>"])

    t2 = _t2_html_rows()
    t4 = [[("行政复议", 2, 5), ("行政诉讼", 1, 10)],
          [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
          [(x, 1, 1) for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3],
          [(v, 1, 1) for v in T4_VALUES]]
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={declare}">' if declare else ""
    paras = lambda xs: "".join(f"<p>{x}</p>" for x in xs)  # noqa: E731
    body = (f"<div class='info'>发布机构：{HEAD[0]}　公开日期：2024-01-15</div>"
            f"<h1>{HEAD[0]}{HEAD[1]}</h1>" + paras(HEAD[2:]) + table(t2)
            + paras(["三、收到和处理政府信息公开申请情况"]) + table(_t3_html_rows())
            + paras(["四、政府信息公开行政复议、行政诉讼情况"]) + table(t4) + paras(TAIL[:4]))
    html = f"<html><head>{meta}<title>{HEAD[0]}{HEAD[1]}</title></head><body>{body}</body></html>"
    return html.encode(encoding)


def render_docx(path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph(HEAD[0])
    for h in HEAD[1:]:
        d.add_paragraph(h)

    def table(rows: list[list[tuple[str, int, int]]], ncols: int) -> None:
        t = d.add_table(rows=len(rows), cols=ncols)
        taken: set[tuple[int, int]] = set()
        for i, row in enumerate(rows):
            j = 0
            for text, rs, cs in row:
                while (i, j) in taken:
                    j += 1
                cell = t.cell(i, j)
                if rs > 1 or cs > 1:
                    cell = cell.merge(t.cell(i + rs - 1, j + cs - 1))
                cell.text = text
                taken |= {(a, b) for a in range(i, i + rs) for b in range(j, j + cs)}
                j += cs

    table(_t2_html_rows(), 4)
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    table(_t3_html_rows(), 10)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    table([[("行政复议", 2, 5), ("行政诉讼", 1, 10)], [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
           [(x, 1, 1) for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3],
           [(v, 1, 1) for v in T4_VALUES]], 15)
    for x in TAIL:
        d.add_paragraph(x)
    d.save(path)


# --- generated reader inputs: CMS-like HTML pages and PDFs ----------------------------------------------
# The page mimics what government CMS pages look like (site chrome, a labelled field line, Word-pasted
# paragraphs with nested span/font/o:p tags, a table with rowspans/colspans) with made-up figures.

T3_ROWS = [
    ("一、本年新收政府信息公开申请数量", [12, 3, 0, 0, 1, 0, 16]),
    ("二、上年结转政府信息公开申请数量", [2, 0, 0, 0, 0, 0, 2]),
    ("（一）予以公开", [7, 1, 0, 0, 1, 0, 9]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [3, 0, 0, 0, 0, 0, 3]),
    ("（七）总计", [10, 1, 0, 0, 1, 0, 12]),
    ("四、结转下年度继续办理", [4, 2, 0, 0, 0, 0, 6]),
]


def word_span(text: str) -> str:
    """Word-pasted inline markup around a text, with the text split over two spans."""
    half = len(text) // 2
    return (f"<span lang=EN-US style='font-size:12.0pt;font-family:仿宋_GB2312'><font face=仿宋>{text[:half]}"
            f"</font></span><span style='mso-bidi-font-size:10.5pt'>{text[half:]}<o:p></o:p></span>")


def report_page(paragraphs: int = 60, charset_meta: str | None = "utf-8") -> str:
    """A report page of roughly `paragraphs` × 0.9 KB of markup plus one table 3."""
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    body = [
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>',
        '<div class="info">发布机构：示例市示例局&nbsp;&nbsp;发布日期：2024-01-20&nbsp;成文日期：2024-01-18</div>',
        '<div id="zoom">',
        '<p class=MsoNormal align=center><b><span>示例局2023年政府信息公开工作年度报告</span></b></p>',
        "<p>一、总体情况</p>",
    ]
    for i in range(paragraphs):
        body.append(f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
                    f"{word_span(f'第{i}段：本机关坚持以公开为常态、不公开为例外，全年主动公开政府信息{i * 7}条，')}"
                    f"{word_span('持续推进决策、执行、管理、服务、结果公开，回应社会关切，')}"
                    f"{word_span('不断提升政务公开质量和实效。')}</p>")
    body.append("<p>三、收到和处理政府信息公开申请情况</p>")
    rows = ['<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>',
            "<tr><td colspan=3 rowspan=3>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
            "<td colspan=7>申请人情况</td></tr>",
            "<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>",
            "<tr><td>商业<br>企业</td><td>科研<br>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"]
    for label, values in T3_ROWS:
        cells = "".join(f"<td><p class=MsoNormal align=center>{word_span(str(v))}</p></td>" for v in values)
        rows.append(f"<tr><td colspan=3>{word_span(label)}</td>{cells}</tr>")
    rows.append("</table>")
    body.extend(rows)
    body.append("<p>五、存在的主要问题及改进情况</p></div>")
    body.append('<div class="footer">版权所有：示例市人民政府 网站标识码：0000000000</div>')
    return (f"<!DOCTYPE html><html><head>{head}<title>示例局2023年政府信息公开工作年度报告_示例市人民政府</title>"
            '<meta name="ArticleTitle" content="示例局2023年政府信息公开工作年度报告">'
            '<meta name="PubDate" content="2024-01-20 09:30">'
            '<meta name="ContentSource" content="示例市示例局">'
            '<link rel="canonical" href="https://www.example.gov.cn/zwgk/2024/01/report.html">'
            "<script>var x = '<p>not text</p>';</script><style>p{margin:0}</style></head>"
            f"<body>{''.join(body)}<script>document.write('广告');</script></body></html>")


# --- PDF ---------------------------------------------------------------------------------------------

PDF_T3_HEAD = ["申请人情况", "自然人", "商业企业", "总计"]
# (label, cells); "" is a blank cell printed as nothing at all
PDF_T3_ROWS = [
    ("一、本年新收政府信息公开申请数量", ["3119", "53", "3172"]),
    ("二、上年结转政府信息公开申请数量", ["34", "", "34"]),
    ("（一）予以公开", ["1288", "21", "1309"]),
    ("（二）部分公开", ["447", "7", "454"]),
    ("（三）不予公开", ["2", "0", "2"]),
    ("（七）总计", ["2932", "53", "2985"]),
    ("四、结转下年度继续办理", ["103", "0", "103"]),
]


def pdf_report(rows_on_first_page: int = 4, ruled: bool = True) -> bytes:
    """A two-page PDF: running header, prose, a table 3 broken across the pages, "- N -" page numbers.

    The ruled table is drawn line by line: header "申请人情况" spans the two label columns; the rows
    (一)…(三) sit beside a label merged vertically over them and written one character per line, which
    runs across the page break (blank on page 2); the other rows' labels span both label columns.
    """
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    cols = [60, 100, 330, 400, 470, 540]  # x of the vertical rules: 5 columns
    row_h = 30
    merged_rows = {"（一）予以公开", "（二）部分公开", "（三）不予公开"}

    def furniture(n: int) -> None:
        c.setFont("STSong-Light", 9)
        c.drawString(60, 802, "示例市人民政府信息公开专栏")
        c.drawString(280, 40, f"- {n} -")
        c.setFont("STSong-Light", 10)

    def row(y: float, label: str, values: list[str], first_of_merge: bool) -> float:
        merged = label in merged_rows
        c.line(cols[1] if merged and not first_of_merge else cols[0], y, cols[-1], y)
        for x in cols:
            if x != cols[1] or merged:
                c.line(x, y, x, y - row_h)
        c.drawString((cols[1] if merged else cols[0]) + 4, y - 19, label)
        for x, text in zip(cols[2:5], values, strict=True):
            if text:
                c.drawString(x + 4, y - 19, text)
        return y - row_h

    furniture(1)
    c.setFont("STSong-Light", 16)
    c.drawString(150, 760, "示例局2024年政府信息公开工作年度报告")
    c.setFont("STSong-Light", 10)
    c.drawString(80, 720, "一、总体情况")
    c.drawString(60, 700, "本年共受理政府信息公开申请3119件，答复3050件。")
    c.drawString(80, 680, "三、收到和处理政府信息公开申请情况")
    y = 660.0
    if ruled:
        c.line(cols[0], y, cols[-1], y)
        for x in (cols[0], *cols[2:]):
            c.line(x, y, x, y - row_h)
        for x, text in zip((cols[0], *cols[2:5]), PDF_T3_HEAD, strict=True):
            c.drawString(x + 4, y - 19, text)
        y -= row_h
        page_rows = [PDF_T3_ROWS[:rows_on_first_page], PDF_T3_ROWS[rows_on_first_page:]]
        for page, rows in enumerate(page_rows):
            if page == 1:
                c.line(cols[0], y, cols[-1], y)
                c.showPage()
                furniture(2)
                y = 780.0
            first = True
            for label, values in rows:
                if label in merged_rows and first and page == 0:
                    for i, ch in enumerate("办理结果"):  # the merged label, one character per line
                        c.drawString(cols[0] + 15, y - 14 - i * 13, ch)
                y = row(y, label, values, first_of_merge=first)
                first = label not in merged_rows
        c.line(cols[0], y, cols[-1], y)
    else:
        for label, values in PDF_T3_ROWS:
            for x, text in zip((60, 330, 400, 470), [label, *values], strict=True):
                if text:
                    c.drawString(x, y, text)
            y -= 22
        c.showPage()
        furniture(2)
        y = 780.0
    c.drawString(80, y - 40, "五、存在的主要问题及改进情况")
    c.drawString(60, y - 60, "主要问题是解读不够通俗。")
    c.save()
    return buf.getvalue()


def pdf_image_only(pages: int = 2) -> bytes:
    """Pages carrying only graphics (as a scanner's output carries only images): no text layer."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    for _ in range(pages):
        c.setFillGray(0.4)
        c.rect(50, 50, 495, 742, fill=1, stroke=0)
        for i in range(40):
            c.setFillGray(0.1)
            c.rect(70, 760 - i * 17, 400 - (i * 37) % 200, 9, fill=1, stroke=0)
        c.showPage()
    c.save()
    return buf.getvalue()


def scanned_copy(pdf: bytes, dpi: int, rotate: float = 0.0, pages: list[int] | None = None) -> bytes:
    """An image-only copy of a PDF, as a scanner makes one: each page (or only `pages`, 0-based, the
    others kept as text) rasterised at `dpi` in grey, turned by `rotate` degrees, stored as a PNG page."""
    import cv2
    import numpy as np
    import pymupdf

    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for i, page in enumerate(src):
        if pages is not None and i not in pages:
            out.insert_pdf(src, from_page=i, to_page=i)
            continue
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
        if rotate:
            h, w = img.shape
            m = cv2.getRotationMatrix2D((w / 2, h / 2), rotate, 1.0)
            img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=cv2.imencode(".png", img)[1].tobytes())
    return out.tobytes()


def page_image(pdf: bytes, page: int, dpi: int, quarter_turns: int = 0) -> bytes:
    """One page of a PDF as a PNG file, turned by quarter turns (a page scanned sideways or upside down)."""
    import cv2
    import numpy as np
    import pymupdf

    pix = pymupdf.open(stream=pdf, filetype="pdf")[page].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    img = np.rot90(np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width), quarter_turns)
    return cv2.imencode(".png", np.ascontiguousarray(img))[1].tobytes()


def fake_sites(base: Path, agencies: int = 9, seed: int = 5):
    """Generated fake agency websites served on loopback: (sites.json truth, running Served, SOURCES.csv).
    The caller closes the servers."""
    from etl.sample.corpus import generate
    from etl.sample.site_server import serve
    from etl.sample.sites import write_sites

    generate(base / "corpus", agencies=agencies, years=list(range(2021, 2025)), seed=seed,
             kinds=["html", "pdf", "docx"], workers=1)
    truth = write_sites(base / "corpus", base / "sites")
    served = serve(base / "sites")
    return truth, served, served.write_sources(base / "SOURCES.csv")


class Peak:
    mb: float = 0.0


@contextlib.contextmanager
def peak_memory() -> Iterator[Peak]:
    """The most Python memory allocated inside the block, in MB: a deterministic stand-in for "it stopped before
    expanding" (a clock would fail under load; an expansion allocates what it expands, whatever the machine)."""
    peak = Peak()
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.mb = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
