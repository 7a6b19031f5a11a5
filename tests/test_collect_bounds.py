"""A hostile site cannot make a collection unbounded or silent (issue 26): a 100,000-link listing, 95 MB
listing pages, a tree of pages that grows as it is walked, a redirect loop and a trickling server all end
within the stated bounds (etl.collect.limits), with every lost source and its reason in the summary; the
summary is written as the run goes; Ctrl+C, SIGTERM and the background stop command end a run promptly.

The hostile site (etl.sample.hostile_sites) runs on 127.0.0.2, allowed explicitly; the bounds are shrunk
with `--limit` where the defaults would only make the test slower.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.collect import netguard, store
from etl.collect.limits import LIMITS, Limits, override
from etl.sample.hostile_sites import serve_hostile

ROOT = Path(__file__).resolve().parents[1]
ALLOW = ("--allow-network", "127.0.0.2/32")
# The collector's resident memory on huge listing pages at the default limits, as stated in docs/collect.md
MEMORY_CAP_MB = 400


@pytest.fixture()
def hostile():
    with serve_hostile("127.0.0.2") as s:
        yield s


def write_sources(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("agency,url\n" + "".join(f"{a},{u}\n" for a, u in rows), encoding="utf-8")
    return path


def command(sources: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "etl", "collect", str(sources), "--out", str(out), "--delay", "0", "--quiet",
            "--retries", "0", *ALLOW, *extra]


def collect(sources: Path, out: Path, *extra: str, timeout: float = 240):
    return subprocess.run(command(sources, out, *extra), capture_output=True, text=True, timeout=timeout)


def summary(out: Path) -> dict:
    return json.loads((out / store.SUMMARY).read_text(encoding="utf-8"))


def lost(s: dict) -> dict[str, dict[str, int]]:
    return {x["agency"]: x["reasons"] for x in s["lost"]}


def test_a_100000_link_listing_ends_within_its_bounds(hostile, tmp_path):
    out = tmp_path / "out"
    src = write_sources(tmp_path / "s.csv", [("列表", f"{hostile.base}/listing/100000")])
    r = collect(src, out, "--limit", "page_mb=20", "--limit", "links_per_listing=40",
                "--limit", "report_pages_per_source=40", "--limit", "hours=0.05")
    assert r.returncode == 0, r.stderr
    s = summary(out)
    # read whole (10.6 MB, 100,000 report links) well inside the run's 3 minutes, then 40 links followed
    assert s["state"] == "finished" and s["limits"]["links_per_listing"] == 40
    assert s["failures"] == {"too_many_links": 1} and s["new"] == 40
    assert sorted(hostile.paths())[:2] == ["/listing/100000", "/report/0.html"]
    assert len(hostile.log) == 1 + 1 + 40  # robots.txt, the listing, the 40 reports
    failed = [x for x in store.read_log(out) if x["event"] == "failed"]
    assert failed[0]["detail"] == "100000 + 0, limit 40"


def test_huge_listing_pages_are_cut_and_memory_stays_under_the_cap(hostile, tmp_path):
    """Six 95 MB listing pages (which took the collector to 8.5 GB) and a dense listing just under the page
    limit (85,000 links, 9.7 MB, read whole) at the default page and file limits: each 95 MB download
    stops at the page limit, each source is listed with its reason, memory stays under the stated cap."""
    out = tmp_path / "out"
    rows = [(f"机关{i}", f"{hostile.base}/big/95?{i}") for i in range(6)] + [("密", f"{hostile.base}/listing/85000")]
    r = collect(write_sources(tmp_path / "s.csv", rows), out, "--limit", "links_per_listing=5",
                "--limit", "report_pages_per_source=5")
    assert r.returncode == 0, r.stderr
    s = summary(out)
    assert s["failures"] == {"page_too_large": 6, "too_many_links": 1} and s["new"] == 5
    assert lost(s) == {a: {"page_too_large": 1} for a, _ in rows[:6]}
    assert s["bytes"] < 7 * (LIMITS.page_mb + 1) * 1024 * 1024
    # the collector's own peak resident set (getrusage), as it wrote it in the summary
    assert 0 < s["peak_memory_mb"] < MEMORY_CAP_MB


def test_a_growing_tree_ends_within_its_bounds(hostile, tmp_path):
    """Every page of the tree links three new listing pages and five report links into more of the tree:
    the listing pages are counted per source across every branch, not along one chain."""
    out = tmp_path / "out"
    r = collect(write_sources(tmp_path / "s.csv", [("树", f"{hostile.base}/tree/0/")]), out,
                "--limit", "listing_pages_per_source=15", "--limit", "report_pages_per_source=30")
    assert r.returncode == 0, r.stderr
    s = summary(out)
    assert len(hostile.log) <= 1 + 15 + 30
    reasons = lost(s)["树"]
    assert reasons["too_many_listing_pages"] == 1 and reasons["too_many_report_pages"] == 1
    assert s["state"] == "finished" and s["requests"] == len(hostile.log)


def test_lost_sources_are_listed_with_their_reasons(hostile, tmp_path):
    out = tmp_path / "out"
    long_name = "\U00020000" * 80  # 80 CJK Extension B characters: 320 bytes of UTF-8, past a file name's 255
    rows = [("循环", f"{hostile.base}/loop/a"), ("慢", f"{hostile.base}/trickle"),
            ("无此页", f"{hostile.base}/nothing/"), ("大页", f"{hostile.base}/big/3"),
            (long_name, f"{hostile.base}/report/7.html")]
    r = collect(write_sources(tmp_path / "s.csv", rows), out, "--timeout", "1.5", "--limit", "page_mb=1")
    assert r.returncode == 0, r.stderr
    s = summary(out)
    assert lost(s) == {"循环": {"redirect_loop": 1}, "慢": {"fetch_timeout": 1}, "无此页": {"http_404": 1},
                       "大页": {"page_too_large": 1}}
    assert s["failures"] == {"redirect_loop": 1, "fetch_timeout": 1, "http_404": 1, "page_too_large": 1}
    assert s["new"] == 1  # the agency with the long name: stored under a shortened folder name
    (stored,) = store.current_files(out).values()
    assert stored["agency"] == long_name and all(len(p.encode()) <= 255 for p in stored["path"].split("/"))
    assert (out / stored["path"]).is_file()
    assert "redirect_loop 1" in r.stdout and "sources with no report file: 4" in r.stdout


@pytest.mark.parametrize("patch, code, state", [
    # a full disk while a report is written: recorded, and the run stops (the other source is not reached)
    ("import errno\nimport etl.collect.store as m\n"
     "def broken(path, data):\n    raise OSError(errno.ENOSPC, 'No space left on device')\n"
     "m.write_atomic = broken\n", "disk_full", "disk_full"),
    # the page reader failing on a hostile page: recorded for that source, the run goes on
    ("import etl.collect.pages as m\n"
     "def broken(*a, **k):\n    raise MemoryError('hostile page')\n"
     "m.read_listing = broken\n", "parser_error", "finished"),
])
def test_disk_and_parser_failures_are_recorded(hostile, tmp_path, patch, code, state):
    out = tmp_path / "out"
    src = write_sources(tmp_path / "s.csv", [("甲", f"{hostile.base}/listing/3"), ("乙", f"{hostile.base}/listing/2")])
    args = command(src, out, "--concurrency", "1")[3:]
    script = f"{patch}import sys\nfrom etl.cli import main\nsys.exit(main({args!r}))\n"
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    s = summary(out)
    assert s["state"] == state and s["failures"].get(code, 0) >= 1, (r.stdout, r.stderr)
    assert set(lost(s)) == {"甲", "乙"}
    assert all(reasons for reasons in lost(s).values())
    assert (r.returncode != 0) == (state != "finished")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_a_run_promptly(hostile, tmp_path, how):
    """A download that trickles for minutes does not hold the stop: the run ends within the grace period
    and its summary says so."""
    out = tmp_path / "out"
    src = write_sources(tmp_path / "s.csv", [("慢", f"{hostile.base}/trickle")])
    p = subprocess.Popen(command(src, out, "--timeout", "120"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "/trickle" not in hostile.paths():
        time.sleep(0.1)
    time.sleep(0.5)
    t0 = time.monotonic()
    p.send_signal(how)
    p.communicate(timeout=60)
    from etl.collect.command import STOP_GRACE_SECONDS

    assert time.monotonic() - t0 < STOP_GRACE_SECONDS + 10
    assert p.returncode == 130
    s = summary(out)
    assert s["state"] == "stopped_by_user" and lost(s) == {"慢": {"stopped_by_user": 1}}


def test_a_killed_run_has_already_written_its_summary(tmp_path):
    out = tmp_path / "out"
    with serve_hostile("127.0.0.2", delay=0.1) as slow:
        src = write_sources(tmp_path / "s.csv", [("树", f"{slow.base}/tree/0/")])
        p = subprocess.Popen(command(src, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                if summary(out)["listing_pages"] >= 3:
                    break
            except (OSError, ValueError):
                continue
        p.kill()
        p.wait(timeout=30)
    s = summary(out)
    assert s["state"] == "running" and s["listing_pages"] >= 3 and s["requests"] >= 4
    assert s["limits"] == dataclasses.asdict(LIMITS)
    assert sum(x["event"] == "failed" for x in store.read_log(out)) >= 1  # the tree's empty report pages


def test_the_stop_command_ends_a_background_run(tmp_path, monkeypatch):
    from etl.collect import background

    monkeypatch.setenv(netguard.ALLOW_ENV, "127.0.0.2/32")
    out, db = tmp_path / "bg", tmp_path / "bg.duckdb"
    with serve_hostile("127.0.0.2", delay=0.1) as slow:
        src = write_sources(tmp_path / "SOURCES.csv", [("树", f"{slow.base}/tree/0/")])
        pid = background.start(src, out, db, cwd=ROOT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(slow.log) < 4:
            time.sleep(0.2)
        assert background.status(out)["running"]
        t0 = time.monotonic()
        assert background.stop(out)
        assert time.monotonic() - t0 < background.STOP_WAIT_SECONDS + 5
        state = background.status(out)
        assert state["stage"] == "stopped" and not state["running"]
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)  # the runner, `etl collect` and anything they started have ended
        assert state["summary"]["state"] == "stopped_by_user"
        # the next run is not blocked: it starts at once, and the command-line stop ends it too
        pid2 = background.start(src, out, db, cwd=ROOT)
        assert pid2 != pid and background.status(out)["running"]
        r = subprocess.run([sys.executable, "-m", "etl.collect.background", "stop", str(out)], timeout=60,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert background.status(out)["stage"] == "stopped"


def test_limit_overrides_are_checked():
    assert override(LIMITS, ["links_per_listing=50", "page-mb=2.5"]) == dataclasses.replace(
        LIMITS, links_per_listing=50, page_mb=2.5)
    for bad in ("pages=3", "links_per_listing", "page_mb=lots", "hours=0"):
        with pytest.raises(ValueError, match="--limit"):
            override(LIMITS, [bad])


def test_the_docs_state_every_bound_with_its_default():
    limits = (ROOT / "docs" / "reference" / "limits.md").read_text(encoding="utf-8")  # generated (make docs)
    for f in dataclasses.fields(Limits):
        value = getattr(LIMITS, f.name)
        assert re.search(rf"\| `{f.name}` \| {value:g}\b", limits), f.name


@pytest.mark.parametrize("limit, state, code", [
    ("hours=0.002", "run_time_limit", None),  # 7 s of wall time
    ("requests=12", "run_request_limit", None),
    ("requests_per_host=12", "finished", "host_request_limit"),
])
def test_the_run_and_host_budgets_stop_a_walk(tmp_path, limit, state, code):
    out = tmp_path / "out"
    with serve_hostile("127.0.0.2", delay=0.05) as slow:
        src = write_sources(tmp_path / "s.csv", [("树", f"{slow.base}/tree/0/")])
        r = collect(src, out, "--limit", limit, "--concurrency", "2")
        hits = len(slow.log)
    s = summary(out)
    assert s["state"] == state, (r.stdout, r.stderr)
    assert (r.returncode == 0) == (state == "finished")
    reasons = lost(s)["树"]
    if code:
        assert reasons[code] >= 1 and hits == 12
    else:
        assert reasons[state] == 1  # the source is listed with what stopped it, beside its own failures
    if "requests" in limit:
        assert hits <= 12 and s["requests"] <= 12
