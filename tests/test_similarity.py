"""内容雷同 and the outline audit (etl/checks/similarity.py, outline.py).

- The generator's copied chapters are all found, with no false fail on its clean reports, and the matching
  passages cover the copied chapter.
- Between agencies of one year the later one copied; equal dates cannot be decided; wording every report
  shares is not 雷同; the office's threshold (assessment.csv) decides what is.
- Chapters renumbered, out of order or with an empty problems chapter are found; an added chapter is not.
- Real reports (../shared/samples) give no content finding at all.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
from helpers import clean_values, render_report, write

from etl.assess import rules as R
from etl.checks import similarity as SIM
from etl.checks.score import score
from etl.sample.corpus import generate
from etl.sample.prose import problems_chapter
from etl.warehouse.build import build

CONTENT_RULES = ("similarity", "outline", "problems-empty")
# wording every report of the test corpus shares: a stock sentence, not 雷同
STOCK = ("坚持以公开为常态、不公开为例外，持续推进决策公开、执行公开、管理公开、服务公开、结果公开，"
         "不断提升政务公开工作的标准化规范化水平。")


def _findings(db: Path, rules=CONTENT_RULES) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"""
            SELECT f.rule, f.status, f.responsibility, f.message, f.actual, f.cells, f.finding_id, a.name AS agency,
                   r.source_path
            FROM findings f JOIN reports r USING (report_id) JOIN agencies a ON a.agency_id = f.agency_id
            WHERE f.rule IN ({', '.join('?' * len(rules))}) ORDER BY a.name""", list(rules)).df().to_dict("records")


# --- the generator's copied chapters ------------------------------------------------------------------

def test_generated_copies_are_found_and_their_passages_shown(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate(corpus, agencies=30, years=list(range(2019, 2025)), seed=5, kinds=["html", "text"], workers=2)
    copies = [d for d in json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["defects"]
              if d["rule"] == "similarity"]
    assert len(copies) >= 2, "the corpus should carry copied chapters"
    db = tmp_path / "w.duckdb"
    build([corpus], db, jobs=2, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        s = score(corpus, con)
        assert not [m for m in s.missed if m[1] == "similarity"], s.missed
        assert s.false_fails == [] and s.clean_with_fail == 0, s.false_fails[:5]
        rows = con.execute("""
            SELECT s.similarity, a.text AS a, b.text AS b, f.message, rb.year AS other_year
            FROM chapter_similarity s JOIN findings f USING (finding_id)
            JOIN chapter_texts a ON a.report_id = s.report_id AND a.chapter = s.chapter
            JOIN chapter_texts b ON b.report_id = s.other_id AND b.chapter = s.chapter
            JOIN reports rb ON rb.report_id = s.other_id
            WHERE f.rule = 'similarity' AND f.status = 'fail'""").df()
        found = con.execute("SELECT count(*) FROM findings WHERE rule = 'similarity' AND status = 'fail'").fetchone()[0]
    assert found == len(copies) == len(rows)
    for r in rows.itertuples():
        assert r.similarity == 1.0 and f"{r.other_year}年度报告" in r.message
        spans = SIM.passages(r.a, r.b)
        shared = sum(e - s for (s, e), _ in spans)
        assert shared >= 0.9 * len("".join(r.a.split())), (shared, r.a)
        # the highlighted pieces are the other report's words
        for (sa, ea), (sb, eb) in spans:
            assert "".join(r.a[sa:ea].split()).replace("(", "（").replace(")", "）").replace(":", "：") == \
                "".join(r.b[sb:eb].split()).replace("(", "（").replace(")", "）").replace(":", "：")


# --- between agencies, and the office's threshold ---------------------------------------------------------

def _report(folder: Path, name: str, agency: str, problems: str, published: str, overview: str = "") -> None:
    rng = random.Random(agency)
    text = render_report(agency, 2022, clean_values(rng), published=published,
                         narrative=STOCK + (overview or problems_chapter(rng, 2022, "本机关").split("\n")[0]))
    write(folder, name, text.replace("个别栏目更新不够及时。", problems))


def _own(seed: int) -> str:
    return problems_chapter(random.Random(seed), 2022, "本机关")


def _corpus(folder: Path) -> None:
    a, c, e = _own(1), _own(2), _own(3)
    _report(folder / "jia", "2022.txt", "样例市甲局", a, "2023-01-10")
    _report(folder / "yi", "2022.txt", "样例市乙局", a, "2023-01-20")  # copies 甲, published later
    _report(folder / "bing", "2022.txt", "样例市丙局", c, "2023-01-15")
    _report(folder / "ding", "2022.txt", "样例市丁局", c, "2023-01-15")  # the same text, the same day
    _report(folder / "wu", "2022.txt", "样例市戊局", e, "2023-01-12")
    # 己 takes 戊's text and adds a sentence of its own: similar, not all the same
    _report(folder / "ji", "2022.txt", "样例市己局", e + "此外，第3季度整理的历史档案尚有47卷未完成数字化。", "2023-01-25")


def test_copies_between_agencies_and_the_office_threshold(tmp_path: Path) -> None:
    src = tmp_path / "reports"
    _corpus(src)
    db = tmp_path / "w.duckdb"
    build([src], db, jobs=1, progress=False)
    got = {(f["agency"], f["status"]) for f in _findings(db, ("similarity",))}
    assert got == {("样例市乙局", "fail"), ("样例市丙局", "uncertain"), ("样例市丁局", "uncertain"),
                   ("样例市己局", "fail")}
    ji = next(f for f in _findings(db, ("similarity",)) if f["agency"] == "样例市己局")
    assert SIM.DEFAULT_THRESHOLD <= ji["actual"] < 0.99 and "样例市戊局" in ji["message"]
    with duckdb.connect(str(db), read_only=True) as con:
        # the stock sentence every overview carries makes no overview alike; 甲, the original, has no finding
        assert con.execute("SELECT count(*) FROM chapter_similarity WHERE chapter = 'overview'").fetchone()[0] == 0
        assert con.execute("""SELECT count(*) FROM findings f JOIN agencies a USING (agency_id)
                              WHERE a.name = '样例市甲局' AND f.rule = 'similarity'""").fetchone()[0] == 0
    # the office raises its threshold in the folder's own assessment.csv: 己 is similar, no longer 雷同
    table = R.table().frame()
    table.loc[table["item"] == "copied", "threshold"] = 0.99
    (src / R.FILE_NAME).write_bytes(R.csv_bytes(R.from_frame(table)))
    build([src], db, jobs=1, progress=False)
    got = {(f["agency"], f["status"]) for f in _findings(db, ("similarity",))}
    assert ("样例市己局", "fail") not in got and ("样例市乙局", "fail") in got
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute("""SELECT s.similarity, s.finding_id FROM chapter_similarity s JOIN reports r USING (report_id)
                              JOIN agencies a USING (agency_id) WHERE a.name = '样例市己局'""").fetchall()
        assert con.execute("SELECT threshold FROM assessment_rules WHERE item = 'copied'").fetchone()[0] == 0.99
    assert len(kept) == 1 and kept[0][0] == ji["actual"] and kept[0][1] is None  # evidence kept, no finding


# --- the outline audit ---------------------------------------------------------------------------------------

def _outline_corpus(folder: Path) -> dict[str, str]:
    """Reports of one year, each with one outline fault (or none), keyed by agency."""
    def text(agency: str, seed: int) -> str:
        rng = random.Random(seed)
        return render_report(agency, 2022, clean_values(rng), published="2023-01-10").replace(
            "个别栏目更新不够及时。", _own(seed))

    out = {
        "样例市重号局": text("样例市重号局", 1).replace("四、政府信息公开行政复议", "三、政府信息公开行政复议"),
        "样例市倒序局": text("样例市倒序局", 2).replace("二、主动公开", "X、主动公开").replace(
            "三、收到和处理", "二、收到和处理").replace("X、主动公开", "三、主动公开"),
        "样例市空章局": text("样例市空章局", 3).replace(_own(3), ""),
        "样例市暂无局": text("样例市暂无局", 4).replace(_own(4), "暂无。"),
        # an added chapter renumbers the ones after it, in order: not a fault
        "样例市加章局": text("样例市加章局", 5).replace("二、主动公开", "二、政务公开平台建设情况\n平台运行平稳。\n三、主动公开")
        .replace("三、收到和处理", "四、收到和处理").replace("四、政府信息公开行政复议", "五、政府信息公开行政复议")
        .replace("五、存在的主要问题", "六、存在的主要问题").replace("六、其他需要报告", "七、其他需要报告"),
        "样例市规范局": text("样例市规范局", 6),
    }
    for i, body in enumerate(out.values()):
        write(folder / f"a{i}", "2022.txt", body)
    return out


def test_outline_faults_are_found_and_an_added_chapter_is_not(tmp_path: Path) -> None:
    _outline_corpus(tmp_path / "reports")
    db = tmp_path / "w.duckdb"
    build([tmp_path / "reports"], db, jobs=1, progress=False)
    got = {(f["agency"], f["rule"], f["status"]) for f in _findings(db, ("outline", "problems-empty"))}
    assert got == {("样例市重号局", "outline", "fail"), ("样例市倒序局", "outline", "fail"),
                   ("样例市空章局", "problems-empty", "fail"), ("样例市暂无局", "problems-empty", "fail")}
    msgs = {f["agency"]: f["message"] for f in _findings(db, ("outline", "problems-empty"))}
    assert msgs["样例市重号局"].startswith("章节编号重复或重新开始") and "三、政府信息公开行政复议" in msgs["样例市重号局"]
    assert msgs["样例市倒序局"].startswith("章节顺序与规定不符")
    assert "只有标题" in msgs["样例市空章局"] and "暂无" in msgs["样例市暂无局"]


# --- real reports --------------------------------------------------------------------------------------

def test_real_reports_raise_no_content_finding(shared_samples: Path, tmp_path: Path) -> None:
    """The real text reports (one zone over three years, its bureaus, others): no chapter is near another."""
    src = tmp_path / "real"
    src.mkdir()
    files = [p for p in sorted((shared_samples / "reports").iterdir()) if p.suffix in (".txt", ".md")]
    files.append(shared_samples / "ningbo-etdz-commerce-2022.txt")
    for p in files:
        shutil.copy(p, src / p.name)
    db = tmp_path / "w.duckdb"
    build([src], db, jobs=2, progress=False)
    fails = [f for f in _findings(db) if f["status"] == "fail"]
    assert fails == [], fails
    with duckdb.connect(str(db), read_only=True) as con:
        n_chapters = con.execute("SELECT count(*) FROM chapter_texts WHERE chapter IN ('overview', 'problems')"
                                 ).fetchone()[0]
        near = con.execute("SELECT count(*) FROM chapter_similarity").fetchone()[0]
    assert n_chapters >= 15 and near == 0
