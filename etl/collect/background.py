"""A collection run in the background, for the dashboard: `etl collect` then `etl build`, in a process of
its own (a new session, so the Streamlit server's restarts do not kill it), with its state in a JSON file
the page polls.

    python -m etl.collect.background SOURCES.csv OUT DB
    python -m etl.collect.background stop OUT          # what the dashboard's stop button does

OUT/.collect/background.json holds {pid, stage: collecting | building | done | failed | stopped,
started_at, finished_at, message}; the spider's OUT/.collect/progress.json holds the running counts and
OUT/collection.json the run's summary as it goes. The run is its own process group: stop() ends the
runner, `etl collect` and `etl build` together (SIGTERM, then SIGKILL after STOP_WAIT_SECONDS), so a run
never blocks the next one; the collector also ends by itself at its wall-time limit (etl.collect.limits).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from etl.collect import store
from etl.collect.limits import LIMITS

STATE = "background.json"
PROGRESS = "progress.json"
# The collector stops itself at its time limit; this is the backstop should it hang.
COLLECT_SECONDS = LIMITS.hours * 3600 + 300
BUILD_SECONDS = 3600
STOP_WAIT_SECONDS = 10.0  # after SIGTERM, then the group is killed


def _state_path(out: Path) -> Path:
    return Path(out) / store.STATE_DIR / STATE


def _write(out: Path, **state) -> None:
    path = _state_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = read_json(path)
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps({**old, **state}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child not yet reaped by its parent is a zombie: not running
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies waiting to be reaped do not count)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pgid, os.WNOHANG)  # reap the runner when it is our own child
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        names = os.listdir("/proc")
    except OSError:
        return True
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def status(out: Path) -> dict:
    """The background run's state, with `running` (its process is alive), the live counts and the last
    collection's summary."""
    out = Path(out)
    state = read_json(_state_path(out))
    state["running"] = state.get("stage") in ("collecting", "building") and _alive(state.get("pid"))
    if state.get("stage") in ("collecting", "building") and not state["running"]:
        state["stage"], state["message"] = "failed", "the background process ended without finishing"
    state["progress"] = read_json(out / store.STATE_DIR / PROGRESS)
    state["summary"] = read_json(out / store.SUMMARY)
    return state


def start(sources_csv: Path, out: Path, db: Path, cwd: Path | None = None) -> int:
    """Start a background run unless one is running; returns its pid."""
    out = Path(out)
    now = status(out)
    if now.get("running"):
        return int(now["pid"])
    log = out / store.STATE_DIR / "background.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        p = subprocess.Popen([sys.executable, "-m", "etl.collect.background", str(sources_csv), str(out), str(db)],
                             cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
    _write(out, pid=p.pid, stage="collecting", started_at=store.now(), finished_at=None, message="")
    return p.pid


def stop(out: Path, wait: float = STOP_WAIT_SECONDS) -> bool:
    """Stop the background run (the collector closes cleanly and writes its summary); True if one was
    running. Returns once every process of the run has ended."""
    out = Path(out)
    state = status(out)
    pid = state.get("pid")
    if not pid or not _group_alive(int(pid)):
        return False
    pid = int(pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.1)
    if _group_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        while _group_alive(pid) and time.monotonic() < deadline + 5:
            time.sleep(0.05)
    _write(out, stage="stopped", finished_at=store.now(), message="")
    return True


def _step(args: list[str], timeout: float) -> tuple[int, str]:
    try:
        r = subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, timeout=timeout,
                           check=False)
    except subprocess.TimeoutExpired:
        return 124, f"stopped after {timeout:.0f} s"
    lines = (r.stdout.strip() + "\n" + r.stderr.strip()).strip().splitlines()
    return r.returncode, "\n".join(lines[-8:])


def main(argv: list[str]) -> int:
    if argv[:1] == ["stop"] and len(argv) == 2:
        return 0 if stop(Path(argv[1])) else 1
    sources, out, db = argv
    out_p = Path(out)
    stopping: list[int] = []
    # SIGTERM reaches the whole group (stop()): the collector closes itself; the runner only notes it and
    # goes no further once its step has ended
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    _write(out_p, pid=os.getpid(), stage="collecting")
    rc, msg = _step(["collect", sources, "--out", out, "--quiet"], COLLECT_SECONDS)
    if stopping:
        _write(out_p, stage="stopped", finished_at=store.now(), message=msg)
        return 130
    if rc != 0 and not (out_p / store.PROVENANCE).is_file():
        _write(out_p, stage="failed", finished_at=store.now(), message=msg)
        return rc
    _write(out_p, stage="building", message=msg)
    rc, msg2 = _step(["build", out, "--db", db, "--quiet"], BUILD_SECONDS)
    stage = "stopped" if stopping else "done" if rc == 0 else "failed"
    _write(out_p, stage=stage, finished_at=store.now(), message=f"{msg}\n{msg2}".strip())
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
