"""Legacy Word files (.doc, and .wps from WPS Office) converted to .docx with LibreOffice headless, offline.

The binary Word format has no maintained pure-Python reader that keeps tables (merged cells included);
LibreOffice is the only maintained offline converter of it with table fidelity, and Debian packages it
(libreoffice-writer-nogui). The converted file is then read by the ordinary DOCX reader.

An uploaded document is hostile until read, and LibreOffice follows what a document links to: a linked
picture, an INCLUDEPICTURE field or an OLE link makes it fetch a URL (a request to an internal address from
the server, or a signal that the file was opened) or read a local file. So each conversion runs
- in a private temporary directory with a throwaway profile (conversions never share or lock a user's
  profile and can run side by side) whose settings (PROFILE_XCU) leave LibreOffice without its http(s),
  WebDAV, FTP and CMIS content providers (nothing can be fetched, whatever asks), block linked pictures,
  never update links or fields, and never run or load macros;
- without a network where the kernel allows it (a new, empty network namespace: as root directly, else in
  an unprivileged user namespace); where it does not, the profile alone keeps it off the network, and the
  first conversion of the process says so on stderr;
- as soffice.bin itself, not through the oosplash launcher, so that the process the caller started is the
  converter: it carries a parent-death signal (killed when the process that started it dies, a parse
  worker killed at its time limit included) and runs in its own process group, which is killed on time-out
  or error (MAX_CONVERT_SECONDS), with a CPU-time cap besides.
The converter inherits the calling process's address-space limit (the build's workers set one), which
bounds its memory too. A conversion folder left by a process killed outright is removed by the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from etl import settings
from etl.document import Document, ReadError
from etl.filekinds import LEGACY_WORD_EXTENSIONS
from etl.readers.limits import MAX_CONVERT_SECONDS, MAX_DOCX_XML_MB, MB

ENV_PROGRAM = settings.setting("soffice").env  # path of the soffice program, overriding the search on PATH
APT_PACKAGE = "libreoffice-writer-nogui"
# A table grid column narrower than this (twips; 30 ≈ 0.5 mm) holds no cell of its own: LibreOffice's Word
# import adds one where the cells of two rows end a twip apart (2999 + 6001 against 5 × 600), and a cell
# spanning it would be read as two grid positions, shifting that row's figures by a column.
SLIVER_TWIPS = 30
_FILTER = "docx:MS Word 2007 XML"  # one argument: no shell here to strip quotes
DIR_PREFIX = "disclosure-convert-"  # + the converting process's pid: a dead pid's folder is stale
# soffice.bin exits with this code on its first start with a new profile, asking to be started again
# (the oosplash launcher does that; running soffice.bin directly, so do we, once)
_RESTART = 81

_PROVIDERS = ("/org.openoffice.ucb.Configuration/ContentProviders/"
              "org.openoffice.ucb.Configuration:ContentProvidersDataPrimaryKeys['Local']/SecondaryKeys/"
              "org.openoffice.ucb.Configuration:ContentProvidersDataSecondaryKeys['Office']/ProviderData")
# LibreOffice's own names (officecfg, share/registry/main.xcd) of its network content providers:
# http, vnd.sun.star.webdav, webdav, https, vnd.sun.star.webdavs, webdavs, ftp, vnd.libreoffice.cmis
_NETWORK_PROVIDERS = ("Provider3", "Provider4", "Provider4a", "Provider12", "Provider12a", "Provider12b",
                      "Provider6", "Provider43")


def _prop(path: str, name: str, value: str) -> str:
    return f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'


# The throwaway profile's settings (user/registrymodifications.xcu), each checked by tests/test_reader_doc.py
# against a document that links to a recording server on loopback and to files outside the folder.
PROFILE_XCU = "\n".join([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    *(f'<item oor:path="{_PROVIDERS}"><node oor:name="{n}" oor:op="remove"/></item>' for n in _NETWORK_PROVIDERS),
    # linked pictures are loaded only for documents in a trusted location, and there is none
    _prop("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    _prop("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),  # very high
    _prop("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    _prop("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # Writer: 0 = never
    _prop("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    _prop("/org.openoffice.Office.Calc/Content/Update", "Link", "1"),  # Calc (embedded sheets): 1 = never
    _prop("/org.openoffice.Office.Writer/Filter/Import/VBA", "Load", "false"),
    _prop("/org.openoffice.Office.Writer/Filter/Import/VBA", "Executable", "false"),
    "</oor:items>", ""])

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_PDEATHSIG = 1
_LIBC = None  # loaded in the parent: the child between fork and exec should not import or load anything
_NO_NETNS: list[str] = []  # why this process cannot give the converter an empty network namespace


def program() -> str | None:
    """The LibreOffice program to run, or None when it is not installed (or the override does not exist)."""
    override = settings.value("soffice")
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _binary(prog: str) -> str:
    """soffice.bin beside the launcher when there is one (Linux packages), else the program itself."""
    real = os.path.realpath(prog)
    binary = os.path.join(os.path.dirname(real), "soffice.bin")
    return binary if os.path.basename(real) in ("soffice", "libreoffice") and os.access(binary, os.X_OK) else prog


def _missing() -> ReadError:
    return ReadError("converter_missing", f"apt-get install {APT_PACKAGE}")


def _libc():
    global _LIBC
    if _LIBC is None and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _LIBC


def _write_id_maps(uid: int, gid: int) -> None:  # pragma: no cover - runs in the child
    # the new user namespace maps the user to itself (an unprivileged process may map only its own ids)
    for name, text in (("uid_map", f"{uid} {uid} 1"), ("setgroups", "deny"), ("gid_map", f"{gid} {gid} 1")):
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def _no_network(libc) -> None:  # pragma: no cover - runs in the child between fork and exec
    """Move this process into a new network namespace (only a loopback interface, down): as root directly,
    else inside a new user namespace. Raises OSError when the kernel refuses both."""
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    _write_id_maps(uid, gid)


def _child_setup(isolate: bool) -> None:  # pragma: no cover - runs in the child between fork and exec
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
    libc = _LIBC
    if isolate:
        if libc is None:
            raise OSError("no C library to call unshare")
        _no_network(libc)
    if libc is not None:  # the converter dies with the process (thread) that started it
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group id is the child's pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_dirs(parent: str | None = None) -> None:
    """Conversion folders (profile, input, output) of processes that were killed before cleaning up."""
    parent = parent or tempfile.gettempdir()
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not entry.name.startswith(DIR_PREFIX):
                continue
            pid = entry.name[len(DIR_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)


def _start(cmd: list[str], tmp: str, env: dict[str, str]) -> subprocess.Popen:
    """Start the converter, without a network when this process can arrange it."""
    _libc()
    kwargs = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp,
                  env=env, start_new_session=True)
    if not _NO_NETNS:
        try:
            return subprocess.Popen(cmd, preexec_fn=lambda: _child_setup(True), **kwargs)
        except subprocess.SubprocessError:  # the kernel refused both namespaces (the child raised)
            _NO_NETNS.append("the kernel allows no new network namespace here")
            print("convert: LibreOffice runs without a network namespace (not permitted here); its profile "
                  "still leaves it no way to fetch a URL", file=sys.stderr, flush=True)
    return subprocess.Popen(cmd, preexec_fn=lambda: _child_setup(False), **kwargs)


def to_docx(data: bytes, suffix: str = ".doc") -> bytes:
    """The .docx bytes LibreOffice makes of a legacy Word file. Raises ReadError: converter_missing,
    convert_failed, timeout."""
    prog = program()
    if prog is None:
        raise _missing()
    suffix = suffix if suffix.lower() in LEGACY_WORD_EXTENSIONS else ".doc"
    remove_stale_dirs()
    with tempfile.TemporaryDirectory(prefix=f"{DIR_PREFIX}{os.getpid()}-") as tmp:
        src = Path(tmp) / f"input{suffix.lower()}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        profile = Path(tmp, "profile")
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
        cmd = [_binary(prog), "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
               f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", _FILTER, "--outdir", str(out_dir), str(src)]
        env = {**os.environ, "HOME": tmp, "TMPDIR": tmp}  # nothing written outside the private directory
        deadline = time.monotonic() + MAX_CONVERT_SECONDS
        for _attempt in range(2):  # the second only when a first start asks to be restarted
            try:
                proc = _start(cmd, tmp, env)
            except OSError:  # not found, not executable, or no memory left to start it
                raise _missing() from None
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
                raise ReadError("timeout", f"converter limit {MAX_CONVERT_SECONDS:g} s") from None
            finally:
                _kill_group(proc)  # anything it left behind in its group (it should leave nothing)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            if proc.returncode != _RESTART:
                break
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
    from etl.readers.docx import row_cells, table_rows

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
    for tr in table_rows(tbl):
        pos = 0
        pr = tr.find(f"{w}trPr")
        before = pr.find(f"{w}gridBefore") if pr is not None else None
        if before is not None:
            n = _span_val(before, w)
            k = sum(1 for j in range(pos, pos + n) if j in slivers)
            if k:
                plan.append((before, n - k))
            pos += n
        for tc in row_cells(tr):
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

    from etl.readers.docx import W, read_member

    try:
        z = zipfile.ZipFile(io.BytesIO(docx))
        xml = read_member(z, "word/document.xml", MAX_DOCX_XML_MB)
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
                    data = read_member(z, info.filename, MAX_DOCX_XML_MB)
                dst.writestr(info.filename, data)
        return out.getvalue()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, etree.XMLSyntaxError, ReadError):
        return docx


def read_legacy_word(data: bytes, name: str = "") -> Document:
    """A legacy Word or WPS file: converted to .docx (under its own suffix, which tells LibreOffice the filter;
    a suffix it does not know converts as .doc), then read by the Word reader and stored as converted."""
    from etl.readers.docx import read_docx  # (python-docx loads only when a legacy file is read)

    doc = read_docx(to_docx(data, Path(name).suffix))
    doc.kind, doc.read = "doc", "converted"
    return doc
