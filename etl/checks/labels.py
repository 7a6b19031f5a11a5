"""How findings name things: cells, rows and columns by the labels the official form prints (from
etl.formats; English labels for message_en), tables as 表二/表三/表四 (Table 2/3/4), and the few words the
rules need.

Findings carry `message` in Chinese (the users are Chinese oversight offices) and `message_en` in English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl import formats as F

if TYPE_CHECKING:  # pandas is imported where a frame is made: a no-change rebuild never pays for it
    import pandas as pd

TABLE_ZH = {k: zh for k, (zh, _) in F.TABLE_NAMES.items()}

# The sub-rows of table 3 are numbered 1., 2., … under a group heading; "3.其他" alone is ambiguous, so a
# sub-row is named with its group's printed heading first.
_T3_GROUP_OF = F.HEADING_OF_ROW

# How a cell that holds no usable number was printed (values.py kinds, plus a cell the table lacks).
KIND_ZH = {"empty": "空白", "na": "填“/”或“-”", "text": "填写文字", "missing": "未印出", "unread": "未能识读"}

NARRATIVE_ZH = {
    "proactive_items": "主动公开信息条数",
    "requests_received": "收到申请数",
    "requests_processed": "办结申请数",
    "requests_carried_forward": "结转下年度申请数",
    "review_total": "行政复议案件数",
    "litigation_total": "行政诉讼案件数",
}

# a template in a message reads as it does on screen: one owner, etl.formats
TEMPLATE_ZH = {k: zh for k, (zh, _) in F.TEMPLATE_LABELS.items()}

CHAPTER_ZH = {key: zh for key, zh, _ in F.CHAPTERS}


def row_zh(tbl: str, row: str) -> str:
    """A row's printed label, with its group heading for a numbered sub-row of table 3."""
    label = F.label(tbl, "row", row)
    group = _T3_GROUP_OF.get(row) if tbl == "t3" else None
    return f"{group}·{label}" if group else label


def col_zh(tbl: str, col: str) -> str:
    return F.label(tbl, "col", col)


def cell_zh(tbl: str, row: str, col: str) -> str:
    """表三「（七）总计」总计列: the table, the row's printed label, the column's printed label."""
    return f"{TABLE_ZH.get(tbl, tbl)}「{row_zh(tbl, row)}」{col_zh(tbl, col)}列"


def addr_zh(addr: str) -> str:
    """A cell address ("t3.total_processed.total"), a row ("t3.granted"), a table ("t4"), a chapter
    ("chapter:problems") or a narrative fact ("narrative.requests_received") by its printed name."""
    if addr.startswith("chapter:"):
        return f"「{CHAPTER_ZH.get(addr[8:], addr[8:])}」"
    parts = addr.split(".")
    if len(parts) == 3:
        return cell_zh(*parts)
    if len(parts) == 2 and parts[0] == "narrative":
        return f"正文所述{NARRATIVE_ZH.get(parts[1], parts[1])}"
    if len(parts) == 2 and parts[0] in TABLE_ZH:
        return f"{TABLE_ZH[parts[0]]}「{row_zh(*parts)}」行"
    if addr in F.TABLE_TITLES:
        return f"{TABLE_ZH[addr]}「{F.TABLE_TITLES[addr][0]}」"
    return addr


# --- English: the form's English labels (etl.formats), tables as "Table 3" ---------------------------------

TABLE_EN = {k: en for k, (_, en) in F.TABLE_NAMES.items()}
KIND_EN = {"empty": "blank", "na": 'printed "/" or "-"', "text": "holds words", "missing": "not printed",
           "unread": "could not be read"}
NARRATIVE_EN = {
    "proactive_items": "items proactively published",
    "requests_received": "requests received",
    "requests_processed": "requests processed",
    "requests_carried_forward": "requests carried forward",
    "review_total": "reconsideration cases",
    "litigation_total": "litigation cases",
}


CHAPTER_EN = F.CHAPTER_EN


def row_en(tbl: str, row: str) -> str:
    """A row's English label (the form's English labels already name a sub-row's group: "Withheld: …")."""
    return F.label(tbl, "row", row, "en")


def col_en(tbl: str, col: str) -> str:
    return F.label(tbl, "col", col, "en")


def cell_en(tbl: str, row: str, col: str) -> str:
    """Table 3 "Total processed" × "Total": the table, the row's and the column's English labels."""
    return f'{TABLE_EN.get(tbl, tbl)} "{row_en(tbl, row)}" × "{col_en(tbl, col)}"'


def addr_en(addr: str) -> str:
    """addr_zh in English."""
    if addr.startswith("chapter:"):
        return f'"{CHAPTER_EN.get(addr[8:], addr[8:])}"'
    parts = addr.split(".")
    if len(parts) == 3:
        return cell_en(*parts)
    if len(parts) == 2 and parts[0] == "narrative":
        return f"the text's {NARRATIVE_EN.get(parts[1], parts[1])}"
    if len(parts) == 2 and parts[0] in TABLE_EN:
        return f'{TABLE_EN[parts[0]]} row "{row_en(*parts)}"'
    if addr in F.TABLE_TITLES:
        return f'{TABLE_EN[addr]} "{F.TABLE_TITLES[addr][1]}"'
    return addr


def sum_en(labels: list[str]) -> str:
    if len(labels) <= 3:
        return " + ".join(f'"{x}"' for x in labels)
    return f'the {len(labels)} items "{labels[0]}" to "{labels[-1]}"'


def sum_zh(labels: list[str], what: str) -> str:
    """「a」+「b」, or for a long run 「first」至「last」共N项 (the outcome rows are eighteen)."""
    if len(labels) <= 3:
        return "+".join(f"「{x}」" for x in labels)
    return f"「{labels[0]}」至「{labels[-1]}」共{len(labels)}{what}之和"


def addr_frame() -> pd.DataFrame:
    """Every cell address any format prints (and the tables and chapters), with its Chinese name."""
    import pandas as pd

    addrs = {f"{t}.{r.key}.{c.key}" for t in F.TABLES for r in F.ROWS[t] for c in F.COLS[t]}
    addrs |= set(F.TABLES) | {f"chapter:{k}" for k in F.CHAPTER_KEYS}
    return pd.DataFrame([{"addr": a, "zh": addr_zh(a), "en": addr_en(a)} for a in sorted(addrs)])
