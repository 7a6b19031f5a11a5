"""The 考评 score sheet as an Excel workbook: the scores ranked within peer groups, the deduction behind every
point (each item's findings or counted cases, in the findings' own words), each agency's 整改 list, and the
rules the scores were computed with. Pure of Streamlit: the dashboard passes its words in `Words`."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from etl.assess.rules import PER, Table
from etl.assess.score import Result
from etl.checks.categories import RULES
from etl.checks.labels import addr_en, addr_zh


@dataclass(frozen=True)
class Words:
    """What the sheet calls things, in the reader's language."""

    lang: str
    title: str  # 2023年度政府信息公开工作年度报告考评得分表
    note: str  # the scope: filters, data date, which findings count
    peer: Callable[[str], str]  # "city|department" -> 市级·政府部门
    place: Callable[[pd.Series], str]  # an agency row -> 省 市 县
    rectify: str  # what each agency is to do (整改要求)
    due: str  # by when (整改时限), as printed
    sample: str = ""  # the generated-data note, when the scores rest on sample reports


_HEAD = {
    "zh": {"scores": "得分表", "detail": "扣分明细", "rectify": "整改清单", "rules": "考评规则", "peer": "同类组",
           "rank": "组内排名", "agency": "单位", "region": "地区", "deducted": "扣分合计", "score": "得分",
           "full": "满分", "remark": "说明", "item": "考评项目", "per": "计分方式", "points": "本项扣分",
           "basis": "扣分依据", "no": "序号", "problems": "存在问题", "ask": "整改要求", "due": "整改时限",
           "unknown": "{items}：报告所填件数不明（空白或“/”），未计入扣分", "capped": "（已达本项扣分上限 {cap:g} 分）",
           "cases": "{cell}：{n:g} 件", "blank": "{cell}：未填数字（“{raw}”）", "n_times": "共 {n:g} 项",
           "name": "名称", "rules_col": "所依据的检查", "cells": "计件单元格", "each": "每次扣分", "cap": "最多扣分",
           "threshold": "雷同认定比例", "none": "无扣分", "code": "代码"},
    "en": {"scores": "Scores", "detail": "Deductions", "rectify": "Rectification", "rules": "Rules", "peer": "Peer group",
           "rank": "Rank in group", "agency": "Agency", "region": "Region", "deducted": "Deducted", "score": "Score",
           "full": "Full marks", "remark": "Remarks", "item": "Item", "per": "Counted", "points": "Points deducted",
           "basis": "Why", "no": "No.", "problems": "Problems", "ask": "To do", "due": "By",
           "unknown": "{items}: the count the report prints is unknown (blank or “/”), not deducted",
           "capped": " (the item's cap of {cap:g} reached)", "cases": "{cell}: {n:g} case(s)",
           "blank": "{cell}: no figure (“{raw}”)", "n_times": "{n:g} in all", "name": "Name",
           "rules_col": "Checks counted", "cells": "Cells counted", "each": "Points each", "cap": "At most",
           "threshold": "Copy threshold", "none": "no deductions", "code": "Code"},
}


