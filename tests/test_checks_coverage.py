"""Coverage (报告缺失) holds an agency only to the years it was due: a real agency from its first report to the
latest year real reports reach, never to the generated sample corpus's years."""

from __future__ import annotations

import random

import duckdb
from helpers import clean_values, render_report, write

from etl.sample.corpus import generate
from etl.warehouse.build import build


def test_real_agencies_are_not_held_to_the_sample_corpus_years(tmp_path):
    generate(tmp_path / "samples", agencies=4, years=list(range(2019, 2025)), seed=3, kinds=["text"], workers=1)
    rng = random.Random(7)
    real = tmp_path / "real"
    write(real / "a", "2023.txt", render_report("江苏省某市财政局", 2023, clean_values(rng)))
    write(real / "b", "2021.txt", render_report("江苏省某市商务局", 2021, clean_values(rng)))
    db = tmp_path / "wh.duckdb"
    build([tmp_path / "samples", real], db, jobs=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        missing = {(n, y) for n, y in con.execute(
            "SELECT a.name, f.year FROM findings f JOIN agencies a USING (agency_id) WHERE f.rule = 'coverage' "
            "AND NOT a.is_sample").fetchall()}
        sample_years = con.execute("SELECT min(year), max(year) FROM reports WHERE is_sample").fetchone()
    assert sample_years == (2019, 2024)
    # the latest real report is for 2023: the 2023 agency owes nothing; the 2021 agency owes 2022 and 2023
    assert missing == {("江苏省某市商务局", 2022), ("江苏省某市商务局", 2023)}
