"""An agency's place, level and kind are known or said to be unknown — never guessed from its neighbours
(etl/warehouse/agencies.py, etl/reference/zones.csv, etl/warehouse/reference.py's level/kind words).

- a name no table places gets no place from the other reports in its folder;
- a zone (平潭综合实验区) is placed by the zone table; its own report is a government's, a bureau inside is a
  department, a 片区管理局 inside is township level;
- a kind the name does not tell is NULL, and then there is no deadline and no lateness finding;
- agencies.csv and the 应报名单 accept 市级/县级/乡镇 … and 人民政府/部门/街道办事处 …; any other value stops the build
  with the file and line, and the warehouse built before is kept;
- a row in agencies.csv or the 应报名单 wins over the zone table and the division table.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest
from helpers import clean_values, render_report, write

from etl.warehouse import expected, reference
from etl.warehouse.agencies import Gazetteer, Resolver
from etl.warehouse.build import build

HONGZE = "洪泽区人民政府"  # placeable: the division table knows 江苏省淮安市洪泽区
STRAY = "某某试验园区管理委员会"  # no table knows it, nor whether it is a government or a department
ZONE, ZONE_POLICE, ZONE_AREA = "平潭综合实验区", "平潭综合实验区公安局", "平潭综合实验区金井片区管理局"
ZONE_OVERRIDDEN = "平潭综合实验区自然资源局"  # agencies.csv states its place and kind
ETDZ_BUREAU = "宁波经济技术开发区商务局"  # the 应报名单 states its level
PLAIN = "甲乙市丙丁局"  # a fictional place, given by agencies.csv in Chinese words
LISTED = "甲乙市戊己街道"  # never published; the 应报名单 gives its level and kind in Chinese words

needs_cpca = pytest.mark.skipif(not Gazetteer.national().by_name,
                                reason="the national division table (package cpca) is not installed")

AGENCIES_CSV = ("# overrides written by the user\n"
                "name,province,city,county,level,kind,sector,is_sample\n"
                f"{PLAIN},甲乙省,甲乙市,,市级,部门,,\n"
                f"{ZONE_OVERRIDDEN},福建省,福州市,平潭县,县级,人民政府,,\n")
EXPECTED_CSV = ("机关名称,层级,类型\n"
                f"{ETDZ_BUREAU},市级,\n"
                f"{LISTED},乡镇,街道办事处\n")


def _report(folder: Path, agency: str, published: str, seed: int) -> None:
    write(folder, f"{agency}-2022.txt", render_report(agency, 2022, clean_values(random.Random(seed)),
                                                       published=published))


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("places") / "src"
    # folders named after nothing; in "neighbours" the stray agency's only neighbour is placed (洪泽区)
    for i, (sub, agency, published) in enumerate([
            ("neighbours", HONGZE, "2023-03-01"), ("neighbours", STRAY, "2023-03-20"), ("reports", ZONE, "2023-02-20"),
            ("reports", ZONE_POLICE, "2023-01-09"), ("reports", ZONE_AREA, "2023-02-01"),
            ("reports", ZONE_OVERRIDDEN, "2023-02-10"), ("reports", ETDZ_BUREAU, "2023-01-10"),
            ("reports", PLAIN, "2023-01-20")]):
        _report(src / sub, agency, published, i)
    write(src, "agencies.csv", AGENCIES_CSV)
    write(src, "expected.csv", EXPECTED_CSV)
    db = src.parent / "wh.duckdb"
    build([src], db, jobs=1, progress=False)
    return db


def _agencies(db: Path) -> dict[str, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        df = con.execute("SELECT name, province, city, county, level, kind, region_source, deadline_month, "
                         "deadline_day FROM agencies").df()
    return {r["name"]: r for r in df.astype(object).where(df.notna(), None).to_dict("records")}


def _row(a: dict, *keys: str) -> tuple:
    return tuple(a[k] for k in keys)


PLACE = ("province", "city", "county", "level", "kind")


@needs_cpca
def test_an_unplaceable_agency_borrows_no_place_from_its_folder(wh: Path):
    got = _agencies(wh)
    assert _row(got[HONGZE], *PLACE) == ("江苏省", "淮安市", "洪泽区", "county", "government")
    # beside the 洪泽区 report, alone in its folder with it: still nowhere, and not made a 洪泽区 department
    assert _row(got[STRAY], "province", "city", "county", "level", "region_source") == (None, None, None, None,
                                                                                          "none")


def test_a_folder_lends_a_place_only_by_its_own_name():
    res = Resolver([{"name": "甲乙市人民政府", "province": "甲乙省", "city": "甲乙市"}], zones=[])
    got = res.resolve([("商务局", "/data/甲乙市"), ("商务局", "/data/reports"), ("甲乙市人民政府", "/data/reports")])
    assert got[("商务局", "/data/甲乙市")].place.path == ("甲乙省", "甲乙市", None)  # the user named the folder
    assert got[("商务局", "/data/甲乙市")].region_source == "folder"
    assert got[("商务局", "/data/reports")].place is None  # a neighbour's place is no evidence


def test_a_zone_is_placed_and_its_own_report_is_a_government(wh: Path):
    z = _agencies(wh)[ZONE]
    assert _row(z, *PLACE, "region_source") == ("福建省", None, None, "city", "government", "zone")
    assert (z["deadline_month"], z["deadline_day"]) == (3, 31)  # a government's date, not a department's
    with duckdb.connect(str(wh), read_only=True) as con:
        late = con.execute("SELECT count(*) FROM findings f JOIN agencies a USING (agency_id) "
                           "WHERE a.name = ? AND f.rule = 'timeliness' AND f.status = 'fail'", [ZONE]).fetchone()[0]
    assert late == 0  # published 2023-02-20: within a government's 3-31


def test_a_zones_committee_and_its_name_alone_are_one_government():
    res = Resolver([])
    names = [ZONE, "平潭综合实验区管委会", "福建省平潭综合实验区管理委员会"]
    got = res.resolve([(n, "d") for n in names])
    assert len({got[(n, "d")].agency_id for n in names}) == 1
    assert res.describe(got[(ZONE, "d")], names, False)["kind"] == "government"


def test_inside_a_zone_a_bureau_is_a_department_and_an_area_office_a_township(wh: Path):
    got = _agencies(wh)
    assert _row(got[ZONE_POLICE], *PLACE, "deadline_month") == ("福建省", None, None, "city", "department", 1)
    assert _row(got[ZONE_AREA], *PLACE) == ("福建省", None, None, "township", "township")
    res = Resolver([])
    ids = res.resolve([(ZONE_POLICE, "d"), ("福建省公安局", "d")])
    assert ids[(ZONE_POLICE, "d")].agency_id != ids[("福建省公安局", "d")].agency_id  # the zone's, not the province's


@needs_cpca
def test_a_development_zone_named_after_its_city():
    res = Resolver([])
    names = ["宁波经济技术开发区管理委员会", "宁波市经济技术开发区管委会", "浙江省宁波经济技术开发区"]
    got = res.resolve([(n, "d") for n in [*names, ETDZ_BUREAU]])
    assert len({got[(n, "d")].agency_id for n in names}) == 1
    zone = res.describe(got[(names[0], "d")], names, False)
    bureau = res.describe(got[(ETDZ_BUREAU, "d")], [ETDZ_BUREAU], False)
    assert _row(zone, *PLACE) == ("浙江省", "宁波市", None, "county", "government")
    assert _row(bureau, *PLACE, "sector") == ("浙江省", "宁波市", None, "county", "department", "commerce")


def test_an_unknown_kind_is_null_and_has_no_deadline(wh: Path):
    a = _agencies(wh)[STRAY]
    assert _row(a, "kind", "deadline_month", "deadline_day") == (None, None, None)
    with duckdb.connect(str(wh), read_only=True) as con:
        deadline, late = con.execute("SELECT deadline, is_late FROM reports WHERE agency_name = ?",
                                     [STRAY]).fetchone()
        n = con.execute("SELECT count(*) FROM findings f JOIN agencies a USING (agency_id) "
                        "WHERE a.name = ? AND f.rule = 'timeliness' AND f.status = 'fail'", [STRAY]).fetchone()[0]
    # published 3-20: late only against a guessed department's 1-31 (an 'uncertain' note that the deadline is
    # unknown is fine; an accusation is not)
    assert (deadline, late, n) == (None, None, 0)


def test_chinese_level_and_kind_words_in_both_csvs(wh: Path):
    got = _agencies(wh)
    assert _row(got[PLAIN], *PLACE, "deadline_month") == ("甲乙省", "甲乙市", None, "city", "department", 1)
    assert _row(got[LISTED], "level", "kind") == ("township", "subdistrict")
    rows = {e.name: e for e in expected.parse(EXPECTED_CSV.encode("gb18030"), "list.csv")}
    assert (rows[LISTED].level, rows[LISTED].kind) == ("township", "subdistrict")
    words = [("省级", "人民政府"), ("县（区）级", "政府部门"), ("乡级", "乡镇政府"), ("街道", "街道办"), ("county", "department")]
    assert [(reference.code_of("level", lv), reference.code_of("kind", k)) for lv, k in words] == [
        ("province", "government"), ("county", "department"), ("township", "township"),
        ("township", "subdistrict"), ("county", "department")]


def test_an_override_wins_over_the_zone_and_division_tables(wh: Path):
    got = _agencies(wh)
    # agencies.csv: the zone table would say 福建省, city level, department
    assert _row(got[ZONE_OVERRIDDEN], *PLACE, "region_source", "deadline_month") == (
        "福建省", "福州市", "平潭县", "county", "government", "reference", 3)
    # the 应报名单: the zone table would say county level
    assert _row(got[ETDZ_BUREAU], "level", "kind", "region_source") == ("city", "department", "reference")


@pytest.mark.parametrize("file, text, en, zh", [
    ("agencies.csv", "# a comment line\nname,province,city,county,level,kind\n甲局,甲省,,,市级,部门\n乙局,甲省,,,市级,科室\n",
     "agencies.csv line 4: kind “科室”", "agencies.csv 第 4 行：机关类型“科室”无法识别"),
    ("expected.csv", "机关名称,层级\n甲局,市级\n乙局,地市\n", "expected.csv line 3: level “地市”", "expected.csv 第 3 行：层级“地市”"),
])
def test_an_unknown_value_stops_the_build_with_its_line(tmp_path: Path, file: str, text: str, en: str, zh: str):
    from etl.cli import main

    src = tmp_path / "src"
    _report(src / "reports", PLAIN, "2023-01-20", 1)
    db = tmp_path / "wh.duckdb"
    build([src], db, jobs=1, progress=False)
    before = db.read_bytes()
    write(src, file, text)
    with pytest.raises(expected.ExpectedListError) as e:
        build([src], db, jobs=1, progress=False)
    assert en in str(e.value) and zh in e.value.words("zh")
    assert main(["build", str(src), "--db", str(db), "--quiet"]) == 2
    assert db.read_bytes() == before  # nothing already loaded is lost


def test_zones_csv_reads_chinese_levels_and_refuses_others(tmp_path: Path):
    p = write(tmp_path, "zones.csv", "# zones\nname,province,city,county,level\n甲乙新区,甲乙省,,,市级\n丙丁新区,甲乙省,,,大区\n")
    with pytest.raises(reference.ReferenceDataError, match="zones.csv line 4"):
        reference.zones(p)
    write(tmp_path, "zones.csv", "name,province,city,county,level\n甲乙新区,甲乙省,,,市级\n")
    res = Resolver([], zones=reference.zones(p))
    r = res.resolve([("甲乙新区管委会", "d")])[("甲乙新区管委会", "d")]
    assert _row(res.describe(r, ["甲乙新区管委会"], False), *PLACE) == ("甲乙省", None, None, "city", "government")
