"""Agency identity and region: one agency across years whatever small variations its name is printed with.

A name is read as a chain of places (province → city → county, from the national division table shipped by
the `cpca` package, plus the places of any reference agencies.csv) followed by a remainder ("商务局",
"人民政府", "某某镇人民政府"). The identity key is the deepest place's path plus the normalized remainder, so
"浙江省宁波市商务局", "宁波市商务局" and "宁波商务局" are one agency while "宁波市商务局" and "宁波市教育局", or
"X县人民政府" and "X县人民政府办公室", stay apart.

Zones and areas the division table lacks (平潭综合实验区, 雄安新区, 宁波经济技术开发区 …) come from
etl/reference/zones.csv: a zone is a place of its own inside its province or city, so "平潭综合实验区公安局" is
the zone's 公安局, not 福建省's. What the name cannot tell stays unknown (NULL): a name no table places has no
region, and another report that happens to sit in the same folder is never evidence of it (a folder once lent its
neighbours' place: 平潭综合实验区 became a district of 淮安市 beside that district's report). The one place a folder
gives is its own name when that name is wholly a place ("宁波市/商务局.pdf"), which is the user's statement. A kind
the name does not tell is unknown too, and so is its deadline, so lateness is not judged on a guess.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from etl.warehouse import deadlines, reference

Path3 = tuple[str | None, str | None, str | None]  # (province, city, county)
_RANK_LEVEL = ("province", "city", "county")
_MUNICIPALITIES = {"11", "12", "31", "50"}  # province-level cities: their districts' city is the province
# Suffixes whose removal leaves a place's short form ("浙江省" → "浙江", "梁平区" → "梁平").
_STEM = re.compile(r"(?:(?:维吾尔|回族|壮族)?自治区|特别行政区|省|市|(?:[\u4e00-\u9fff]{1,6}族)*自治[州县旗]|地区|盟|县|区|旗)$")
_COUNTY_SUFFIX = ("县", "区", "市", "旗")
_PLACEHOLDERS = {"市辖区", "县", "区"}
_CITY_SLOT = "{city}"  # in zones.csv: any city, by its full or short name
# A zone's own body: the zone's name alone or its management committee reports for the whole zone, as a
# government does (regulation art. 49 and the State Council's format treat it so).
_ZONE_BODY = ("", "管委会", "管理委员会", "执行委员会", "党工委管委会", "党工委管理委员会", "人民政府", "政府")
# A zone's area offices: each governs a part of the zone as a township does.
_ZONE_AREA = ("片区管理局", "片区管委会", "片区管理委员会", "片区管理处")
# How a department's name ends. A body named otherwise (a bare 管理委员会 of something no table knows, a name
# with nothing after its place) is not classified: its kind is unknown rather than guessed.
_DEPARTMENT_ENDS = ("局", "厅", "委", "委员会", "办公室", "办公厅", "办", "中心", "署", "处", "部", "站", "队", "所",
                    "院", "馆", "会", "社", "行", "室")
_NOT_DEPARTMENT = ("管理委员会", "管委会")
# An unplaced "…人民政府": its level where the word before says it unambiguously (…市 may be a city or a county).
_GOVERNMENT_LEVEL = (("自治区人民政府", "province"), ("省人民政府", "province"), ("自治州人民政府", "city"),
                     ("地区行政公署", "city"), ("县人民政府", "county"), ("区人民政府", "county"),
                     ("旗人民政府", "county"))


def _clean(name: str) -> str:
    t = unicodedata.normalize("NFKC", name)
    t = re.sub(r"\s+", "", t)
    return t.replace("(", "（").replace(")", "）")


@dataclass(frozen=True)
class Place:
    path: Path3
    rank: int  # 0 province, 1 city, 2 county: the deepest division the path names
    zone: str | None = None  # a zone inside that division (zones.csv), by its canonical name
    zone_level: str | None = None  # the zone's standing (province|city|county|township) or None: not settled

    @property
    def name(self) -> str:
        return self.zone or self.path[self.rank] or ""

    @property
    def depth(self) -> float:
        # a zone lies inside its division, above anything the division contains
        return self.rank + (0.5 if self.zone else 0)

    @property
    def level(self) -> str | None:
        return (self.zone_level or None) if self.zone else _RANK_LEVEL[self.rank]

    def within(self, other: Place) -> bool:
        if other.zone:  # a zone's bureaus and areas are the rest of the name, not places
            return False
        return self.depth > other.depth and all(
            a == b for a, b in zip(self.path[: other.rank + 1], other.path[: other.rank + 1], strict=True))


def _cpca_table() -> Path | None:
    """cpca's national division table (adcode,name,…), located without importing cpca (slow import)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    return p if p.is_file() else None


