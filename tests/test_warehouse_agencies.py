"""Agency identity and region: name variants merge, distinct agencies stay apart, region comes from the
national division table (cpca) or reference rows, deadlines from etl/reference/deadlines.csv."""

from __future__ import annotations

import pytest

from etl.warehouse import deadlines
from etl.warehouse.agencies import Gazetteer, Resolver


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    if not Gazetteer.national().by_name:
        pytest.skip("the national division table (package cpca) is not installed")
    return Resolver([{"name": "样例省样例市样例区教育局", "province": "样例省", "city": "样例市", "county": "样例区",
                      "level": "", "kind": "", "sector": "", "is_sample": "1"}])


def ids(resolver: Resolver, names: list[str], folder: str = "d") -> list[str]:
    res = resolver.resolve([(n, folder) for n in names])
    return [res[(n, folder)].agency_id for n in names]


def test_variants_of_one_name_merge(resolver: Resolver) -> None:
    variants = ["浙江省宁波市商务局", "宁波市商务局", "宁波商务局", "宁波市 商务局", "宁波市商务局\u3000"]
    assert len(set(ids(resolver, variants))) == 1
    assert len(set(ids(resolver, ["淮安市淮安区人民政府", "淮安区人民政府", "淮安区政府"]))) == 1
    assert len(set(ids(resolver, ["广西壮族自治区教育厅", "广西教育厅"]))) == 1
    assert len(set(ids(resolver, ["某某县某某镇", "某某县某某镇人民政府"]))) == 1


def test_distinct_agencies_stay_apart(resolver: Resolver) -> None:
    names = ["宁波市商务局", "宁波市教育局", "淮安市人民政府", "淮安市人民政府办公室", "淮安市淮安区人民政府",
             "北京市朝阳区教育委员会", "朝阳区教育委员会"]  # a bare 朝阳区 could be Beijing's or Changchun's
    assert len(set(ids(resolver, names))) == len(names)


def test_a_bare_name_takes_a_place_only_from_its_folders_own_name(resolver: Resolver) -> None:
    # The other reports in a folder are no evidence of a bare name's place (this test once expected "商务局"
    # beside a 宁波市 report to become 宁波市商务局: that guess made 平潭综合实验区 a district of 淮安市).
    res = resolver.resolve([("宁波市教育局", "nb"), ("商务局", "nb"), ("宁波市商务局", "x"), ("商务局", "/d/宁波市")])
    assert res[("商务局", "nb")].place is None and res[("商务局", "nb")].region_source == "none"
    assert res[("商务局", "/d/宁波市")].agency_id == res[("宁波市商务局", "x")].agency_id  # the folder says 宁波市


@pytest.mark.parametrize(("name", "expected"), [
    ("淮安市人民政府", ("江苏省", "淮安市", None, "city", "government", None, 3, 31)),
    # a national development zone (etl/reference/zones.csv) is a county-level area of its city
    ("宁波经济技术开发区商务局", ("浙江省", "宁波市", None, "county", "department", "commerce", 1, 31)),
    ("江苏省卫生健康委员会", ("江苏省", None, None, "province", "department", "health", 1, 31)),
    ("北京市朝阳区教育委员会", ("北京市", "北京市", "朝阳区", "county", "department", "education", 1, 31)),
    # the 2019 regulation sets sub-districts no date, and no local rule is loaded: no deadline
    ("南京市玄武区玄武门街道办事处", ("江苏省", "南京市", "玄武区", "township", "subdistrict", None, None, None)),
    ("样例区教育局", ("样例省", "样例市", "样例区", "county", "department", "education", 1, 31)),
])
def test_region_level_kind_sector_deadline(resolver: Resolver, name: str, expected: tuple) -> None:
    r = resolver.resolve([(name, "d")])[(name, "d")]
    d = resolver.describe(r, [name], False)
    got = tuple(d[k] for k in ("province", "city", "county", "level", "kind", "sector", "deadline_month",
                               "deadline_day"))
    assert got == expected


def test_reference_row_marks_sample(resolver: Resolver) -> None:
    r = resolver.resolve([("样例区教育局", "d")])[("样例区教育局", "d")]
    d = resolver.describe(r, ["样例区教育局"], False)
    assert d["is_sample"] and d["region_source"] == "reference"


def test_most_specific_deadline_rule_wins() -> None:
    R = deadlines.Rule
    rules = [R(None, 2018, "", "", "", "", 3, 31, "a"), R(2019, None, "", "department", "", "", 1, 31, "b"),
             R(2019, None, "", "department", "浙江省", "", 2, 15, "c"), R(2019, None, "", "government", "", "", 3, 31, "d")]
    pick = lambda *a: (lambda r: (r.month, r.day) if r else None)(deadlines.deadline(rules, *a))  # noqa: E731
    assert pick(2022, "city", "department", "浙江省", "宁波市") == (2, 15)
    assert pick(2022, "city", "department", "江苏省", "淮安市") == (1, 31)
    assert pick(2022, "city", "government", "浙江省", "宁波市") == (3, 31)
    assert pick(2017, "city", "department", "浙江省", "宁波市") == (3, 31)  # the 2008 regulation's date for all
    assert pick(2022, "city", None, "浙江省", "宁波市") is None  # kind unknown: no deadline


