"""`etl collect` end to end against the generated fake agency websites (etl.sample.sites) on loopback.

Nothing outside this machine is contacted: the sites are served by etl.sample.site_server on 127.0.0.x.
"""

from __future__ import annotations

import collections
import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers import fake_sites

from etl.collect import store

DELAY = 0.25  # seconds between requests to one host in these tests
# The fake sites are served on loopback, which the collector refuses unless the operator allows it
# (etl.collect.netguard): these tests allow it explicitly, as an operator would for an intranet.
ALLOW = ("--allow-network", "127.0.0.0/8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    base = tmp_path_factory.mktemp("collect")
    truth, served, sources = fake_sites(base)
    yield {"base": base, "truth": truth, "served": served, "sources": sources}
    served.close()


def collect(sites, out: Path, *extra: str, wait: bool = True, timeout: float = 240):
    cmd = [sys.executable, "-m", "etl", "collect", str(sites["sources"]), "--out", str(out), "--delay", str(DELAY),
           "--quiet", *ALLOW, *extra]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def files(out: Path) -> dict[str, str]:
    """Stored report files (relative path -> sha256), the collector's own records left out."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in out.rglob("*") if p.is_file() and store.STATE_DIR not in p.parts
            and p.name not in (store.PROVENANCE, store.SUMMARY, store.PUBLICATIONS, store.SOURCES_COPY)}


@pytest.fixture(scope="module")
def first_run(sites):
    out = sites["base"] / "out"
    n0 = len(sites["served"].log)
    r = collect(sites, out)
    assert r.returncode == 0, r.stderr
    return {"out": out, "stdout": r.stdout, "log": list(sites["served"].log[n0:])}


def test_finds_every_published_report_and_none_other(sites, first_run):
    out, truth = first_run["out"], sites["truth"]
    current = store.current_files(out)
    got = {(r["agency"], r["year"], r["sha256"]) for r in current.values()}
    want = {(p["agency"], p["year"], p["sha256"]) for p in truth["published"]}
    assert len(want) == 32 and got == want
    # every stored file is the bytes the site served, under one name each
    assert sorted(files(out).values()) == sorted(r["sha256"] for r in current.values())
    # provenance: the page's own date (PubDate meta or 发布日期) and the listing's date, as published
    by_key = {(p["agency"], p["year"]): p for p in truth["published"]}
    for r in current.values():
        p = by_key[(r["agency"], r["year"])]
        assert (r["page_date"], r["listing_date"]) == (p["page_date"], p["listing_date"])
        assert r["url"].endswith(p["url_path"]) and r["status"] == 200 and r["fetched_at"]
        assert r["listing_url"] and r["page_url"]


def test_unreadable_pages_are_reported_with_their_reasons(sites, first_run):
    log = store.read_log(first_run["out"])
    failed = {(r["agency"], r.get("year"), r["code"]) for r in log if r["event"] == "failed"}
    want = {(h["agency"], h["year"], h["reason"]) for h in sites["truth"]["hidden"]}
    want |= {(w["agency"], None, w["reason"]) for w in sites["truth"]["walls"]}
    assert {c for *_, c in want} == {"js_only", "http_404", "robots_forbidden", "login_wall"}
    assert failed == want
    summary = json.loads((first_run["out"] / store.SUMMARY).read_text(encoding="utf-8"))
    assert summary["new"] == 32 and summary["failures"] == {"js_only": 1, "http_404": 1, "robots_forbidden": 1,
                                                            "login_wall": 1}
    assert "failures: http_404 1, js_only 1, login_wall 1, robots_forbidden 1" in first_run["stdout"]


def test_robots_txt_and_the_rate_limit_are_obeyed(sites, first_run):
    log = first_run["log"]
    forbidden = [p for h in sites["truth"]["hosts"] for p in h["robots_forbid"]]
    assert forbidden and not [r for r in log if any(r.path.startswith(p) for p in forbidden)]
    by_host = collections.defaultdict(list)
    for r in log:
        by_host[r.host].append(r)
    for host, reqs in by_host.items():
        assert reqs[0].path == "/robots.txt", host
        assert all("disclosure-reports-collector" in r.user_agent for r in reqs)
        times = sorted(r.t for r in reqs)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # One request at a time per host, DELAY apart. The server stamps a request when it arrives, so one late
        # arrival under load shortens the next gap: the span over all gaps is what the delay guarantees, and no
        # two requests may come close to together (a burst would show as gaps near 0).
        assert times[-1] - times[0] >= DELAY * 0.9 * len(gaps), (host, times[-1] - times[0], len(gaps))
        assert min(gaps) >= DELAY * 0.4, (host, min(gaps))


def test_second_run_asks_conditionally_and_downloads_nothing(sites, first_run):
    out = first_run["out"]
    before = files(out)
    n0 = len(sites["served"].log)
    r = collect(sites, out)
    assert r.returncode == 0, r.stderr
    log = sites["served"].log[n0:]
    summary = json.loads((out / store.SUMMARY).read_text(encoding="utf-8"))
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (0, 0, 32)
    assert files(out) == before
    statuses = collections.Counter(x.status for x in log)
    # nothing sent in full: every answer with a body was a 304, save the moved column (301) and the
    # attachment that is still missing (404), which have no validators to ask with
    assert set(statuses) == {304, 301, 404} and statuses[301] == 1 and statuses[404] == 1
    assert all(x.conditional for x in log if x.status == 304)
    # an unchanged listing is not walked again: one request per listing page (robots.txt, the login wall and
    # the report pages that failed last time are asked again)
    listing_pages = sum(1 for x in first_run["log"] if x.path.endswith(("/ndbg/", "index_1.html")))
    assert len(log) <= listing_pages + 3 + 1 + 1 + 2 + 1


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_killed_run_continues_and_ends_with_the_same_files(sites, first_run, tmp_path, how):
    out = tmp_path / "out"
    p = collect(sites, out, wait=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if sum(r["event"] == "stored" for r in store.read_log(out)) >= 10:
            break
    p.send_signal(getattr(signal, how))
    p.communicate(timeout=60)
    assert p.returncode != 0
    stored_before = sum(r["event"] == "stored" for r in store.read_log(out))
    assert 10 <= stored_before < 32
    r = collect(sites, out)
    assert r.returncode == 0, r.stderr
    assert ("resume an interrupted run" if how == "SIGTERM" else "restart after an interrupted run") in r.stdout
    assert files(out) == files(first_run["out"])
    # never stored twice: one "stored" event per file over both runs
    stored = collections.Counter(r["path"] for r in store.read_log(out) if r["event"] == "stored")
    assert set(stored.values()) == {1} and len(stored) == 32


def test_build_over_the_collected_folder_gives_the_generators_cells(sites, first_run, tmp_path):
    from etl.warehouse.build import build

    build([first_run["out"]], tmp_path / "c.duckdb", jobs=1, progress=False)
    build([sites["base"] / "corpus"], tmp_path / "g.duckdb", jobs=1, progress=False)
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    con.execute("ATTACH ? AS g (READ_ONLY)", [str(tmp_path / "g.duckdb")])
    q = ("SELECT r.agency_name, r.year, c.tbl, c.row_key, c.col_key, c.value, c.kind FROM {db}.reports r "
         "JOIN {db}.cells c USING (report_id)")
    collected = set(con.execute(q.format(db="main")).fetchall())
    published = {(p["agency"], p["year"]) for p in sites["truth"]["published"]}
    direct = {row for row in con.execute(q.format(db="g")).fetchall() if row[:2] in published}
    assert len(collected) > 5000 and collected == direct
    # every report knows where it came from, and is dated by its web page
    rows = con.execute("SELECT count(*), count(source_url), count(page_url), count(*) FILTER "
                       "(WHERE published_from = 'web_page') FROM reports").fetchone()
    assert rows == (32, 32, 32, 32)
    by_key = {(p["agency"], p["year"]): p["page_date"] for p in sites["truth"]["published"]}
    for agency, year, on in con.execute("SELECT agency_name, year, published_on FROM reports").fetchall():
        assert on.isoformat() == by_key[(agency, year)]
    late = con.execute("SELECT message FROM findings WHERE rule = 'timeliness'").fetchall()
    assert late and all(m.startswith("网页发布日期") for m, in late)
    # who was expected, what was found, what could not be read
    assert con.execute("SELECT count(*) FROM collect_agencies").fetchone()[0] == 10
    assert con.execute("SELECT count(*), count(DISTINCT agency) FROM collect_publications").fetchone() == (32, 9)
    assert sorted(c for c, in con.execute("SELECT code FROM collect_failures").fetchall()) == [
        "http_404", "js_only", "login_wall", "robots_forbidden"]
    from test_warehouse_grain import COLLECT_GRAIN, _assert_grain

    for table, (keys, where) in COLLECT_GRAIN.items():
        _assert_grain(con, table, keys, where)


def test_too_large_downloads_and_slow_hosts_are_failures_with_reasons(sites, tmp_path):
    out = tmp_path / "small"
    r = collect(sites, out, "--max-mb", "0.02", "--timeout", "0.2", "--retries", "0")
    assert r.returncode == 0, r.stderr
    codes = collections.Counter(x["code"] for x in store.read_log(out) if x["event"] == "failed")
    # the PDF and DOCX attachments (tens of KB) are over 20 KB; the slow host answers after 0.3 s
    assert codes["download_too_large"] >= 1 and codes["fetch_timeout"] >= 1
    assert all(x["bytes"] <= 0.02 * 1024 * 1024 for x in store.read_log(out) if x["event"] == "stored")


def test_background_run_collects_then_builds(sites, tmp_path, monkeypatch):
    from etl.collect import background, netguard

    monkeypatch.setenv(netguard.ALLOW_ENV, "127.0.0.0/8")  # the setting the dashboard's runs read
    out, db = tmp_path / "bg", tmp_path / "bg.duckdb"
    background.start(sites["sources"], out, db)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and background.status(out)["stage"] in ("collecting", "building"):
        time.sleep(0.5)
    state = background.status(out)
    assert state["stage"] == "done", state
    assert state["summary"]["files"] == 32 and state["progress"]["counts"]["new"] == 32
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports WHERE page_url IS NOT NULL").fetchone()[0] == 32


def test_since_skips_entries_listed_before_the_day(sites, tmp_path):
    out = tmp_path / "since"
    r = collect(sites, out, "--since", "2025-01-01")
    assert r.returncode == 0, r.stderr
    got = {(x["agency"], x["year"]) for x in store.current_files(out).values()}
    want = {(p["agency"], p["year"]) for p in sites["truth"]["published"] if p["listing_date"] >= "2025-01-01"}
    assert want and got == want
