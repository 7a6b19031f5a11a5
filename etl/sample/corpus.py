"""Writing a corpus: report files with their ground truth beside them, agencies.csv and manifest.json.

Layout: DIR/<province>/<city>/<county>/<agency>/<year>.<ext> and <year>.truth.json next to it. A few
reports are also published a second time in another form (<year>-copy.<ext>: a duplicate), a few
agency-years have no report at all (coverage); both are listed in manifest.json with the files involved.
Work is spread over processes by agency (each agency's years depend on each other, agencies do not), and
every random choice is seeded by (seed, agency, year), so the output is byte-identical for a seed whatever
the number of workers.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from etl.sample import layout as layout_mod
from etl.sample import rules
from etl.sample.population import Agency, build_population
from etl.sample.truth import RENDERINGS, AgencyPlan, ReportSpec

KINDS = tuple(RENDERINGS)
DUPLICATE_RATE = 0.01
GENERATOR = layout_mod.GENERATOR


def kind_of(rendering: str) -> str:
    return "pdf" if rendering == SCAN else next(k for k, rs in RENDERINGS.items() if rendering in rs)


EXT = {"html": ".html", "text": ".txt", "pdf": ".pdf", "docx": ".docx"}


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a .docx with fixed timestamps so the same seed gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            z = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            z.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(z, src.read(info.filename))
    return out.getvalue()


# A scanned copy of the "pdf" rendering (etl.sample.scan): image-only pages, the same truth. Not a kind
# agencies are drawn to publish in: `generate(scans=N)` turns N reports into scans.
SCAN = "scan-pdf"


def render(spec: ReportSpec, rendering: str | None = None, scan_dpi: int = 200, scan_style: str = "noisy") -> bytes:
    """The bytes of one report file in `rendering` (default: the spec's own)."""
    rendering = rendering or spec.rendering
    lay = layout_mod.build(spec)
    rng = random.Random(spec.style_seed + "/" + rendering)
    if rendering.startswith("text-"):
        from etl.sample.render_text import render as render_text

        return render_text(lay, rendering[-1], rng).encode("utf-8")
    if rendering.startswith("html"):
        from etl.sample.render_html import render as render_html

        return render_html(lay, word=rendering != "html", encoding="gbk" if rendering == "html-gbk" else "utf-8",
                           rng=rng)
    if rendering == "pdf":
        from etl.sample.render_pdf import render as render_pdf

        return render_pdf(lay)
    if rendering == "docx":
        from etl.sample.render_docx import render as render_docx

        return _stable_zip(render_docx(lay))
    if rendering == SCAN:
        from etl.sample.render_pdf import render as render_pdf
        from etl.sample.scan import named_style, scanned_pdf

        return scanned_pdf(render_pdf(lay), rng, named_style(scan_style, scan_dpi))
    raise ValueError(f"unknown rendering {rendering!r}")


def renderings_for(kinds: list[str]) -> list[str]:
    return [r for k in kinds for r in RENDERINGS[k]]


def agency_dir(a: Agency) -> str:
    return f"{a.province_slug}/{a.slug}"


@dataclass
class Job:
    agency: Agency
    seed: int
    years: list[int]
    kinds: list[str]
    out: str
    scan: bool = False  # this agency's latest report is published as a scan
    scan_dpi: int = 200
    scan_style: str = "noisy"  # etl.sample.scan.STYLES


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _truth_bytes(truth: dict) -> bytes:
    return (json.dumps(truth, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def run_agency(job: Job) -> dict:
    """Generate and write one agency's reports; return what the manifest needs."""
    a = job.agency
    plan = AgencyPlan(a, job.seed, job.years, job.kinds)
    specs = plan.reports()
    rng = random.Random(f"dup/{job.seed}/{a.agency_id}")
    files, defects = [], []
    scanned = specs[-1].year if job.scan and specs else None
    for spec in specs:
        stem = f"{agency_dir(a)}/{spec.year}"
        published = SCAN if spec.year == scanned else spec.rendering  # a scan is a .pdf, whatever it replaced
        copies = [(stem + EXT[kind_of(published)], published)]
        others = [k for k in job.kinds if k != kind_of(spec.rendering)]  # as unscanned: the same duplicates
        if others and rng.random() < DUPLICATE_RATE:
            other = rng.choice(renderings_for([rng.choice(others)]))
            copies.append((f"{stem}-copy{EXT[kind_of(other)]}", other))
        for fname, rendering in copies:
            data = render(spec, rendering, job.scan_dpi, job.scan_style)
            _write(Path(job.out) / fname, data)
            truth = spec.truth()
            truth["rendering"] = rendering
            if len(copies) > 1:
                twin = [f for f, _ in copies if f != fname]
                truth["defects"].append({"rule": "duplicate", "cells": [], "note": f"same report as {twin[0]}"})
            _write(Path(job.out) / (fname.rsplit(".", 1)[0] + ".truth.json"), _truth_bytes(truth))
            files.append({"file": fname, "rendering": rendering, "kind": kind_of(rendering), "year": spec.year,
                          "bytes": len(data), "injected": spec.injected})
        for d in spec.defects:
            defects.append({"rule": d.rule, "agency_id": a.agency_id, "agency": a.name, "year": spec.year,
                            "files": [f for f, _ in copies], "cells": list(d.cells), "note": d.note})
        if len(copies) > 1:
            defects.append({"rule": "duplicate", "agency_id": a.agency_id, "agency": a.name, "year": spec.year,
                            "files": [f for f, _ in copies], "cells": [], "note": "the same report in two files"})
    for year in sorted(plan.missing):
        defects.append({"rule": "coverage", "agency_id": a.agency_id, "agency": a.name, "year": year, "files": [],
                        "cells": [], "note": "no report published for this year"})
    return {"files": files, "defects": defects, "reports": len(specs),
            "injected": sum(1 for s in specs if s.injected)}


def _clear(out: Path) -> None:
    """Remove a previous sample corpus written here (only what its manifest says it wrote)."""
    manifest = out / "manifest.json"
    if not manifest.exists():
        return
    old = json.loads(manifest.read_text(encoding="utf-8"))
    if old.get("generator") != GENERATOR:
        raise SystemExit(f"{out} holds a manifest.json not written by the sample generator; refusing to overwrite")
    for top in old.get("top_dirs", []):
        target = (out / top).resolve()
        if target.parent == out.resolve() and target.is_dir():
            shutil.rmtree(target)


def generate(out: str | Path, agencies: int, years: list[int], seed: int, kinds: list[str],
             workers: int = 2, progress: bool = False, scans: int = 0, scan_dpi: int = 200,
             scan_style: str = "noisy") -> dict:
    """Write a corpus to `out`; returns the manifest. With `scans`, that many agencies (drawn by the seed)
    publish their latest report as a scanned PDF instead (etl.sample.scan, at `scan_dpi` in `scan_style`);
    the manifest records them, so the corpus can be made again from it."""
    from etl.sample.scan import STYLES

    if scan_style not in STYLES:
        raise ValueError(f"unknown scan style {scan_style!r}: one of {', '.join(STYLES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    population = build_population(agencies, seed)
    scanning = set(random.Random(f"scans/{seed}").sample(range(len(population)), min(scans, len(population))))
    jobs = [Job(a, seed, years, kinds, str(out), i in scanning, scan_dpi, scan_style)
            for i, a in enumerate(population)]
    results: list[dict] = []
    if workers <= 1:
        results = [run_agency(j) for j in jobs]
    else:
        with get_context("fork").Pool(workers) as pool:
            it = pool.imap(run_agency, jobs, chunksize=max(1, min(64, len(jobs) // (workers * 8) or 1)))
            if progress:
                from tqdm import tqdm

                it = tqdm(it, total=len(jobs), unit="agency")
            results = list(it)
    files = [f for r in results for f in r["files"]]
    defects = [d for r in results for d in r["defects"]]
    with open(out / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(population[0].csv_row()))
        w.writeheader()
        for a in population:
            w.writerow(a.csv_row())
    with open(out / "deadlines.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("# Generated sample data: the fictional provinces' own deadlines for townships and sub-districts\n")
        rows = rules.deadline_rows(sorted({a.province for a in population}))
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    reports = sum(r["reports"] for r in results)
    manifest = {
        "generator": GENERATOR,
        "sample": True,
        "seed": seed,
        "agencies": agencies,
        "years": [years[0], years[-1]],
        "formats": kinds,
        **({"scans": {"count": scans, "dpi": scan_dpi, "style": scan_style}} if scans else {}),
        "top_dirs": sorted({a.province_slug for a in population}),
        "counts": {
            "agencies": len(population),
            "reports": reports,
            "files": len(files),
            "bytes": sum(f["bytes"] for f in files),
            "reports_with_injected_defect": sum(r["injected"] for r in results),
            "by_kind": dict(sorted(Counter(f["kind"] for f in files).items())),
            "by_rendering": dict(sorted(Counter(f["rendering"] for f in files).items())),
            "defects_by_rule": dict(sorted(Counter(d["rule"] for d in defects).items())),
        },
        "defects": defects,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest
