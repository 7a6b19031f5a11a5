"""Upload previews, bounded for the whole server: a line of previews, a memory budget, no process left.

Each preview parses its files in a subprocess (`python -m etl.warehouse.preview`, each file in a worker under
the build's limits), never in the server. Without a bound, every session's upload started its own parse: a
few sessions uploading hostile files took the server's process tree to gigabytes. So, per server process:

- MEMORY_MB (the one setting: DISCLOSURE_PREVIEW_MEMORY_MB, etl.settings, default 4608) is what all previews may use
  together. SLOTS previews parse at once, each allowed an equal share (its worker's memory limit is the
  share less BASE_MB, what a preview's two processes hold before a file is read, and at most the build's
  own limit); the others wait in a first-come line and are told their place in it.
- A session that leaves or reruns ends its preview: the caller's `tick` (a Streamlit element update every
  TICK seconds, where Streamlit stops a script whose session went away) raises, and the preview's whole
  process group is killed. The preview also carries a parent-death signal, so it dies with the server.
- A file's result is kept (by content) for the next session or rerun that uploads it, so a rerun costs
  nothing.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from dashboard import child
from etl import settings
from etl.reasons import wording
from etl.warehouse.preview import PARENT_ENV
from etl.warehouse.workers import DEFAULT_LIMITS


def _memory_setting() -> int:
    """The previews' budget (etl.settings preview_memory_mb): at least 1024; not a number, the default."""
    try:
        return max(1024, int(settings.raw("preview_memory_mb")))
    except ValueError:
        return int(settings.setting("preview_memory_mb").default)


# all previews of this server together: read once, when the server first loads this module, because the line
# below (LINE) is built from it and lives as long as the server
MEMORY_MB = _memory_setting()
# A preview's processes before a file is read: the preview (about 25 MB) and its worker with the parser's
# imports (about 190 MB), measured by bench/fuzz.py
BASE_MB = 256
# Previews that parse at once, the others waiting in line: as many as the budget holds at the build's own
# per-file memory limit (a scanned report's OCR needs most of it), at least one; a budget too small for one
# such preview gives its one preview what there is (PARSE_MB below the build's limit: a scan may then fail)
SLOTS = max(1, MEMORY_MB // (DEFAULT_LIMITS.memory_mb + BASE_MB))
PARSE_MB = min(DEFAULT_LIMITS.memory_mb, MEMORY_MB // SLOTS - BASE_MB)  # one preview worker's limit
# the whole batch of one upload; each file also has the workers' own time limit. Scanned pages are read by
# OCR at a few seconds a page, so a batch of scans takes minutes.
SECONDS = 900
TICK = 0.5  # seconds between the caller's ticks, while waiting in line and while parsing
ROOT = child.ROOT
_KEPT = 256  # results kept by content


class Line:
    """First come, first served: at most `slots` holders at once; the others wait and know their place."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._cond = threading.Condition()
        self._waiting: list[object] = []
        self._running: set[object] = set()

    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @contextlib.contextmanager
    def turn(self, tick: Callable[[int], None]) -> Iterator[None]:
        """Wait for a slot, calling tick(place in line, 1 = next) every TICK seconds; an exception from
        tick (the session went away) leaves the line."""
        me = object()
        with self._cond:
            self._waiting.append(me)
        try:
            while True:
                with self._cond:
                    place = self._waiting.index(me) + 1
                    if place == 1 and len(self._running) < self.slots:
                        self._waiting.pop(0)
                        self._running.add(me)
                        self._cond.notify_all()
                        break
                tick(place)
                with self._cond:
                    self._cond.wait(TICK)
        except BaseException:
            with self._cond:
                if me in self._waiting:
                    self._waiting.remove(me)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running.discard(me)
                self._cond.notify_all()


LINE = Line(SLOTS)
_results: collections.OrderedDict[str, dict] = collections.OrderedDict()
_results_lock = threading.Lock()


def _key(name: str, data: bytes) -> str:
    # the extension is part of what a file is read as (a .doc and a .txt of the same bytes differ)
    return Path(name).suffix.lower() + ":" + hashlib.sha256(data).hexdigest()


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the preview and its workers (its own session)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _parse(paths: list[str], tick: Callable[[int], None]) -> tuple[list[dict], bool]:
    """(one JSON result per file that finished, whether the batch ran out of time)."""
    env = child.env()
    # the preview dies with this thread (it sets its own parent-death signal: no preexec_fn in a threaded
    # server) and runs in a session of its own, so that its workers go with it
    env[PARENT_ENV] = str(os.getpid())
    proc = subprocess.Popen([sys.executable, "-m", "etl.warehouse.preview", "--max-memory-mb", str(PARSE_MB),
                             *paths], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    out, timed_out, waited = "", False, 0.0
    try:
        while True:
            try:
                out, _ = proc.communicate(timeout=TICK)
                break
            except subprocess.TimeoutExpired:
                waited += TICK
                if waited >= SECONDS:
                    timed_out = True
                    break
                tick(0)  # the session may have gone: this raises, and the finally kills the preview
    finally:
        if proc.poll() is None or timed_out:
            _kill(proc)
    return [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")], timed_out


def preview(files: list[tuple[str, bytes]], tick: Callable[[int], None] = lambda place: None) -> list[dict]:
    """One result per file (same order): {"ok": …, "agency", "year", … | "code", "reason", "reason_zh"}.
    `tick(place)` is called every TICK seconds: place ≥ 1 while waiting in line, 0 while parsing."""
    keys = [_key(n, d) for n, d in files]
    with _results_lock:
        known = {k: _results[k] for k in keys if k in _results}
    todo = [(k, n, d) for k, (n, d) in zip(keys, files, strict=True) if k not in known]
    if todo:
        with tempfile.TemporaryDirectory(prefix="disclosure-preview-") as tmp:
            paths = {}
            for i, (k, name, data) in enumerate(todo):
                p = Path(tmp) / f"{i:04d}{Path(name).suffix.lower()[:12]}"  # (.markdown keeps its name)
                p.write_bytes(data)
                paths[str(p)] = k
            with LINE.turn(tick):
                lines, timed_out = _parse(list(paths), tick)
        by_path = {d["path"]: d for d in lines}
        for path, k in paths.items():
            if path in by_path:
                known[k] = by_path[path]
                with _results_lock:
                    _results[k] = by_path[path]
                    while len(_results) > _KEPT:
                        _results.popitem(last=False)
            else:  # not cached: the next upload of it tries again
                code = "timeout" if timed_out else "crashed"
                zh, en = wording(code)
                known[k] = {"ok": False, "code": code, "reason": en, "reason_zh": zh}
    return [known[k] for k in keys]
