"""A narrative fact is the year's total for the report's own agency, or nothing.

Every text here is invented for the test (agencies such as 示例县, 虚构市); a wrong fact would become a false
"正文与表格不符" finding against an agency, so each rule is checked on the kind of sentence that fooled the
first-match reading.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl.extract.narrative import narrative_facts, read_narrative
from etl.model import Report, Source
from etl.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def test_category_count_before_the_total_is_not_the_total() -> None:
    text = "虚构市财政局本年度主动公开采购信息25条、财政信息40条，全年主动公开政府信息2122条。"
    assert narrative_facts(text) == {"proactive_items": 2122}


def test_figure_after_qizhong_is_a_sub_count() -> None:
    text = "全年共发布各类信息900条。其中，主动公开政府信息120条。"
    assert narrative_facts(text) == {"proactive_items": 900}


def test_last_item_of_a_parenthesised_breakdown_is_not_the_total() -> None:
    text = ("虚构县全年共公布政府信息1310条（含工作动态类信息400条，人事类信息30条，"
            "其他应主动公开的政府信息512条），均通过门户网站发布。")
    assert narrative_facts(text) == {"proactive_items": 1310}


def test_aside_in_brackets_still_counts() -> None:
    # "另有N件…下年度" inside brackets is no breakdown item: it is the carried-forward count
    text = "全年共受理政府信息公开申请40件，办结36件（含上年结转申请2件，另有6件顺延到下年度办理）。"
    assert narrative_facts(text) == {"requests_received": 40, "requests_processed": 36,
                                     "requests_carried_forward": 6}


def test_one_channel_among_several_is_not_the_total() -> None:
    text = "本年度，我局通过门户网站主动公开政府信息180条，通过微信公众号主动公开信息260条。"
    assert narrative_facts(text) == {}
    assert narrative_facts("2023年在“虚构发布”微信公众号主动公开信息75条。") == {}


def test_several_channels_together_are_the_total() -> None:
    assert narrative_facts("我镇通过门户网站、微信公众号等渠道主动公开政府信息335条。") == {"proactive_items": 335}


def test_cumulative_figures_are_not_the_year() -> None:
    assert narrative_facts("截至目前，本局门户网站累计主动公开政府信息3400条。") == {}
    assert narrative_facts("建站以来历年累计主动公开政府信息8800条。") == {}
    # a running total printed beside the year's new figure: the new figure is the year's
    text = "截至2023年12月31日，本乡在县政府网站共主动公开政府信息900条，今年新增130条。"
    assert narrative_facts(text, year=2023) == {"proactive_items": 130}


def test_cumulative_within_the_year_is_the_year() -> None:
    assert narrative_facts("示例镇2023年度累计主动公开政府信息64条。", year=2023) == {"proactive_items": 64}


def test_other_years_figure_is_left_out() -> None:
    text = "2022年主动公开政府信息800条，2023年主动公开政府信息950条。"
    assert narrative_facts(text, year=2023) == {"proactive_items": 950}


def test_area_wide_figure_is_another_body_in_a_department_report() -> None:
    text = "2023年，全区教育系统主动公开政府信息5000条；我局主动公开政府信息420条。"
    assert narrative_facts(text, year=2023, agency="虚构区教育局") == {"proactive_items": 420}
    # a government's 全区 is its own
    assert narrative_facts("2023年，全区主动公开政府信息5000条。", year=2023, agency="虚构区人民政府") == {
        "proactive_items": 5000}
    # subordinate units are other bodies whoever reports
    assert narrative_facts("各乡镇主动公开政府信息477条。", agency="虚构区人民政府") == {}


def test_a_departments_figure_in_a_governments_report_is_not_the_governments() -> None:
    gov = "虚构区人民政府"
    assert narrative_facts("区发展改革局主动公开政府信息120条。", year=2023, agency=gov) == {}
    assert narrative_facts("虚构区人民政府2023年主动公开政府信息4120条。", year=2023, agency=gov) == {
        "proactive_items": 4120}
    # a township names itself in its own report
    assert narrative_facts("示例镇2023年主动公开政府信息96条。", year=2023, agency="示例镇人民政府") == {
        "proactive_items": 96}


def test_reviews_and_suits_counted_together_are_neither() -> None:
    assert narrative_facts("发生政府信息公开行政复议、行政诉讼案件3件。") == {}
    assert narrative_facts("政府信息公开行政复议和行政诉讼均为0件。") == {"review_total": 0, "litigation_total": 0}


def test_banli_alone_is_not_received() -> None:
    text = "本局负责受理和办理政府信息公开申请，全年办理申请12件，办理完毕12件。"
    assert narrative_facts(text) == {"requests_processed": 12}


def test_one_outcome_is_not_all_processed() -> None:
    text = "所有申请中予以公开答复5件，不予公开答复2件。"
    assert narrative_facts(text) == {}


def test_negated_outcome_is_no_zero_cases() -> None:
    assert narrative_facts("本年度未发生政府信息公开行政复议被纠错、行政诉讼败诉的情况。") == {}
    # enquiries are not requests
    assert narrative_facts("本局全年未收到依申请公开信息的电话咨询。") == {}
    # requests of one kind (the fee rule's) are not all requests
    assert narrative_facts("全年没有收到超出一定数量或者频次范围的政府信息公开申请。") == {}


def test_negated_cases_are_zero_cases() -> None:
    assert narrative_facts("全年未发生因政府信息公开引起的行政复议和行政诉讼案件。") == {
        "review_total": 0, "litigation_total": 0}
    assert narrative_facts("本年度我乡没有接到群众要求公开政府信息的申请。") == {"requests_received": 0}


def test_conflicting_candidates_leave_the_fact_out_with_a_problem() -> None:
    text = "示例县全年主动公开政府信息860条。本年度主动公开政府信息共计1020条。"
    got = read_narrative(text)
    assert "proactive_items" not in got.facts
    (p,) = got.problems
    assert p.code == "narrative_conflict" and "860" in p.message and "1020" in p.message
    assert p.where == "narrative.proactive_items"


def test_repeated_figure_is_no_conflict() -> None:
    got = read_narrative("全年主动公开政府信息860条。上网发布的860条政府信息均已登记。")
    assert got.facts == {"proactive_items": 860} and not got.problems


def test_approximate_figures_are_kept_and_marked() -> None:
    got = read_narrative("全年主动公开政府信息3200余条。本年度收到政府信息公开申请15件。")
    assert got.facts == {"proactive_items": 3200, "requests_received": 15}
    assert got.evidence["proactive_items"]["approx"] is True
    assert got.evidence["requests_received"]["approx"] is False
    assert read_narrative("虚构市主动公开政府信息近500条。").evidence["proactive_items"]["approx"] is True
    assert read_narrative("虚构市主动公开政府信息约500条。").evidence["proactive_items"]["approx"] is True


def test_exact_figure_outranks_an_approximate_one() -> None:
    got = read_narrative("门户网站主动公开政府信息2000余条。全年主动公开政府信息2035条。")
    assert got.facts == {"proactive_items": 2035} and not got.evidence["proactive_items"]["approx"]


def test_each_fact_keeps_its_sentence() -> None:
    got = read_narrative("一、总体情况\n2023年，示例县\n民政局收到政府信息公开申请\n9件，办结9件。未发生行政复议、行政诉讼。")
    assert got.evidence["requests_received"]["sentence"] == "2023年，示例县民政局收到政府信息公开申请9件，办结9件。"
    assert got.evidence["requests_processed"]["sentence"] == got.evidence["requests_received"]["sentence"]
    # a long sentence is trimmed to 160 characters around its figure
    filler = "坚持以公开为常态、不公开为例外，" * 12
    got = read_narrative(f"{filler}全年主动公开政府信息777条，{filler}")
    s = got.evidence["proactive_items"]["sentence"]
    assert len(s) <= 160 and "777条" in s


def test_report_carries_the_evidence(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    p.write_text("示例县民政局2023年政府信息公开工作年度报告\n"
                 "一年来，我局主动公开了各类信息58条。\n"
                 "一、总体情况\n"
                 "2023年，我局收到政府信息公开申请3件，办结3件。\n", encoding="utf-8")
    r = parse_file(p)
    assert r.narrative == {"proactive_items": 58, "requests_received": 3, "requests_processed": 3}
    assert r.narrative_evidence["proactive_items"] == {"sentence": "一年来，我局主动公开了各类信息58条。", "approx": False}
    back = Report.from_dict(r.to_dict())
    assert back.narrative_evidence == r.narrative_evidence
    assert Report.from_dict({"source": Source("x", "0", "text").__dict__}).narrative_evidence == {}


def test_real_reports_narrative_score() -> None:
    """../shared/tools/score_narrative.py: every stated fact of the labelled real files right, none wrong."""
    tool, labels = SHARED / "tools" / "score_narrative.py", SHARED / "samples" / "narrative.json"
    if not (SHARED / "samples").is_dir() or not tool.is_file() or not labels.is_file():
        pytest.skip(f"../shared not present: {SHARED / 'samples'} (labelled real reports) is absent")
    p = subprocess.run([sys.executable, str(tool), "--python", sys.executable], capture_output=True, text=True,
                       cwd=ROOT, timeout=1200)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
