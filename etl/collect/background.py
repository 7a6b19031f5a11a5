"""A collection run in the background, for the dashboard: `etl collect` then `etl build`, in a process of
its own (a new session, so the Streamlit server's restarts do not kill it), with its state in a JSON file
the page polls.

    python -m etl.collect.background SOURCES.csv OUT DB

OUT/.collect/background.json holds {pid, stage: collecting | building | done | failed, started_at,
finished_at, message}; the spider's OUT/.collect/progress.json holds the running counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from etl.collect import store

STATE = "background.json"
PROGRESS = "progress.json"
COLLECT_SECONDS = 6 * 3600  # a whole province's columns at one request a second per host
BUILD_SECONDS = 3600


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


def _step(args: list[str], timeout: float) -> tuple[int, str]:
    try:
        r = subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, timeout=timeout,
                           check=False)
    except subprocess.TimeoutExpired:
        return 124, f"stopped after {timeout:.0f} s"
    lines = (r.stdout.strip() + "\n" + r.stderr.strip()).strip().splitlines()
    return r.returncode, "\n".join(lines[-8:])


def main(argv: list[str]) -> int:
    sources, out, db = argv
    out_p = Path(out)
    _write(out_p, pid=os.getpid(), stage="collecting")
    rc, msg = _step(["collect", sources, "--out", out, "--quiet"], COLLECT_SECONDS)
    if rc != 0 and not (out_p / store.PROVENANCE).is_file():
        _write(out_p, stage="failed", finished_at=store.now(), message=msg)
        return rc
    _write(out_p, stage="building", message=msg)
    rc, msg2 = _step(["build", out, "--db", db, "--quiet"], BUILD_SECONDS)
    _write(out_p, stage="done" if rc == 0 else "failed", finished_at=store.now(), message=f"{msg}\n{msg2}".strip())
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
