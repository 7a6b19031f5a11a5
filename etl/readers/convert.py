"""Legacy Word files (.doc, and .wps from WPS Office) converted to .docx with LibreOffice headless, offline.

The binary Word format has no maintained pure-Python reader that keeps tables (merged cells included);
LibreOffice is the only maintained offline converter of it with table fidelity, and Debian packages it
(libreoffice-writer-nogui). The converted file is then read by the ordinary DOCX reader.

Each conversion runs in a private temporary directory (its own LibreOffice profile, so conversions never
share or lock a user's profile and can run side by side), in its own process group, and under a wall-time
limit (MAX_CONVERT_SECONDS) after which the whole group is killed. The converter inherits the calling
process's address-space limit (the build's workers set one), which bounds its memory too.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from etl.document import ReadError
from etl.readers.limits import MAX_CONVERT_SECONDS, MAX_DOCX_XML_MB, MB

ENV_PROGRAM = "DISCLOSURE_SOFFICE"  # path of the soffice program, overriding the search on PATH
APT_PACKAGE = "libreoffice-writer-nogui"
# A table grid column narrower than this (twips; 30 ≈ 0.5 mm) holds no cell of its own: LibreOffice's Word
# import adds one where the cells of two rows end a twip apart (2999 + 6001 against 5 × 600), and a cell
# spanning it would be read as two grid positions, shifting that row's figures by a column.
SLIVER_TWIPS = 30
_FILTER = "docx:MS Word 2007 XML"  # one argument: no shell here to strip quotes


def program() -> str | None:
    """The LibreOffice program to run, or None when it is not installed (or the override does not exist)."""
    override = os.environ.get(ENV_PROGRAM)
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _missing() -> ReadError:
    return ReadError("converter_missing", f"apt-get install {APT_PACKAGE}")


def _child_setup() -> None:  # pragma: no cover - runs in the child between fork and exec
    # A CPU-time cap inherited by every process LibreOffice starts: a converter spinning after its parent
    # was killed (so nobody waits to kill its group) still ends by itself.
    import resource

    cpu = int(MAX_CONVERT_SECONDS) + 5
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or hard > cpu:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))
    except (ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):  # oosplash (the direct child) dies with the process that started it
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group id is the child's pid


def to_docx(data: bytes, suffix: str = ".doc") -> bytes:
    """The .docx bytes LibreOffice makes of a legacy Word file. Raises ReadError: converter_missing,
    convert_failed, timeout."""
    prog = program()
    if prog is None:
        raise _missing()
    suffix = suffix if suffix.lower() in (".doc", ".wps", ".dot", ".wpt") else ".doc"
    with tempfile.TemporaryDirectory(prefix="disclosure-convert-") as tmp:
        src = Path(tmp) / f"input{suffix.lower()}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        cmd = [prog, "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
               f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
               "--convert-to", _FILTER, "--outdir", str(out_dir), str(src)]
        env = {**os.environ, "HOME": tmp, "TMPDIR": tmp}  # nothing written outside the private directory
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, cwd=tmp, env=env, start_new_session=True,
                                    preexec_fn=_child_setup)
        except OSError:  # not found, not executable, or no memory left to start it
            raise _missing() from None
        try:
            proc.wait(timeout=MAX_CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.wait()
            raise ReadError("timeout", f"converter limit {MAX_CONVERT_SECONDS:g} s") from None
        finally:
            _kill_group(proc)  # anything it left behind in its group (it should leave nothing)
        result = out_dir / "input.docx"
        try:
            size = result.stat().st_size
        except OSError:
            size = 0
        if not size:  # LibreOffice exits 0 even when it could not read the file: no output is the sign
            raise ReadError("convert_failed", f"LibreOffice exit code {proc.returncode}")
        if size > MAX_DOCX_XML_MB * MB:
            raise ReadError("too_large", f"converted .docx over {MAX_DOCX_XML_MB} MB")
        return drop_sliver_columns(result.read_bytes())


def _span(tc, w: str) -> int:
    pr = tc.find(f"{w}tcPr")
    el = pr.find(f"{w}gridSpan") if pr is not None else None
    try:
        return max(1, int(el.get(f"{w}val", "1"))) if el is not None else 1
    except ValueError:
        return 1


def _fix_table(tbl, w: str) -> bool:
    """Remove the sliver columns of one table's grid, narrowing the cells that span them. False (the table
    left as it is) when there is none, or when a cell with content sits on slivers alone."""
    from etl.readers.docx import _cells, _rows

    grid = tbl.find(f"{w}tblGrid")
    if grid is None:
        return False
    cols = grid.findall(f"{w}gridCol")
    widths = []
    for c in cols:
        try:
            widths.append(int(c.get(f"{w}w", "")))
        except ValueError:
            widths.append(None)
    slivers = {j for j, v in enumerate(widths) if v is not None and v < SLIVER_TWIPS}
    if not slivers or len(slivers) == len(cols):
        return False
    plan = []  # (element, new span or 0 to remove the cell)
    for tr in _rows(tbl):
        pos = 0
        pr = tr.find(f"{w}trPr")
        before = pr.find(f"{w}gridBefore") if pr is not None else None
        if before is not None:
            n = _span_val(before, w)
            k = sum(1 for j in range(pos, pos + n) if j in slivers)
            if k:
                plan.append((before, n - k))
            pos += n
        for tc in _cells(tr):
            span = _span(tc, w)
            k = sum(1 for j in range(pos, pos + span) if j in slivers)
            if k == span:
                if "".join(tc.itertext()).strip() or tc.find(f".//{w}tbl") is not None:
                    return False
                plan.append((tc, 0))
            elif k:
                plan.append((tc, span - k))
            pos += span
    for el, n in plan:
        if el.tag == f"{w}tc":
            if n == 0:
                el.getparent().remove(el)
                continue
            span_el = el.find(f"{w}tcPr/{w}gridSpan")
            if n == 1:
                span_el.getparent().remove(span_el)
            else:
                span_el.set(f"{w}val", str(n))
        elif n == 0:
            el.getparent().remove(el)
        else:
            el.set(f"{w}val", str(n))
    for j in sorted(slivers, reverse=True):
        grid.remove(cols[j])
    return True


def _span_val(el, w: str) -> int:
    try:
        return max(0, int(el.get(f"{w}val", "0")))
    except ValueError:
        return 0


def drop_sliver_columns(docx: bytes) -> bytes:
    """The package with sliver grid columns (SLIVER_TWIPS) removed from its tables; unchanged when it has
    none or cannot be read (the DOCX reader then says why)."""
    from lxml import etree

    from etl.readers.docx import W, _member

    try:
        z = zipfile.ZipFile(io.BytesIO(docx))
        xml = _member(z, "word/document.xml", MAX_DOCX_XML_MB)
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        changed = [_fix_table(t, W) for t in list(root.iter(f"{W}tbl"))]
        if not any(changed):
            return docx
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in z.infolist():
                if info.filename == "word/document.xml":
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                else:
                    data = _member(z, info.filename, MAX_DOCX_XML_MB)
                dst.writestr(info.filename, data)
        return out.getvalue()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, etree.XMLSyntaxError, ReadError):
        return docx
