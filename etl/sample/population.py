"""The fictional population: provinces → cities → counties, and the agencies that report in them.

Each agency gets a level/kind/sector from the warehouse taxonomy and an expected yearly request volume.
Volumes are heavy-tailed the way real ones are: most townships and small departments get 0–5 requests a
year, a large city government thousands.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

from etl.formats import norm
from etl.sample.names import NameBook, local_name

# sector key → (city/county department name, province department name, volume weight)
SECTORS: dict[str, tuple[str, str, float]] = {
    "commerce": ("商务局", "商务厅", 0.5),
    "education": ("教育局", "教育厅", 1.0),
    "finance": ("财政局", "财政厅", 0.6),
    "public_security": ("公安局", "公安厅", 1.5),
    "natural_resources": ("自然资源和规划局", "自然资源厅", 3.0),
    "health": ("卫生健康委员会", "卫生健康委员会", 1.0),
    "ecology": ("生态环境局", "生态环境厅", 0.8),
    "housing": ("住房和城乡建设局", "住房和城乡建设厅", 2.5),
    "human_resources": ("人力资源和社会保障局", "人力资源和社会保障厅", 1.2),
    "market_regulation": ("市场监督管理局", "市场监督管理局", 1.5),
    "transport": ("交通运输局", "交通运输厅", 0.8),
    "agriculture": ("农业农村局", "农业农村厅", 0.5),
    "civil_affairs": ("民政局", "民政厅", 0.5),
    "water": ("水利局", "水利厅", 0.4),
}
# Sectors whose departments issue many licences / penalties (table 2 decisions).
LICENSING = {"commerce": 0.3, "education": 0.5, "public_security": 3.0, "natural_resources": 1.5, "health": 1.5,
             "ecology": 0.8, "housing": 1.5, "human_resources": 0.8, "market_regulation": 4.0, "transport": 2.0,
             "agriculture": 0.8, "civil_affairs": 0.3, "water": 0.5}
ENFORCEMENT = {"public_security": 6.0, "market_regulation": 3.0, "ecology": 1.5, "transport": 3.0,
               "natural_resources": 1.0, "health": 1.0, "housing": 0.8, "agriculture": 0.5, "water": 0.3,
               "commerce": 0.1, "human_resources": 0.2}

# (level, kind) → (median yearly new requests, log-sd)
VOLUME = {
    ("province", "government"): (600.0, 0.6),
    ("province", "department"): (50.0, 0.9),
    ("city", "government"): (250.0, 1.0),
    ("city", "department"): (12.0, 1.0),
    ("county", "government"): (35.0, 0.9),
    ("county", "department"): (2.5, 1.0),
    ("township", "township"): (0.5, 0.8),
    ("township", "subdistrict"): (0.9, 0.8),
}


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    slug: str  # ASCII path component, unique within its province
    province: str
    province_slug: str
    city: str | None
    county: str | None
    level: str  # province | city | county | township
    kind: str  # government | department | township | subdistrict
    sector: str | None
    volume: float  # expected new requests in the first year

    def csv_row(self) -> dict[str, str]:
        return {"name": self.name, "province": self.province, "city": self.city or "", "county": self.county or "",
                "level": self.level, "kind": self.kind, "sector": self.sector or "", "is_sample": "1",
                "agency_id": self.agency_id}


def agency_id(name: str) -> str:
    """Stable id: hash of the normalized name (the warehouse contract's agency_id)."""
    return hashlib.sha256(norm(name).encode("utf-8")).hexdigest()[:16]


def _volume(rng: random.Random, level: str, kind: str, sector: str | None) -> float:
    median, sd = VOLUME[(level, kind)]
    w = SECTORS[sector][2] if sector else 1.0
    return median * w * math.exp(rng.gauss(0.0, sd))


def build_population(n: int, seed: int) -> list[Agency]:
    """The first `n` agencies of a seeded province → city → county tree, walked depth first."""
    rng = random.Random(f"population/{seed}")
    book = NameBook(random.Random(f"names/{seed}"))
    small = n < 200  # small corpora: fewer cities per province so several provinces appear
    out: list[Agency] = []

    def add(name: str, slug: str, prov: tuple[str, str], city: str | None, county: str | None, level: str,
            kind: str, sector: str | None) -> bool:
        out.append(Agency(agency_id(name), name, slug, prov[0], prov[1], city, county, level, kind, sector,
                          _volume(rng, level, kind, sector)))
        return len(out) >= n

    sector_keys = list(SECTORS)
    while True:
        prov = book.place("省")
        if add(prov[0].replace("省", "省人民政府"), "gov", prov, None, None, "province", "government", None):
            return out
        for sector in rng.sample(sector_keys, 2):
            if add(prov[0] + SECTORS[sector][1], sector, prov, None, None, "province", "department", sector):
                return out
        for _ in range(1 if small else rng.randint(4, 8)):
            city, city_slug = book.place("市")
            if add(city + "人民政府", f"{city_slug}/gov", prov, city, None, "city", "government", None):
                return out
            for sector in rng.sample(sector_keys, rng.randint(6, 9)):
                if add(city + SECTORS[sector][0], f"{city_slug}/{sector}", prov, city, None, "city", "department",
                       sector):
                    return out
            for _ in range(2 if small else rng.randint(3, 6)):
                urban = rng.random() < 0.3
                county, county_slug = book.place("区" if urban else "县")
                base = f"{city_slug}/{county_slug}"
                if add(county + "人民政府", f"{base}/gov", prov, city, county, "county", "government", None):
                    return out
                for sector in rng.sample(sector_keys, rng.randint(4, 6)):
                    if add(county + SECTORS[sector][0], f"{base}/{sector}", prov, city, county, "county",
                           "department", sector):
                        return out
                used: set[str] = set()
                for _ in range(rng.randint(3, 5)):
                    stem, rom = local_name(rng, used)
                    if urban or rng.random() < 0.15:
                        name, slug, kind = f"{county}{stem}街道办事处", f"{base}/{rom}-jd", "subdistrict"
                    else:
                        suffix = "乡" if rng.random() < 0.3 else "镇"
                        name, slug, kind = (f"{county}{stem}{suffix}人民政府",
                                            f"{base}/{rom}-{'xiang' if suffix == '乡' else 'zhen'}", "township")
                    if add(name, slug, prov, city, county, "township", kind, None):
                        return out
