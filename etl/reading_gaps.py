"""The parser problem codes that mean "our reading is in doubt", not "the report lacks it", with their words.

A cell we could not read (digits printed glued together with more than one split the table allows, a row
whose values could not be placed, readings of one file that disagree, an OCR'd figure nothing confirms) is
ours to own, never a cell the agency failed to print. The checks (etl.checks.gaps) turn these into findings
of ours; the parser words its own notes with them. Pure data: imported on the parse path.
"""

from __future__ import annotations

# problem code → (Chinese, English): why the cells it names could not be read
READING_GAPS: dict[str, tuple[str, str]] = {
    "ambiguous_split": ("原文数字粘连，拆分不唯一", "digits printed run together, more than one split fits"),
    "ambiguous_row": ("行内数字无法对应到列", "the row's figures could not be placed in columns"),
    "truncated_row": ("所读文本中该行不完整", "the row is cut short in the text read"),
    "unproven": ("同一文件的几种读法不一致，且均不满足表内勾稽关系",
                 "readings of the file disagree and none satisfies the table's sums"),
    "ocr_uncertain": ("扫描件识别结果未经核实", "an OCR reading nothing confirms"),
    "ocr_unverified": ("扫描件识别的表格不平衡，无法判断是识别错误还是原表错误",
                       "the OCR'd table does not add up: a misreading cannot be ruled out"),
    # not a parser problem: a cell a table read by OCR lacks may be one the engine missed (see register)
    "ocr_absent": ("扫描件中未识别出该单元格，可能是识别遗漏", "not found in the scan: OCR may have missed it"),
    "chapter_heading_unclear": ("章节标题未能识别，但其内容似在", "the heading was not recognised, its content seems present"),
}
