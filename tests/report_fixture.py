"""A small 2021-format report written by the tests, and the text renderings real pages take.

The figures are arbitrary but distinct per cell (so a value landing in the wrong cell is caught); one
table-3 cell is blank and one is "/" to check that neither becomes 0.
"""

from __future__ import annotations

from etl import formats as F

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
GROUP_OF = {"granted": "三、本年度办理结果", "withheld_state_secret": "（三）不予公开",
            "unavailable_not_held": "（四）无法提供", "not_processed_petition": "（五）不予处理",
            "other_no_correction": "（六）其他处理"}
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
