"""Which files under a source are reports, and what everything else is: the one list of file kinds.

The build (etl.warehouse.files), the readers' tie-breaking by name (etl.readers) and the dashboard's upload box
all read it from here, so a kind the build reads is a kind the upload accepts, and a file the build passes
over is listed with its reason. The readers decide a file's kind by its content (magic bytes, markup), not its
name: a name not listed here is read by content too, and if that fails the file is recorded in
`ingest_errors` with the reader's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath


@dataclass(frozen=True)
class FileKind:
    kind: str  # the kind a report of it is stored as (reports.kind), or the reason code of a skipped one
    zh: str
    en: str
    extensions: tuple[str, ...]  # lower case, with the dot; "" for a file without an extension
    # MIME types a web server sends for it -> the extension (one of `extensions`) a download of that type is
    # stored under when its address names none (etl.collect.store)
    mime: dict[str, str] = field(default_factory=dict, compare=False)
    # "module:function" reading its bytes, (data: bytes, name: str) -> etl.document.Document; etl.readers
    # dispatches on it, importing the module only when a file of the kind is read
    reader: str = ""
    # "module:function", (data: bytes, name: str) -> bool: a content test tried before the built-in ones
    # (magic bytes of PDF, images, ZIP and OLE, markup), for a kind those would take for another
    sniffer: str = ""
    attachment: bool = False  # a collector stores it as a report's attachment, not a page to read for links
    scans: bool = False  # it may hold scanned pages: the build gives it the OCR time limit


# WPS Office's own names of a Word binary document and template: an OLE file named so goes to the converter
# even without a WordDocument stream (an old Microsoft Works .wps, which LibreOffice reads as well).
WPS_EXTENSIONS: tuple[str, ...] = (".wps", ".wpt")

# Kinds the build reads.
READ_KINDS: tuple[FileKind, ...] = (
    # Markdown is a converter's text output: read as text, its marks (#, **, | pipes) taken off
    FileKind("text", "文本（含 Markdown）", "text (Markdown too)", (".txt", ".text", ".md", ".markdown", ""),
             reader="etl.readers.text:read_text_file"),
    FileKind("html", "网页", "web page", (".html", ".htm", ".shtml", ".shtm", ".xhtml", ".xht", ".jsp", ".asp",
                                         ".aspx", ".php"), {"text/html": ".html"},
             reader="etl.readers.html:read_html"),
    FileKind("mhtml", "网页存档（MHTML）", "saved web page (MHTML)", (".mht", ".mhtml"),
             reader="etl.readers.html:read_mhtml"),
    FileKind("pdf", "PDF", "PDF", (".pdf",), {"application/pdf": ".pdf"}, reader="etl.readers.pdf:read_pdf",
             attachment=True, scans=True),
    FileKind("docx", "Word 文档", "Word document", (".docx",),
             {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"},
             reader="etl.readers.docx:read_docx", attachment=True),
    # legacy Word (.doc) and WPS Office (.wps) are converted to .docx with LibreOffice (etl.readers.convert);
    # a Microsoft Works file is stored as .wps, the name that sends it to the converter
    FileKind("doc", "旧版 Word / WPS 文档", "legacy Word / WPS document", (".doc", *WPS_EXTENSIONS),
             {"application/msword": ".doc", "application/vnd.ms-works": ".wps", "application/kswps": ".wps"},
             reader="etl.readers.convert:read_legacy_word", attachment=True),
    # scans of a report's pages, read by OCR
    FileKind("image", "扫描页图片", "scanned page image", (".png", ".jpg", ".jpeg", ".tif", ".tiff"),
             {"image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"},
             reader="etl.readers.image:read_image", attachment=True, scans=True),
)
READ_EXTENSIONS: frozenset[str] = frozenset(e for k in READ_KINDS for e in k.extensions)
# Names the HTML reader takes when the first bytes do not say (a page saved without <html>).
HTML_EXTENSIONS: tuple[str, ...] = next(k.extensions for k in READ_KINDS if k.kind == "html")
MHTML_EXTENSIONS: tuple[str, ...] = next(k.extensions for k in READ_KINDS if k.kind == "mhtml")
# Legacy Word files converted by LibreOffice (etl.readers.convert), by the names it is given them under.
LEGACY_WORD_EXTENSIONS: tuple[str, ...] = next(k.extensions for k in READ_KINDS if k.kind == "doc")
# A download's MIME type -> the extension it is stored under when its address names none (etl.collect.store).
MIME_EXTENSIONS: dict[str, str] = {m: e for k in READ_KINDS for m, e in k.mime.items()}
# Files a collector downloads as a report's attachment (not a page to read for links).
ATTACHMENT_EXTENSIONS: tuple[str, ...] = tuple(e for k in READ_KINDS if k.attachment for e in k.extensions)
# Files that may hold scanned pages (read by OCR, at seconds a page).
SCAN_EXTENSIONS: tuple[str, ...] = tuple(e for k in READ_KINDS if k.scans for e in k.extensions)

# Kinds the build does not read, each skipped with the etl.reasons code and its words as the detail.
# OFD (the national layout format, GB/T 33190) has no reader here; the agency's PDF or HTML is the way in.
UNSUPPORTED: tuple[FileKind, ...] = (
    FileKind("unsupported", "OFD 版式文档", "OFD layout document", (".ofd",)),
    FileKind("unsupported", "电子表格", "spreadsheet", (".xls", ".xlsx", ".et", ".ods")),
    FileKind("unsupported", "演示文稿", "presentation", (".ppt", ".pptx", ".dps", ".odp")),
    FileKind("unsupported", "其他文档格式", "other document format", (".rtf", ".odt", ".ceb", ".caj", ".epub")),
    FileKind("unsupported", "压缩包（请先解压）", "archive (unpack it first)", (".zip", ".rar", ".7z", ".gz", ".tgz",
                                                                            ".tar", ".bz2", ".xz")),
    FileKind("unsupported", "非扫描页的图片", "image that is not a page scan", (".gif", ".bmp", ".webp", ".svg",
                                                                             ".ico")),
    FileKind("unsupported", "音视频", "audio or video", (".mp3", ".mp4", ".wav", ".avi", ".mov", ".flv", ".wmv")),
    # data, not prose: a table export or our own output, never a whole report
    FileKind("data_file", "数据文件", "data file", (".csv", ".tsv", ".json", ".jsonl", ".xml", ".yaml", ".yml",
                                                 ".parquet", ".duckdb", ".wal", ".sqlite", ".db")),
)

# Reference and side files the build or the tools read or write beside the reports (by name, lower case):
# kept in their function, listed in `skipped` as reference data rather than read as reports.
REFERENCE_NAMES: dict[str, tuple[str, str]] = {
    "agencies.csv": ("机构名录", "agency list"),
    "expected.csv": ("应报名单", "expected reporters list"),
    "deadlines.csv": ("报送期限规则", "deadline rules"),
    "sources.csv": ("采集来源清单", "collection sources list"),
    "collect-sources.csv": ("采集来源清单（上次采集）", "collection sources of the last run"),
    "provenance.jsonl": ("采集记录", "collection provenance log"),
    "collection.json": ("采集摘要", "collection summary"),
    "publications.csv": ("采集发现的报告清单", "publications found by the collection"),
    "manifest.json": ("样例语料清单", "sample corpus manifest"),
}
# Ground truth beside a generated sample report (etl.sample) or a scored real one.
REFERENCE_SUFFIXES: dict[str, tuple[str, str]] = {
    ".truth.json": ("样例报告的标准答案", "ground truth of a sample report"),
    ".expected.json": ("报告的人工读数", "figures a person read off a report"),
}


def extension(name: str) -> str:
    return PurePath(name).suffix.lower()


def not_a_report(name: str) -> tuple[str, str] | None:
    """(reason code, detail) when a file of this name is passed over without being read; None when it is
    read (a known report kind, or any other name: read by content)."""
    low = PurePath(name).name.lower()
    if low in REFERENCE_NAMES:
        return "reference", REFERENCE_NAMES[low][1]
    for suffix, (_, en) in REFERENCE_SUFFIXES.items():
        if low.endswith(suffix):
            return "reference", en
    if ".duckdb" in low:  # a warehouse, its write-ahead log or a build's temp copy kept under a source
        return "data_file", "DuckDB warehouse"
    ext = extension(low)
    for k in UNSUPPORTED:
        if ext in k.extensions:
            return k.kind, f"{k.en} ({ext})"
    return None


def upload_types() -> list[str]:
    """What the dashboard's upload box accepts: every extension the build reads (without the dot)."""
    return sorted(e.lstrip(".") for e in READ_EXTENSIONS if e)


def kinds_words(lang: str = "zh") -> str:
    """The kinds the build reads, in words, for help texts."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(f"{k.zh if lang == 'zh' else k.en} ({'/'.join(e for e in k.extensions if e)})"
                    for k in READ_KINDS)
