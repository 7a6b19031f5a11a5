"""The dashboard on a warehouse built from a collection of the fake agency websites: who has not published
(应报/已报), the collection's failures with their reasons, and the Report page's link to the source."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb
import pytest
from dash_helpers import open_app
from helpers import fake_sites

from dashboard import i18n
from dashboard.i18n import t
from etl.warehouse import deadlines


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    from etl.warehouse.build import build

    base = tmp_path_factory.mktemp("collected")
    truth, served, sources = fake_sites(base)
    try:
        r = subprocess.run([sys.executable, "-m", "etl", "collect", str(sources), "--out", str(base / "out"),
                            "--delay", "0", "--quiet", "--allow-network", "127.0.0.0/8"],  # the sites are on loopback
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
    finally:
        served.close()
    db = base / "warehouse.duckdb"
    build([base / "out"], db, jobs=1, progress=False)
    return {"db": db, "truth": truth}


def expected_2024(truth) -> dict[str, int]:
    """应报/已报 for 2024 as of today, from what the generator published and the national deadlines."""
    rules = deadlines.rules()
    kinds = {a["name"]: (a["level"], a["kind"]) for h in truth["hosts"] for a in h["agencies"]}
    pubs = [p for p in truth["published"] if p["year"] == 2024]
    late = 0
    for p in pubs:
        rule = deadlines.deadline(rules, 2024, *kinds[p["agency"]], None, None)
        late += rule is not None and dt.date.fromisoformat(p["page_date"]) > dt.date(2025, rule.month, rule.day)
    undue = sum(p["agency"] in kinds and deadlines.deadline(rules, 2024, *kinds[p["agency"]], None, None) is None
                for p in pubs)  # published, but no rule gives a deadline: lateness not judged
    expected = len(kinds) + len(truth["walls"])
    return {"n_expected": expected, "n_published": len(pubs), "n_on_time": len(pubs) - late - undue, "n_late": late,
            "n_not_due": 0}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quality_page_counts_who_has_not_published(collected, monkeypatch, lang):
    monkeypatch.setenv("DISCLOSURE_DB", str(collected["db"]))
    at = open_app("quality", {"lang": lang})
    assert t("web_publication", lang) in [h.value for h in at.subheader]
    want = expected_2024(collected["truth"])
    # none found online: the JS shell, the robots.txt path, the login wall, and one agency that never
    # published a 2024 report (the corpus's coverage gap; its 404 attachment is its 2023 report)
    assert want["n_late"] > 0
    got = {m.label: m.value for m in at.metric}
    for key, n in want.items():
        assert got[t(key, lang)] == f"{n:,}", key
    table = next(d.value for d in at.dataframe if t("web_status", lang) in d.value.columns)
    status = dict(zip(table[t("agency", lang)], table[t("web_status", lang)], strict=True))
    agencies = {a["name"] for h in collected["truth"]["hosts"] for a in h["agencies"]}
    agencies |= {w["agency"] for w in collected["truth"]["walls"]}
    online = {p["agency"] for p in collected["truth"]["published"] if p["year"] == 2024}
    # not found online: missing where a deadline has passed, "deadline unknown" where no rule gives one
    word = {k: i18n.WEB_STATUSES[k][lang == "en"] for k in ("missing", "unpublished_no_deadline")}
    absent = {a for a, s in status.items() if s in word.values()}
    assert absent == agencies - online and len(absent) == 4
    n_missing = sum(s == word["missing"] for s in status.values())
    assert got[t("n_missing", lang)] == f"{n_missing:,}" and n_missing >= 3
    # failures in printed words, never the reason codes
    fails = next(d.value for d in at.dataframe if t("url", lang) in d.value.columns)
    shown = " ".join(map(str, fails[t("reason", lang)]))
    assert "robots.txt" in shown and not any(code in shown for code in ("js_only", "http_404", "login_wall"))


def test_an_earlier_day_shows_reports_not_yet_due(collected, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_DB", str(collected["db"]))
    at = open_app("quality")
    at.date_input(key="web_as_of").set_value(dt.date(2025, 1, 2)).run()
    got = {m.label: m.value for m in at.metric}
    # on 2 January 2025 no 2024 report was online yet and no deadline had passed
    pubs = [p for p in collected["truth"]["published"] if p["year"] == 2024 and p["page_date"] <= "2025-01-02"]
    assert got[t("n_published")] == str(len(pubs)) and got[t("n_missing")] == "0"
    # the rest are not yet due, but for agencies no rule gives a deadline (a township: the 2019 regulation
    # sets none), which are "not yet published (deadline unknown)"
    table = next(d.value for d in at.dataframe if t("web_status") in d.value.columns)
    unknown = int((table[t("web_status")] == i18n.WEB_STATUSES["unpublished_no_deadline"][0]).sum())
    assert got[t("n_not_due")] == str(10 - len(pubs) - unknown)


def test_report_page_links_the_source_and_says_which_date_it_used(collected, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_DB", str(collected["db"]))
    with duckdb.connect(str(collected["db"]), read_only=True) as con:
        rid, page_url = con.execute("SELECT report_id, page_url FROM reports ORDER BY report_id LIMIT 1").fetchone()
    at = open_app("report", {"report": rid})
    buttons = at.get("link_button")
    assert [b.proto.url for b in buttons] == [page_url]
    meta = next(d.value for d in at.dataframe if t("metadata") in d.value.columns)
    shown = dict(zip(meta[t("metadata")], meta[t("value")], strict=True))
    assert shown[t("published_on")].endswith(f"（{i18n.DATE_FROM['web_page'][0]}）")
    assert shown[t("page_url")] == page_url
