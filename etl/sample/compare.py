"""Comparing a parsed report with its ground truth (the round-trip check used by tests and the bench)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.model import NARRATIVE_KEYS, Report

_WS = re.compile(r"[\s\u00a0\u3000]+")
META_FIELDS = ("agency", "year", "published_on", "template")


@dataclass
class Comparison:
    right: int = 0
    wrong: int = 0
    missing: int = 0
    extra: int = 0
    meta: int = 0  # metadata, narrative and sample-marker differences
    errors: list[str] = field(default_factory=list)  # one line per difference

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, other: Comparison) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.missing += other.missing
        self.extra += other.extra
        self.meta += other.meta
        self.errors += other.errors


def _same_value(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9  # type: ignore[arg-type]


def compare(truth: dict, report: Report, where: str = "") -> Comparison:
    """Cells (value, kind and raw text up to whitespace), metadata and stated narrative figures."""
    out = Comparison()
    got = {(c.table, c.row, c.col): c for c in report.cells}
    for t in truth["cells"]:
        key = (t["table"], t["row"], t["col"])
        c = got.pop(key, None)
        name = ".".join(key)
        if c is None:
            out.missing += 1
            out.errors.append(f"{where}: missing cell {name} (expected {t['raw']!r})")
        elif c.kind != t["kind"] or not _same_value(c.value, t["value"]) or _WS.sub("", c.raw) != _WS.sub("", t["raw"]):
            out.wrong += 1
            out.errors.append(f"{where}: {name} = {c.raw!r} ({c.kind} {c.value}) expected {t['raw']!r} "
                              f"({t['kind']} {t['value']})")
        else:
            out.right += 1
    for key, c in got.items():
        out.extra += 1
        out.errors.append(f"{where}: unexpected cell {'.'.join(key)} = {c.raw!r}")
    for f in META_FIELDS:
        if getattr(report, f) != truth[f]:
            out.meta += 1
            out.errors.append(f"{where}: {f} = {getattr(report, f)!r} expected {truth[f]!r}")
    for t, fmt in truth.get("table_formats", {}).items():  # each table's one format, as the extractor decided
        if fmt and report.table_formats.get(t) != fmt:
            out.meta += 1
            out.errors.append(f"{where}: table_formats[{t}] = {report.table_formats.get(t)!r} expected {fmt!r}")
    narrative = {k: v for k, v in report.narrative.items() if v is not None and k in NARRATIVE_KEYS}
    if narrative != truth["narrative"]:
        out.meta += 1
        out.errors.append(f"{where}: narrative {narrative} expected {truth['narrative']}")
    if report.meta.get("sample") != "1":
        out.meta += 1
        out.errors.append(f"{where}: sample marker not recognised (meta.sample = {report.meta.get('sample')!r})")
    return out


def truth_path(report_path: Path) -> Path:
    return report_path.with_name(report_path.name.rsplit(".", 1)[0] + ".truth.json")


def report_files(root: Path) -> list[Path]:
    """Every generated report file under a corpus folder (not the truth, manifest or agencies.csv)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".txt", ".pdf", ".docx"))


def load_truth(report_path: Path) -> dict:
    return json.loads(truth_path(report_path).read_text(encoding="utf-8"))
