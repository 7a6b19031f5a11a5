"""Upload previews bounded for the whole server (dashboard.previews): a line with its place shown, a total
memory budget, and no preview process left when a session leaves or the previews end; the upload page's
collection message in the interface language."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from dash_helpers import open_app

from dashboard import previews
from dashboard.i18n import t
from etl.sample.hostile import tall_png


def _preview_processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident MB) of every live preview process and its workers (theirs is the
    command line `python -m etl.warehouse.preview …`)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if b"etl.warehouse.preview" not in cmd:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith("Z"):
            continue
        rss = int(fields.get("VmRSS", "0 kB").split()[0]) // 1024
        found[int(proc.name)] = (int(fields["PPid"]), rss)
    return found


class _Sampler:
    """The previews' peak count (their processes started by this test) and peak total memory."""

    def __init__(self) -> None:
        self.most, self.peak_mb, self._stop = 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            procs = _preview_processes()
            self.most = max(self.most, sum(1 for ppid, _ in procs.values() if ppid == os.getpid()))
            self.peak_mb = max(self.peak_mb, sum(rss for _, rss in procs.values()))
            time.sleep(0.05)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _left(within: float = 5) -> dict:
    deadline = time.monotonic() + within
    while (procs := _preview_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return procs


@pytest.fixture
def small_budget(monkeypatch):
    """The previews' settings at a small budget, so that a hostile image reaches its limit in seconds."""
    memory = 2 * (previews.BASE_MB + 512)  # two previews of 512 MB
    monkeypatch.setattr(previews, "MEMORY_MB", memory)
    monkeypatch.setattr(previews, "SLOTS", 2)
    monkeypatch.setattr(previews, "PARSE_MB", memory // 2 - previews.BASE_MB)
    monkeypatch.setattr(previews, "LINE", previews.Line(2))
    monkeypatch.setattr(previews, "_results", previews._results.__class__())
    return memory


def test_concurrent_hostile_previews_stay_within_the_budget_and_leave_no_process(small_budget):
    """Five sessions upload an image that decodes to hundreds of MB, each a different one (no shared
    result): at most SLOTS previews parse at once, the others wait with their place shown, all of them
    together stay under the memory budget, every one ends with a reason, and no process is left."""
    if not Path("/proc").is_dir():
        pytest.skip("needs /proc to measure the previews' processes")
    sessions = 5
    results: dict[int, list[dict]] = {}
    places: dict[int, set[int]] = {i: set() for i in range(sessions)}

    def session(i: int) -> None:
        image = tall_png(previews.PARSE_MB * 100_000 + i)  # pixels in proportion to the limit: more than it takes
        results[i] = previews.preview([(f"scan{i}.png", image)], places[i].add)

    with _Sampler() as sampler:
        threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
    assert all(not th.is_alive() for th in threads)
    assert sampler.most == previews.SLOTS, sampler.most
    assert 0 < sampler.peak_mb <= small_budget, f"previews took {sampler.peak_mb} MB of {small_budget}"
    codes = {r[0]["code"] for r in results.values()}
    # refused for its size, or ended at the memory cap: OpenVINO dies (SIGSEGV, "crashed") rather than raising
    # when the cap refuses it address space; bounded either way, and the budget above held
    assert all(not r[0]["ok"] for r in results.values()) and codes <= {"memory", "too_large", "crashed"}, results
    assert any(max(p, default=0) >= 2 for p in places.values()), places  # someone waited behind another
    assert all(0 in p for p in places.values())  # and every one was parsed
    assert _left() == {}


def test_a_session_that_leaves_ends_its_preview_at_once(small_budget):
    """Streamlit stops a session's script at its next element update when the session goes away or reruns;
    the preview's tick is that update: the preview and its worker are killed and its slot is free."""
    if not Path("/proc").is_dir():
        pytest.skip("needs /proc to see the previews' processes")

    class Gone(Exception):
        pass

    started = []

    def tick(place: int) -> None:
        if place == 0:
            started.append(len(_preview_processes()))
            if started[-1]:  # its preview is parsing: the session goes
                raise Gone

    with pytest.raises(Gone):
        previews.preview([("scan.png", tall_png(previews.PARSE_MB * 100_000))], tick)
    assert max(started) >= 1, "no preview process was running when the session left"
    assert _left(within=2) == {}
    assert previews.LINE.running() == 0


def test_a_waiting_session_that_leaves_gives_up_its_place(small_budget, monkeypatch):
    monkeypatch.setattr(previews, "LINE", previews.Line(0))  # every slot taken

    class Gone(Exception):
        pass

    seen = []

    def tick(place: int) -> None:
        seen.append(place)
        raise Gone

    with pytest.raises(Gone):
        previews.preview([("a.txt", b"x")], tick)
    assert seen == [1] and previews.LINE._waiting == [] and _left() == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_collection_that_died_is_told_in_the_page_language(app_env, tmp_path, monkeypatch, lang):
    """A background collection whose process vanished (a restart, a kill) is named with its start, in
    Chinese on the Chinese page: no English process output there."""
    state = tmp_path / "collected" / ".collect" / "background.json"
    state.parent.mkdir(parents=True)
    dead = 2 ** 22 + 1  # above the default pid_max: no process has it
    state.write_text(json.dumps({"pid": dead, "stage": "collecting", "started_at": "2024-05-01T08:00:00+00:00",
                                 "finished_at": None, "message": ""}), encoding="utf-8")
    monkeypatch.setenv("DISCLOSURE_COLLECTED", str(tmp_path / "collected"))
    at = open_app("upload", {"lang": lang})
    errors = [e.value for e in at.error]
    assert t("collect_died", lang, at="2024-05-01T08:00:00+00:00") in errors, errors
    assert not any("ended without finishing" in e for e in errors)