def _safe(ws, row: int, col: int, value) -> None:
    """Write a cell; text that Excel would take for a formula (=, +, -, @ first) stays text."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.data_type = "s"
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        cell.number_format = "#,##0"
    elif isinstance(value, float):  # points: halves and tenths
        cell.number_format = "#,##0" if value == int(value) else "#,##0.0"


def basis(result: Result, table: Table, lang: str) -> pd.DataFrame:
    """One row per agency × item that deducted (or whose count is unknown): the points and why."""
    h = _HEAD[lang]
    cell = addr_zh if lang == "zh" else addr_en
    by = {i.item: i for i in table.items}
    rows = []
    detail = result.detail.groupby(["agency_id", "item"], sort=False)
    for r in result.items.itertuples():
        item = by[r.item]
        try:
            d = detail.get_group((r.agency_id, r.item))
        except KeyError:
            d = result.detail.iloc[0:0]
        if item.per == "case":
            why = [h["blank"].format(cell=cell(x.addr), raw=x.raw if isinstance(x.raw, str) else "") if pd.isna(x.count)
                   else h["cases"].format(cell=cell(x.addr), n=x.count) for x in d.itertuples()]
        else:
            col = "message" if lang == "zh" else "message_en"
            why = [str(m) for m in d[col].tolist()]
            if item.per == "finding" and len(why) > 1:
                why.append(h["n_times"].format(n=r.n))
        text = "\n".join(why) + (h["capped"].format(cap=item.cap) if r.capped else "")
        rows.append({"agency_id": r.agency_id, "item": r.item, "name": item.words(lang),
                     "per": PER[item.per][0 if lang == "zh" else 1], "points": r.points, "why": text})
    return pd.DataFrame(rows, columns=["agency_id", "item", "name", "per", "points", "why"])


def rectification(result: Result, table: Table, w: Words) -> pd.DataFrame:
    """Each agency with a deduction: its problems merged into one numbered text, what to do and by when."""
    h = _HEAD[w.lang]
    ded = basis(result, table, w.lang)
    agencies = result.scores.set_index("agency_id")
    rows = []
    for aid, g in ded.groupby("agency_id", sort=False):
        if not (g["points"] > 0).any():
            continue
        a = agencies.loc[aid]
        lines = [f"{i}. {r.name}：{r.why}" if w.lang == "zh" else f"{i}. {r.name}: {r.why}"
                 for i, r in enumerate(g[g["points"] > 0].itertuples(), start=1)]
        rows.append({h["agency"]: a["name"], h["region"]: w.place(a), h["problems"]: "\n".join(lines),
                     h["ask"]: w.rectify, h["due"]: w.due})
    out = pd.DataFrame(rows, columns=[h["agency"], h["region"], h["problems"], h["ask"], h["due"]])
    out.insert(0, h["no"], range(1, len(out) + 1))
    return out


def workbook(result: Result, table: Table, w: Words) -> bytes:
    """The .xlsx bytes: 得分表, 扣分明细, 整改清单, 考评规则."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    h = _HEAD[w.lang]
    items = list(table.items)
    s = result.scores
    scores = pd.DataFrame({
        h["peer"]: s["peer"].map(w.peer), h["rank"]: s["rank"].astype(int),
        h["agency"]: s["name"], h["region"]: [w.place(r) for _, r in s.iterrows()],
        **{f"{i.words(w.lang)}": s[i.item] for i in items},
        h["deducted"]: s["deducted"], h["score"]: s["score"],
        h["remark"]: s["unknown"].map(lambda us: h["unknown"].format(
            items="、".join(next(i.words(w.lang) for i in items if i.item == u) for u in us)) if us else ""),
    })
    ded = basis(result, table, w.lang)
    names = s.set_index("agency_id")["name"]
    detail = pd.DataFrame({h["agency"]: ded["agency_id"].map(names), h["item"]: ded["name"],
                           h["per"]: ded["per"], h["points"]: ded["points"], h["basis"]: ded["why"]})
    rules = table.frame()
    rules = pd.DataFrame({
        h["code"]: rules["item"], h["name"]: rules["name"] if w.lang == "zh" else rules["name_en"],
        h["rules_col"]: rules["rules"].map(lambda v: "、".join(RULES[r][0 if w.lang == "zh" else 1]
                                                              for r in str(v).split())),
        h["cells"]: rules["cells"].map(
            lambda v: "、".join((addr_zh if w.lang == "zh" else addr_en)(c) for c in str(v).split())),
        h["each"]: rules["points"], h["per"]: rules["per"].map(lambda p: PER[p][0 if w.lang == "zh" else 1]
                                                               if p in PER else ""),
        h["cap"]: rules["cap"], h["threshold"]: rules["threshold"]})
    sheets = [(h["scores"], scores, True), (h["detail"], detail, False),
              (h["rectify"], rectification(result, table, w), False), (h["rules"], rules, False)]
    wb = Workbook()
    wb.remove(wb.active)
    for name, df, with_note in sheets:
        ws = wb.create_sheet(name[:31])
        ws.cell(row=1, column=1, value=w.title).font = Font(bold=True, size=13)
        ws.cell(row=2, column=1, value=w.note if with_note else table.source if name == h["rules"] else w.note)
        if w.sample:
            ws.cell(row=3, column=1, value=w.sample)
        head = 4
        for j, col in enumerate(df.columns, start=1):
            ws.cell(row=head, column=j, value=str(col)).font = Font(bold=True)
        for i, row in enumerate(df.itertuples(index=False), start=head + 1):
            for j, v in enumerate(row, start=1):
                v = None if v is None or (isinstance(v, float) and pd.isna(v)) else v
                _safe(ws, i, j, v.item() if hasattr(v, "item") else v)
                if isinstance(v, str) and "\n" in v:
                    ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=head + 1, column=1)
        # printed as an office prints a list: A4, fitted to the width, landscape when wide
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if df.shape[1] >= 7 else "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{head}:{head}"
        for j, col in enumerate(df.columns, start=1):
            longest = max([len(str(col))] + [max((len(x) for x in str(v).split("\n")), default=0)
                                             for v in df[col].head(200).tolist()])
            ws.column_dimensions[get_column_letter(j)].width = min(70, max(8, longest * 1.6 + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
