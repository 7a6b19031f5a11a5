"""The parser's problems in the reader's language (etl.problems): every code the parser can record has a title
and templates, and every problem the parser records on real and damaged files is worded from its parameters in
both languages, with cells, rows and tables by their printed labels — never a raw key or English in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl import formats as F
from etl.document import ReadError
from etl.parse import parse_file
from etl.problems import TEMPLATES, TITLES, title, words
from etl.sample.damaged import write_damaged

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "samples"
# the code of a Problem(...) or of a reader's problem dict, as the parser's source writes it
_CODE = re.compile(r'Problem\(\s*"(\w+)"|"code": "(\w+)"')
_CONSTANT = re.compile(r'^(AMBIGUOUS|INCONSISTENT) = "(\w+)"', re.M)
KEYS = sorted({k for t in F.TABLES for fmt in F.FORMATS for a in F.table_cells(t, fmt) for k in (a.row, a.col)
               if "_" in k}, key=len, reverse=True)
RAW_KEY = re.compile(r"(?<![A-Za-z_])(?:" + "|".join(map(re.escape, KEYS)) + r"|t[234](?:\.\w+)+)(?![A-Za-z_])")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|'[^']*'")  # text as printed in the report, quoted
ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"OCR", "PDF", "DOCX"}


def _codes() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "etl").rglob("*.py"):
        if {"sample", "checks", "assess", "casework"} & set(path.parts) or path.name == "sourceview.py":  # not the parser
            continue
        text = path.read_text(encoding="utf-8")
        found |= {a or b for a, b in _CODE.findall(text)} | {c for _, c in _CONSTANT.findall(text)}
    return found - {"code"}


def test_every_code_the_parser_records_has_a_title_and_templates():
    codes = _codes()
    assert {"ambiguous_split", "text_cell", "ocr_pages", "incomplete_table", "unproven"} <= codes, codes
    missing = sorted(c for c in codes if c not in TITLES or c not in TEMPLATES)
    assert not missing, missing
    assert not sorted(set(TEMPLATES) - set(TITLES))


def _check(problem, where: str) -> None:
    for lang in ("zh", "en"):
        text = words(problem, lang)
        # worded from the template (a title alone means the parameters did not fit it)
        assert text != title(problem.code, lang), (where, problem.code, problem.params, lang)
        assert "{" not in text and "None" not in text, (where, text)
        assert not RAW_KEY.search(QUOTED.sub("", text)), (where, lang, text)
    zh = QUOTED.sub("", words(problem, "zh"))
    assert not set(ENGLISH.findall(zh)) - ALLOWED, (where, zh)


def _problems(paths: list[Path]) -> list[tuple[str, object]]:
    out = []
    for p in paths:
        try:
            report = parse_file(p)
        except ReadError:
            continue
        out += [(p.name, pr) for pr in report.problems]
    return out


def test_damaged_files_problems_read_in_both_languages(tmp_path):
    got = _problems([p for p, _ in write_damaged(tmp_path, 80, seed=3)])
    assert got, "the damaged files gave no problem to word"
    for name, pr in got:
        _check(pr, name)


def test_real_reports_problems_read_in_both_languages():
    if not SHARED.is_dir():
        pytest.skip(f"../shared not present: {SHARED} (real reports) is absent")
    got = _problems(sorted(p for p in SHARED.rglob("*") if p.is_file() and p.suffix != ".json"))
    codes = {pr.code for _, pr in got}
    assert {"ambiguous_split", "missing_table", "incomplete_table"} <= codes, codes
    for name, pr in got:
        _check(pr, name)
    # the examples: a glued run on 规范性文件 reads as its printed row, not a key and English
    glued = [pr for _, pr in got if pr.code == "ambiguous_split" and pr.where == "t2.normative_documents"]
    if glued:
        assert words(glued[0], "zh").startswith("表二「行政规范性文件」行：原文数字“"), words(glued[0], "zh")


def test_a_problem_from_an_older_parser_falls_back_to_its_title():
    old = {"code": "ambiguous_split", "message": "t2.normative_documents (…): glued run '898989': …",
           "where": "t2.normative_documents"}
    assert words(old, "zh") == "原文数字粘连，拆分不唯一"
    assert words({"code": "no_such_code", "message": "x"}, "zh") == "解析问题"
    # parameters of another shape (a value missing): the title, never an exception
    assert words({"code": "text_cell", "params": {"cell": "t3.granted.total"}}, "zh") == "单元格不是数字"
