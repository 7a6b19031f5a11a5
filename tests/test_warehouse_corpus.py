"""The small corpus the warehouse and checks tests build (tests/helpers.py: tab-separated text reports,
2021 and 2019 formats) parses back exactly as written."""

from __future__ import annotations

import random
from pathlib import Path

from helpers import clean_values, render_report, write


def test_rendered_report_parses_back_exactly(tmp_path: Path) -> None:
    from etl.parse import parse_file

    rng = random.Random(7)
    for fmt, year in (("2021", 2022), ("2019", 2020)):
        values = clean_values(rng, fmt)
        text = render_report("样例市样例局", year, values, fmt, fmt, narrative="本年度主动公开政府信息321条。",
                      published=f"{year + 1}-01-20")
        report = parse_file(write(tmp_path, f"r{fmt}.txt", text))
        got = {(c.table, c.row, c.col): c.value for c in report.cells}
        assert report.year == year and report.template == fmt
        assert report.agency == "样例市样例局"
        assert report.published_on == f"{year + 1}-01-20"
        assert report.narrative.get("proactive_items") == 321
        missing = sorted(set(values) - set(got))
        assert not missing, f"{fmt}: cells not read back: {missing[:5]}"
        wrong = {a: (values[a], got[a]) for a in values if got[a] != values[a]}
        assert not wrong, f"{fmt}: cells read back differently: {dict(list(wrong.items())[:5])}"
