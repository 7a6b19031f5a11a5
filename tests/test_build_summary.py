"""The build's summary (etl.warehouse.summary): facts without paths, worded in both languages; the CLI's
--summary-json prints those facts, the dashboard words them."""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

from etl.reasons import REASONS
from etl.warehouse import summary

ROOT = Path(__file__).resolve().parents[1]


def test_summary_words_every_fact_in_both_languages():
    info = {"n_reports": 1234, "n_parsed": 10, "n_reused": 1224, "n_added": 3, "n_replaced": 1, "n_dropped": 0,
            "n_errors": 2, "seconds": 12.34, "errors": collections.Counter({"corrupt": 2}),
            "skipped": collections.Counter({"hidden": 1, "duplicate": 4})}
    f = summary.facts(info, 2, 5, 7)
    assert json.loads(json.dumps(f)) == f  # plain data
    zh, en = summary.lines(f, "zh"), summary.lines(f, "en")
    assert zh[1] == ("数据仓库已更新：共 1,234 份报告（新解析 10 份，沿用 1,224 份；新增 3 份，替换 1 份，移除 0 份）；"
                     "2 个文件无法读取；5 项核对未通过，7 项待核实；用时 12.3 秒。")
    assert zh[2] == f"无法读取：{REASONS['corrupt'][0]} 2 个"
    assert zh[3] == f"已跳过：{REASONS['duplicate'][0]} 4 个；{REASONS['hidden'][0]} 1 个"
    assert en[3] == f"Skipped: 4 × {REASONS['duplicate'][1]}; 1 × {REASONS['hidden'][1]}"
    codes = [c for c in REASONS if "_" in c]
    for line in zh:
        assert not re.search(r"[A-Za-z]{3,}", line), line  # no English, no reason code
    assert not any(c in " ".join(en) for c in codes)
    up = summary.lines(summary.facts({**info, "unchanged": True}, 1, 0, 0), "zh")
    assert up[1].startswith("数据仓库已是最新：1,224 个文件未变")


def test_cli_prints_the_facts_without_paths(tmp_path):
    from etl.sample.corpus import generate

    corpus = tmp_path / "corpus"
    generate(corpus, agencies=1, years=[2023], seed=5, kinds=["text"], workers=1)
    (corpus / ".hidden.txt").write_text("x")
    db = tmp_path / "wh.duckdb"
    out = subprocess.run([sys.executable, "-m", "etl", "build", str(corpus), "--db", str(db), "--quiet", "--jobs",
                          "1", "--summary-json"], capture_output=True, text=True, cwd=ROOT, timeout=600, check=True)
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    assert facts["reports"] == 1 and facts["sources"] == 1 and facts["skipped"].get("hidden") == 1
    assert str(tmp_path) not in out.stdout
