"""`python -m etl parse`: readable output, JSON lines, and bad files that fail cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import helpers as R

CANONICAL = {"source", "agency", "year", "published_on", "template", "cells", "narrative", "problems"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "parse", *args], capture_output=True, text=True,
                          timeout=120)


def test_json_lines_and_bad_files_in_one_call(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(R.render("c"), encoding="utf-8")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage"
    garbage.write_bytes(bytes(range(256)) * 40)
    notdocx = tmp_path / "archive.docx"
    with zipfile.ZipFile(notdocx, "w") as z:
        z.writestr("hello.txt", "not a word document")
    missing = tmp_path / "nope.pdf"
    proc = _run(str(empty), str(good), str(garbage), str(notdocx), str(missing), "--json")
    assert proc.returncode == 1
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(lines) == 5
    errors = {ln["source"]["path"]: ln["error"] for ln in lines if "error" in ln}
    assert set(errors) == {str(empty), str(garbage), str(notdocx), str(missing)}
    assert "empty" in errors[str(empty)]
    assert "binary" in errors[str(garbage)] or "control" in errors[str(garbage)]
    assert "not a Word" in errors[str(notdocx)]
    assert "cannot read" in errors[str(missing)]
    report = next(ln for ln in lines if "error" not in ln)
    assert set(report) >= CANONICAL
    assert report["source"]["kind"] == "text" and len(report["source"]["sha256"]) == 64
    cell = next(c for c in report["cells"] if (c["table"], c["row"], c["col"]) == ("t3", "granted", "total"))
    assert cell == {"table": "t3", "row": "granted", "col": "total", "value": 115, "raw": "115",
                    "kind": "number", "placed": "header", "read": "text", "conf": None}
    blank = next(c for c in report["cells"] if (c["row"], c["col"]) == R.BLANK_CELL)
    assert blank["value"] is None and blank["kind"] == "empty"
    stderr = proc.stderr.strip().splitlines()
    assert len(stderr) == 4 and "Traceback" not in proc.stderr


def test_readable_rendering(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(R.render("a"), encoding="utf-8")
    proc = _run(str(good))
    assert proc.returncode == 0
    out = proc.stdout
    assert "样例测试县样例局" in out and "2023" in out and "format: 2021" in out
    assert "三、收到和处理政府信息公开申请情况" in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("（一）予以公开"))
    assert line.split()[-1] == "115"


def test_a_pipe_and_an_endless_device_are_refused_at_once(tmp_path):
    """The build's checks, in the CLI: a FIFO (reading it would wait for a writer forever) and /dev/zero
    (reading it never ends) are refused from their mode, unopened; the good file next to them still parses.
    Run under a 1 GB address-space limit and a short timeout, so that a regression fails instead of
    hanging or eating the machine's memory."""
    import os
    import resource

    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.txt"
    os.symlink("/dev/zero", zero)
    good = tmp_path / "good.txt"
    good.write_text(R.render("c"), encoding="utf-8")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    proc = subprocess.run([sys.executable, "-m", "etl", "parse", str(fifo), "/dev/zero", str(zero), str(good),
                           "--json"], capture_output=True, text=True, timeout=60, preexec_fn=cap)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    errors = {ln["source"]["path"]: ln["error"] for ln in lines if "error" in ln}
    assert set(errors) == {str(fifo), "/dev/zero", str(zero)}
    assert all(e == "not a regular file (pipe, device or socket), skipped" for e in errors.values()), errors
    assert [ln["source"]["path"] for ln in lines if "error" not in ln] == [str(good)]
    assert proc.stderr.splitlines() == [f"{p}: {errors[p]}" for p in (str(fifo), "/dev/zero", str(zero))]