@dataclass
class Gazetteer:
    by_name: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    by_stem: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    max_len: int = 0

    def add(self, place: Place) -> None:
        name = place.name
        if not name or place in self.by_name[name]:
            return
        self.by_name[name].append(place)
        stem = _STEM.sub("", name)
        if len(stem) >= 2 and stem != name:
            self.by_stem[stem].append(place)
        self.max_len = max(self.max_len, len(name))

    @classmethod
    def national(cls) -> Gazetteer:
        g = cls()
        table = _cpca_table()
        if table is None:
            return g
        with table.open(encoding="utf-8") as f:
            rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(f)]
        # cpca names municipalities' and provinces' directly administered units "市辖区"/"县"/"省直辖…": not places
        names = {c: n for c, n in rows if n not in _PLACEHOLDERS and "直辖" not in n}
        for code, name in rows:
            if name in _PLACEHOLDERS or "直辖" in name:
                continue
            prov = names.get(code[:2] + "0000")
            if code.endswith("0000"):
                g.add(Place((name, None, None), 0))
            elif code.endswith("00"):
                if code[:2] not in _MUNICIPALITIES:
                    g.add(Place((prov, name, None), 1))
            else:
                city = prov if code[:2] in _MUNICIPALITIES else names.get(code[:4] + "00")
                g.add(Place((prov, city, name), 2))
        return g

    def add_reference(self, rows: list[dict[str, str]]) -> None:
        """Places named by reference rows (fictional sample places included)."""
        for r in rows:
            prov, city, county = (_clean(r.get(k, "")) or None for k in ("province", "city", "county"))
            if prov:
                self.add(Place((prov, None, None), 0))
            if city:
                self.add(Place((prov, city, None), 1))
            if county:
                self.add(Place((prov, city, county), 2))

    def add_text(self, text: str, place: Place) -> None:
        """`place` under one more spelling (a zone's name; no short forms derived from it)."""
        if text and place not in self.by_name[text]:
            self.by_name[text].append(place)
            self.max_len = max(self.max_len, len(text))

    def add_zones(self, rows: list[dict[str, str]]) -> None:
        """The zones of zones.csv. "{city}…" rows become one zone per city known so far (add them last)."""
        cities = {p for ps in self.by_name.values() for p in ps if p.rank == 1 and not p.zone}
        # a municipality is its own city: 天津经济技术开发区 is a zone of 天津市
        cities |= {Place((p.path[0], p.path[0], None), 1) for ps in self.by_name.values() for p in ps
                   if p.rank == 0 and not p.zone and (p.path[0] or "").endswith("市")}
        for r in rows:
            name = _clean(r["name"])
            prov, city, county = (_clean(r.get(k, "")) or None for k in ("province", "city", "county"))
            level = r.get("level") or None
            if _CITY_SLOT in name:
                for c in cities:
                    full = c.path[1] or ""
                    zone = Place((c.path[0], full, None), 1, name.replace(_CITY_SLOT, full), level)
                    self.add_text(zone.zone or "", zone)
                    stem = _STEM.sub("", full)
                    if len(stem) >= 2:
                        self.add_text(name.replace(_CITY_SLOT, stem), zone)
            elif county and county == name:
                self.add(Place((prov, city, county), 2))  # an area that is a district: a plain place
            else:
                self.add_text(name, Place((prov, city, None), 1 if city else 0, name, level))

    def _candidates(self, name: str, pos: int, parent: Place | None) -> list[tuple[Place, int]]:
        """Places starting at name[pos] (longest text first) that fit under `parent`."""
        for length in range(min(self.max_len, len(name) - pos), 1, -1):
            frag = name[pos: pos + length]
            found = [(p, length) for p in self.by_name.get(frag, ())]
            nxt = name[pos + length: pos + length + 1]
            for p in self.by_stem.get(frag, ()):
                # a county's short form only counts when followed by a county suffix (梁平区 for 梁平县)
                if p.rank < 2 or nxt in _COUNTY_SUFFIX:
                    found.append((p, length + (1 if p.rank == 2 or nxt in "省市" else 0)))
            if parent is not None:
                found = [(p, n) for p, n in found if p.within(parent)]
            if found:
                return found
        return []

    def locate(self, name: str) -> tuple[Place | None, str]:
        """The deepest place the name starts with, and the rest of the name."""
        pos, cur = 0, None
        while pos < len(name):
            found = self._candidates(name, pos, cur)
            places = {p for p, _ in found}
            if len(places) != 1:
                if cur is None and len(places) > 1:
                    # an ambiguous bare county (朝阳区): keep the shallowest unambiguous ancestor, if any
                    anc = {Place(p.path[:1] + (None, None), 0) for p in places}
                    if len(anc) == 1:
                        cur = anc.pop()
                break
            cur, length = found[0]
            pos += length
        return cur, name[pos:]


