"""Score the checks against a generated sample corpus' ground truth: recall of injected defects, false fails.

Each generated report has `<stem>.truth.json` listing `defects: [{rule, cells}]`; the corpus' manifest.json
lists every defect including coverage (a missing agency-year) and duplicates (two files, one agency-year).
A defect is found when the warehouse has a finding of that rule on that report (coverage: on that agency
name and year; duplicate: on one of the files). A false fail is a `fail` finding whose rule the truth does
not list for that report.

`python -m etl.checks.score CORPUS --db WAREHOUSE` prints the figures.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (file or agency/year, rule)
    false_fails: list[tuple[str, str, str]] = field(default_factory=list)  # (file, rule, message)
    clean_reports: int = 0
    clean_with_fail: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    def summary(self) -> str:
        return (f"recall {self.found}/{self.expected} = {self.recall:.3f}; false fails {len(self.false_fails)}; "
                f"clean reports with a fail {self.clean_with_fail}/{self.clean_reports}")


def _report_file(truth: Path) -> Path | None:
    stem = truth.name[: -len(".truth.json")]
    for p in sorted(truth.parent.glob(stem + ".*")):
        if not p.name.endswith(".json"):
            return p
    return None


def score(corpus: Path, con: duckdb.DuckDBPyConnection) -> Score:
    corpus = corpus.resolve()
    s = Score()
    rows = con.execute("""SELECT r.source_path, f.rule, f.status, f.message FROM findings f
                          JOIN reports r USING (report_id)""").fetchall()
    by_file: dict[str, list[tuple[str, str, str]]] = {}
    for path, rule, status, msg in rows:
        by_file.setdefault(str(Path(path).resolve()), []).append((rule, status, msg))
    manifest = corpus / "manifest.json"
    defects = json.loads(manifest.read_text(encoding="utf-8")).get("defects", []) if manifest.is_file() else []
    pair_of: dict[str, set[str]] = {}
    for d in defects:
        if d["rule"] == "duplicate":
            files = {str((corpus / f).resolve()) for f in d["files"]}
            for f in files:
                pair_of[f] = files
    truth_rules: dict[str, set[str]] = {}
    for truth in sorted(corpus.rglob("*.truth.json")):
        report = _report_file(truth)
        if report is None:
            continue
        key = str(report.resolve())
        rules = {d["rule"] for d in json.loads(truth.read_text(encoding="utf-8")).get("defects", [])}
        truth_rules[key] = rules
        got = {r for f in pair_of.get(key, {key}) for r, _, _ in by_file.get(f, [])
               if r == "duplicate" or f == key}
        for rule in sorted(rules):
            s.expected += 1
            if rule in got:
                s.found += 1
            else:
                s.missed.append((str(report.relative_to(corpus)), rule))
    dup_files = set(pair_of)
    if defects:
        cov = {(n, y) for n, y in con.execute("""SELECT a.name, f.year FROM findings f JOIN agencies a USING (agency_id)
                                                  WHERE f.rule = 'coverage'""").fetchall()}
        names = {}
        for name, aid in con.execute("SELECT DISTINCT agency_name, agency_id FROM reports").fetchall():
            names.setdefault(name, aid)
        cov_ids = {(aid, y) for aid, y in con.execute(
            "SELECT agency_id, year FROM findings WHERE rule = 'coverage'").fetchall()}
        for d in defects:
            if d["rule"] == "coverage":
                s.expected += 1
                if (d["agency"], d["year"]) in cov or (names.get(d["agency"]), d["year"]) in cov_ids:
                    s.found += 1
                else:
                    s.missed.append((f"{d['agency']} {d['year']}", "coverage"))
            elif d["rule"] == "duplicate":
                s.expected += 1
                files = pair_of[str((corpus / d["files"][0]).resolve())]
                if any(r == "duplicate" for f in files for r, _, _ in by_file.get(f, [])):
                    s.found += 1
                else:
                    s.missed.append((", ".join(d["files"]), "duplicate"))
    for key, rules in truth_rules.items():
        allowed = rules | ({"duplicate"} if key in dup_files else set())
        fails = [(r, m) for r, st, m in by_file.get(key, []) if st == "fail" and r not in allowed]
        if not rules:
            s.clean_reports += 1
            s.clean_with_fail += bool(fails)
        s.false_fails += [(str(Path(key).relative_to(corpus)), r, m) for r, m in fails]
    return s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--db", default="data/warehouse.duckdb")
    ap.add_argument("--show", type=int, default=20, help="list this many misses and false fails")
    args = ap.parse_args()
    with duckdb.connect(args.db, read_only=True) as con:
        s = score(args.corpus, con)
    print(s.summary())
    for m in s.missed[: args.show]:
        print("missed:", *m)
    for f in s.false_fails[: args.show]:
        print("false fail:", *f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
