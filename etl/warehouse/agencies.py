"""Agency identity and region: one agency across years whatever small variations its name is printed with.

A name is read as a chain of places (province → city → county, from the national division table shipped by
the `cpca` package, plus the places of any reference agencies.csv) followed by a remainder ("商务局",
"人民政府", "某某镇人民政府"). The identity key is the deepest place's path plus the normalized remainder, so
"浙江省宁波市商务局", "宁波市商务局" and "宁波商务局" are one agency while "宁波市商务局" and "宁波市教育局", or
"X县人民政府" and "X县人民政府办公室", stay apart. A name with no place ("商务局") takes the place of the other
reports in its folder when they all agree on one; otherwise it stays on its own.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from etl.warehouse import reference

Path3 = tuple[str | None, str | None, str | None]  # (province, city, county)
_RANK_LEVEL = ("province", "city", "county")
_MUNICIPALITIES = {"11", "12", "31", "50"}  # province-level cities: their districts' city is the province
# Suffixes whose removal leaves a place's short form ("浙江省" → "浙江", "梁平区" → "梁平").
_STEM = re.compile(r"(?:(?:维吾尔|回族|壮族)?自治区|特别行政区|省|市|(?:[\u4e00-\u9fff]{1,6}族)*自治[州县旗]|地区|盟|县|区|旗)$")
_COUNTY_SUFFIX = ("县", "区", "市", "旗")
_PLACEHOLDERS = {"市辖区", "县", "区"}


def _clean(name: str) -> str:
    t = unicodedata.normalize("NFKC", name)
    t = re.sub(r"\s+", "", t)
    return t.replace("(", "（").replace(")", "）")


@dataclass(frozen=True)
class Place:
    path: Path3
    rank: int  # 0 province, 1 city, 2 county

    @property
    def name(self) -> str:
        return self.path[self.rank] or ""

    def within(self, other: Place) -> bool:
        return self.rank > other.rank and all(
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


def classify(rest: str, place: Place | None, sectors: list[tuple[str, str]]) -> tuple[str | None, str, str | None]:
    """(level, kind, sector) from the normalized remainder and the place."""
    if rest.endswith("街道办事处"):
        return "township", "subdistrict", None
    if rest.endswith(("镇人民政府", "乡人民政府")) and len(rest) > 5:
        return "township", "township", None
    level = _RANK_LEVEL[place.rank] if place is not None else None
    if rest == "人民政府":
        return level, "government", None
    sector = next((s for kw, s in sectors if kw in rest), None)
    return level, "department", sector


def agency_id(identity: str) -> str:
    return hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]


def _identity(place: Place | None, rest: str, name: str) -> str:
    if place is None:
        return "?|" + (rest or name)
    return "/".join(x or "" for x in place.path) + "|" + rest


@dataclass
class Resolved:
    agency_id: str
    identity: str
    place: Place | None
    rest: str
    region_source: str


class Resolver:
    """Resolve printed names (with the folder they were found in) to agencies."""

    def __init__(self, reference_rows: list[dict[str, str]] | None = None, gazetteer: Gazetteer | None = None):
        self.gaz = gazetteer or Gazetteer.national()
        self.ref_rows = reference_rows or []
        self.gaz.add_reference(self.ref_rows)
        self.sectors = reference.sectors()
        self.rules = reference.deadline_rules()
        self._ref_by_name = {_clean(r["name"]): r for r in self.ref_rows}
        self._ref_by_identity: dict[str, dict[str, str]] = {}
        for r in self.ref_rows:
            place, rest = self._place_of_reference(r)
            self._ref_by_identity[_identity(place, normalize_remainder(rest), _clean(r["name"]))] = r

    def _place_of_reference(self, r: dict[str, str]) -> tuple[Place | None, str]:
        name = _clean(r["name"])
        place, rest = self.gaz.locate(name)
        prov, city, county = (_clean(r.get(k, "")) or None for k in ("province", "city", "county"))
        if prov or city or county:
            rank = 2 if county else 1 if city else 0
            place = Place((prov, city, county), rank)
        return place, rest

    def resolve(self, names: list[tuple[str | None, str]]) -> dict[tuple[str | None, str], Resolved]:
        """Map each (printed name, folder) to its agency. Unknown names resolve per file folder to '?'."""
        located: dict[tuple[str | None, str], tuple[Place | None, str, str]] = {}
        folder_places: dict[str, set[Path3]] = defaultdict(set)
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
                src = "gazetteer" if place is not None else "none"
            located[(name, folder)] = (place, normalize_remainder(rest), src)
            if place is not None and place.rank >= 1:
                folder_places[folder].add(place.path)
        out: dict[tuple[str | None, str], Resolved] = {}
        for (name, folder), (place, rest, src) in located.items():
            if place is None and len(folder_places[folder]) == 1:
                # "商务局" among reports that all belong to one city: that city's 商务局
                path = next(iter(folder_places[folder]))
                place, src = Place(path, 2 if path[2] else 1), "folder"
            ident = _identity(place, rest, _clean(name))
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
        month, day = reference.deadline_for(self.rules, level, kind, prov, city)
        return {"agency_id": resolved.agency_id, "name": name, "identity": resolved.identity,
                "province": prov, "city": city, "county": county, "level": level, "kind": kind,
                "sector": sector if kind == "department" else None, "is_sample": bool(is_sample),
                "region_source": "reference" if ref is not None else resolved.region_source,
                "deadline_month": month, "deadline_day": day}
