"""The canonical report: what one annual report says, keyed by the format document's canonical keys.

This is the contract between the parser, the warehouse, the checks, the dashboard and anyone reading
`python -m etl parse --json`. `Report.to_dict()` is that JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from etl.formats import Addr


@dataclass
class Source:
    path: str
    sha256: str
    kind: str  # text | html | pdf | docx | image | doc
    read: str = "text"  # text | ocr | partly_ocr | converted: how the text was obtained (READ_METHODS)


@dataclass
class Cell:
    table: str  # t2 | t3 | t4
    row: str
    col: str
    value: int | float | None  # None for empty/na/text
    raw: str
    kind: str  # number | zero | empty | na | text
    # How the column (and row) of the value was decided — the evidence a reader of the JSON can weigh:
    #   header          a header cell names the column
    #   position        by position among the table's header cells, some of them damaged or cut short
    #   official_order  the header could not be read; the row printed exactly the official number of values
    #   arithmetic      the only reading of the printed tokens that the table's own identities allow
    placed: str = "header"
    # How the value was read: "text" (a text layer or markup), "ocr" (recognised from a page image, as the
    # engine read it), "ocr_corrected" (an OCR misread the table's identities correct in one way only;
    # `raw` keeps what the engine read). `conf` is the engine's confidence (0–1) for an OCR cell.
    read: str = "text"
    conf: float | None = None

    @property
    def addr(self) -> Addr:
        return Addr(self.table, self.row, self.col)


@dataclass
class ExtraRow:
    """A local row the national form does not have (其他主动公开文件, 行政检查…), kept under its own label."""

    table: str
    label: str
    values: list[dict[str, Any]]  # [{"col", "raw", "kind", "value"}]


@dataclass
class Problem:
    code: str  # e.g. truncated, missing_table, unit_unknown, text_cell, no_text_layer
    message: str
    where: str | None = None  # a table "t3", a row "t3.granted" or a cell (str(Addr)) "t3.granted.total"
    # what etl.problems words the problem from in either language: the template's variant and values (keys of
    # cells, rows, tables; text as printed; counts); `message` is the English wording for the CLI and JSON
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    source: Source
    agency: str | None = None
    year: int | None = None
    published_on: str | None = None  # ISO date
    template: str = "legacy"  # the tables' one format (2021 | 2019), or mixed | legacy: etl.formats.template_of
    # each printed table's format, "2021" or "2019", decided once by the extractor: {"t2": "2019", "t3": "2021"}
    table_formats: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    cells: list[Cell] = field(default_factory=list)
    extra_rows: list[ExtraRow] = field(default_factory=list)
    narrative: dict[str, int | float | None] = field(default_factory=dict)
    # per narrative key, where the fact was read: {"sentence": the sentence (≤ 160 characters around the figure),
    # "approx": True for "N余条"-like figures, which are not to be judged against a table}
    narrative_evidence: dict[str, dict] = field(default_factory=dict)
    chapters: dict[str, str] = field(default_factory=dict)
    # chapter -> its heading as printed ("五、存在的主要问题及改进情况"), where the heading stood on a line of its
    # own (a chapter cut out of a run of text starts with its heading instead): the outline audit reads the
    # chapter numbering from it
    headings: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # "t4", "t3.other_other", "chapter:problems"
    problems: list[Problem] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def cell(self, table: str, row: str, col: str) -> Cell | None:
        return next((c for c in self.cells if c.table == table and c.row == row and c.col == col), None)

    def value(self, table: str, row: str, col: str) -> int | float | None:
        c = self.cell(table, row, col)
        return None if c is None else c.value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        return cls(
            source=Source(**d["source"]),
            agency=d.get("agency"),
            year=d.get("year"),
            published_on=d.get("published_on"),
            template=d.get("template", "legacy"),
            table_formats=d.get("table_formats", {}),
            title=d.get("title"),
            cells=[Cell(**c) for c in d.get("cells", [])],
            extra_rows=[ExtraRow(**e) for e in d.get("extra_rows", [])],
            narrative=d.get("narrative", {}),
            narrative_evidence=d.get("narrative_evidence", {}),
            chapters=d.get("chapters", {}),
            headings=d.get("headings", {}),
            missing=d.get("missing", []),
            problems=[Problem(**p) for p in d.get("problems", [])],
            meta=d.get("meta", {}),
        )


# Narrative facts stated in prose (for the text-vs-table check). Keys of Report.narrative.
NARRATIVE_KEYS = (
    "proactive_items",  # 主动公开政府信息…N条
    "requests_received",  # 收到/受理/新收…申请N件 (new_received, or new_received + carried_over)
    "requests_processed",  # 办结/答复N件
    "requests_carried_forward",  # 结转(下年度)N件
    "review_total",  # 行政复议N件
    "litigation_total",  # 行政诉讼N件
)

# Values of Source.read (how a report's text was obtained: reports.read_method) and of Cell.read (how a
# cell's value was read: cells.read), with their names on screen and in files (zh, en).
READ_METHOD_NAMES: dict[str, tuple[str, str]] = {
    "text": ("文字层/网页文字", "Text layer or markup"),
    "ocr": ("OCR 识别（扫描件）", "OCR (scanned)"),
    "partly_ocr": ("部分页面 OCR 识别", "Partly OCR (some pages scanned)"),
    "converted": ("格式转换（.doc/.wps）", "Converted (.doc/.wps)"),
}
CELL_READ_NAMES: dict[str, tuple[str, str]] = {
    "text": ("文字层", "Text layer"),
    "ocr": ("OCR 识别", "Read by OCR"),
    "ocr_corrected": ("OCR 误识，按勾稽关系更正", "OCR misread, corrected by the table's arithmetic"),
}
READ_METHODS = tuple(READ_METHOD_NAMES)
CELL_READS = tuple(CELL_READ_NAMES)

# Values of Cell.placed (how a cell's column was decided: cells.placed), strongest evidence first (see Cell),
# with their names (zh, en).
PLACEMENT_NAMES: dict[str, tuple[str, str]] = {
    "header": ("表头标明列", "A header cell names the column"),
    "position": ("按表头位置定位", "Placed by position among the header cells"),
    "official_order": ("按官方列序定位", "Placed in the official column order"),
    "arithmetic": ("按勾稽关系定位", "Placed by the table's arithmetic"),
}
PLACEMENTS = tuple(PLACEMENT_NAMES)