def normalize_remainder(rest: str) -> str:
    """Fold the agency part of a name: 政府 → 人民政府, 街道 → 街道办事处, 镇 → 镇人民政府."""
    r = rest.strip("-—_·、，,:：")
    if r.startswith("人民政府") and r not in ("人民政府",) and not r.startswith(("人民政府办公", "人民政府研究")):
        r = r[len("人民政府"):]  # "X市人民政府国资委" is the X市 department
    if r in ("政府", "人民政府"):
        return "人民政府"
    if r.endswith(("镇政府", "乡政府")):
        r = r[: -2] + "人民政府"
    elif r.endswith(("镇", "乡")) and len(r) >= 2:
        r += "人民政府"
    elif r.endswith("街道") or r.endswith("街道办"):
        r = r[: r.rindex("街道")] + "街道办事处"
    elif r.startswith("政府") and r.startswith(("政府办公室", "政府办公厅")):
        r = "人民" + r
    return r


def body(place: Place | None, rest: str) -> str:
    """The remainder naming the place's own body the same way however it is printed: a zone's name alone or its
    管委会 → 管理委员会; a division's name alone ("淮安市" titling its report) → 人民政府."""
    if place is not None and place.zone and rest in _ZONE_BODY:
        return "管理委员会"
    if place is not None and not place.zone and rest == "":
        return "人民政府"
    return rest


def _is_department(rest: str) -> bool:
    r = re.sub(r"（[^（）]*）$", "", rest)  # "某局（某办公室）": the name before the bracket
    return bool(r) and not r.endswith(_NOT_DEPARTMENT) and r.endswith(_DEPARTMENT_ENDS)


def classify(rest: str, place: Place | None,
             sectors: list[tuple[str, str]]) -> tuple[str | None, str | None, str | None]:
    """(level, kind, sector) from the normalized remainder and the place; None where the name does not tell."""
    if rest.endswith("街道办事处"):
        return "township", "subdistrict", None
    if rest.endswith(("镇人民政府", "乡人民政府")) and len(rest) > 5:
        return "township", "township", None
    if place is not None and place.zone and rest.endswith(_ZONE_AREA):
        return "township", "township", None
    level = place.level if place is not None else None
    if rest == "人民政府" or (place is not None and place.zone and rest == "管理委员会"):
        return level, "government", None
    if place is None and rest.endswith("人民政府") and not rest.startswith("人民政府"):
        # a government of a place no table knows: a government all the same, its level only where the name says
        return next((lv for end, lv in _GOVERNMENT_LEVEL if rest.endswith(end)), None), "government", None
    if _is_department(rest):
        return level, "department", next((s for kw, s in sectors if kw in rest), None)
    return level, None, None


def _agrees(place: Place, stated: Path3) -> bool:
    """Whether the name's own place is the one a reference row states (blanks in the row agree with anything)."""
    return all(not want or want == have for want, have in zip(stated, place.path, strict=True))


def agency_id(identity: str) -> str:
    return hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]


def _identity(place: Place | None, rest: str, name: str) -> str:
    if place is None:
        return "?|" + (rest or name)
    return "/".join(x or "" for x in place.path) + (f"/{place.zone}" if place.zone else "") + "|" + rest


@dataclass
class Resolved:
    agency_id: str
    identity: str
    place: Place | None
    rest: str
    region_source: str


