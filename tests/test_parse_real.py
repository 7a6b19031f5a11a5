"""The real published reports in ../shared/samples (read from there, never copied into the project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl import formats as F
from etl.parse import parse_file


def test_seed_ningbo_2022(shared_samples):
    r = parse_file(shared_samples / "ningbo-etdz-commerce-2022.txt")
    assert (r.agency, r.year, r.template) == ("宁波经济技术开发区商务局", 2022, "2021")
    assert r.narrative["proactive_items"] == 229
    by_table = {t: [c for c in r.cells if c.table == t] for t in F.TABLES}
    assert [len(by_table[t]) for t in F.TABLES] == [10, 175, 15]
    assert {(c.table, c.row, c.col) for c in r.cells} == set(F.expected_cells("2021"))
    assert r.value("t2", "normative_documents", "in_force") == 3
    nonzero = [c for c in r.cells if c.value not in (0, None)]
    assert [(c.table, c.row, c.col) for c in nonzero] == [("t2", "normative_documents", "in_force")]
    # The copied page prints nothing in 未经复议直接起诉/尚未审结: a blank is recorded as blank, never as 0.
    blanks = [(c.table, c.row, c.col) for c in r.cells if c.kind == "empty"]
    assert blanks == [("t4", "litigation_direct", "pending")]
    assert all(c.kind == "zero" for c in r.cells if c.value == 0)


def test_huaian_pdf_2024(shared_samples):
    r = parse_file(shared_samples / "huaian-city-2024.pdf")
    assert r.source.kind == "pdf"
    assert (r.agency, r.year, r.template) == ("淮安市人民政府", 2024, "2021")
    assert {(c.table, c.row, c.col) for c in r.cells} == set(F.expected_cells("2021"))
    v = r.value
    assert v("t3", "new_received", "total") == 3119
    assert v("t3", "total_processed", "total") == 3050
    assert v("t3", "carried_forward", "natural_person") == 103
    assert v("t3", "granted", "natural_person") == 1288
    assert v("t3", "other_other", "total") == 110
    assert v("t4", "review", "total") == 351
    assert v("t4", "litigation_direct", "total") == 26
    assert v("t4", "litigation_after_review", "pending") == 6
    assert v("t2", "punishment", "decisions") == 3985758
    assert v("t2", "admin_fees", "amount_10k_yuan") == 96171.6
    assert v("t2", "normative_documents", "repealed") == 26
    assert r.narrative["proactive_items"] == 5500
    assert r.narrative["requests_received"] == 3119
    assert r.narrative["review_total"] == 351
    # every table-3 and table-4 identity of the format document holds on the parsed cells
    for col in F.T3_COL_KEYS:
        assert v("t3", "new_received", col) + v("t3", "carried_over", col) == \
            v("t3", "total_processed", col) + v("t3", "carried_forward", col)
        assert sum(v("t3", row, col) for row in F.T3_OUTCOME_ROWS_2021) == v("t3", "total_processed", col)
    for row in F.T3_ROWS_2021:
        assert sum(v("t3", row, c) for c in F.T3_APPLICANT_COLS) == v("t3", row, "total")
    for block in F.T4_ROW_KEYS:
        assert sum(v("t4", block, c) for c in ("upheld", "corrected", "other", "pending")) == v("t4", block, "total")


def _excerpts(shared_samples):
    return sorted((shared_samples / "excerpts").glob("page-*.expected.json"))


def test_excerpts_give_their_expected_cells(shared_samples, tmp_path):
    paths = _excerpts(shared_samples)
    assert len(paths) == 8
    for exp_path in paths:
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        page = exp_path.with_name(exp_path.name.replace(".expected.json", ".txt"))
        body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        tmp = tmp_path / page.name
        tmp.write_text(body, encoding="utf-8")
        r = parse_file(tmp)
        assert (r.year, r.template) == (exp["year"], exp["template"]), page.name
        got = {(c.table, c.row, c.col): c.value for c in r.cells}
        for c in exp["cells"]:
            key = (c["table"], c["row"], c["col"])
            assert key in got, f"{page.name}: {key} missing"
            assert got[key] == pytest.approx(c["value"]) if c["value"] is not None else got[key] is None, \
                f"{page.name}: {key} = {got[key]}, want {c['value']}"
        if exp["template"] != "legacy":
            assert r.missing, f"{page.name} is cut off: what is missing must be listed"


@pytest.mark.parametrize("scorer", ["score_excerpts.py", "score_reports.py", "score_findings.py"])
def test_shared_scorer_finds_every_expected_cell(shared_samples, scorer):
    """The 41 real excerpts and 11 complete real reports: every cell a person reads, right; and every finding
    a build of the complete reports fails is true, every true one raised, every file loaded (the shared
    scorers, run as a user would; they exit 1 on any missing or wrong cell, year, format or agency, and on
    any false or missed finding)."""
    import subprocess
    import sys

    tool = shared_samples.parent / "tools" / scorer
    if not tool.exists():
        pytest.skip(f"{tool} is absent (CI provides ../shared/tools)")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(tool), "--python", sys.executable], capture_output=True,
                          text=True, timeout=300, cwd=root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