class Resolver:
    """Resolve printed names (with the folder they were found in) to agencies."""

    def __init__(self, reference_rows: list[dict[str, str]] | None = None, gazetteer: Gazetteer | None = None,
                 zones: list[dict[str, str]] | None = None, deadline_rules: list[deadlines.Rule] | None = None):
        self.gaz = gazetteer or Gazetteer.national()
        # rows from lists other than agencies.csv (SOURCES.csv, the 应报名单) may also write level/kind in Chinese
        self.ref_rows = [reference.coded(r, f"agency {r.get('name', '')}", f"机关 {r.get('name', '')}")
                         for r in reference_rows or []]
        self.gaz.add_reference(self.ref_rows)
        self.gaz.add_zones(reference.zones() if zones is None else zones)
        self.sectors = reference.sectors()
        # the national rules, and a source's own deadlines.csv when the build passes its rules
        self.rules = deadlines.rules() if deadline_rules is None else deadline_rules
        self._ref_by_name = {_clean(r["name"]): r for r in self.ref_rows}
        self._ref_by_identity: dict[str, dict[str, str]] = {}
        for r in self.ref_rows:
            place, rest = self._place_of_reference(r)
            self._ref_by_identity[_identity(place, body(place, normalize_remainder(rest)), _clean(r["name"]))] = r

    def _place_of_reference(self, r: dict[str, str]) -> tuple[Place | None, str]:
        name = _clean(r["name"])
        place, rest = self.gaz.locate(name)
        prov, city, county = (_clean(r.get(k, "")) or None for k in ("province", "city", "county"))
        if (prov or city or county) and not (place is not None and _agrees(place, (prov, city, county))):
            # the row's place wins; a zone the name is in stays part of the identity ("…区公安局" ≠ "…省公安局")
            rank = 2 if county else 1 if city else 0
            place = Place((prov, city, county), rank,
                          place.zone if place is not None else None, place.zone_level if place is not None else None)
        return place, rest

    def folder_place(self, folder: str | None) -> Place | None:
        """The place a folder's own name states ("宁波市", "浙江省宁波市"), or None: only a name that is wholly a
        place counts. What else lies in the folder is never looked at."""
        if not folder:
            return None
        name = _clean(PurePath(folder).name)
        place, rest = self.gaz.locate(name) if name else (None, name)
        return place if place is not None and rest == "" else None

    def resolve(self, names: list[tuple[str | None, str | None]]) -> dict[tuple[str | None, str | None], Resolved]:
        """Map each (printed name, folder) to its agency. Each name is placed on its own: by a reference row, the
        zone table or the division table, else by its folder's own name when that is a place, else not at all."""
        out: dict[tuple[str | None, str | None], Resolved] = {}
        for name, folder in names:
            if not name:
                continue
            clean = _clean(name)
            ref = self._ref_by_name.get(clean)
            if ref is not None:
                place, rest = self._place_of_reference(ref)
                src = "reference"
            else:
                place, rest = self.gaz.locate(clean)
                src = ("zone" if place.zone else "gazetteer") if place is not None else "none"
                if place is None and (fp := self.folder_place(folder)) is not None:
                    place, src = fp, "folder"
            rest = body(place, normalize_remainder(rest))
            ident = _identity(place, rest, clean)
            out[(name, folder)] = Resolved(agency_id(ident), ident, place, rest, src)
        return out

    def describe(self, resolved: Resolved, printed: list[str], any_sample: bool) -> dict:
        """The agencies row of one resolved identity."""
        name = Counter(printed).most_common(1)[0][0]
        place, rest = resolved.place, resolved.rest
        level, kind, sector = classify(rest, place, self.sectors)
        prov, city, county = place.path if place is not None else (None, None, None)
        ref = self._ref_by_identity.get(resolved.identity) or next(
            (self._ref_by_name[_clean(p)] for p in printed if _clean(p) in self._ref_by_name), None)
        is_sample = any_sample or "样例" in name
        if ref is not None:
            prov, city, county = (ref.get(k) or v for k, v in (("province", prov), ("city", city), ("county", county)))
            level = ref.get("level") or level
            kind = ref.get("kind") or kind
            sector = ref.get("sector") or sector
            if ref.get("is_sample"):
                is_sample = is_sample or ref["is_sample"].lower() in ("1", "true", "yes")
        # an unknown kind has no deadline: lateness is not judged (a department's 1-31 would accuse a government)
        # the deadline of the law in force now, for this kind and place (none where no rule gives one)
        rule = deadlines.current(self.rules, level, kind, prov, city)
        month, day = (rule.month, rule.day) if rule is not None else (None, None)
        return {"agency_id": resolved.agency_id, "name": name, "identity": resolved.identity,
                "province": prov, "city": city, "county": county, "level": level, "kind": kind,
                "sector": sector if kind == "department" else None, "is_sample": bool(is_sample),
                "region_source": "reference" if ref is not None else resolved.region_source,
                "deadline_month": month, "deadline_day": day}
