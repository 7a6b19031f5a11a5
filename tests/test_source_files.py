"""Every file under a source is loaded, or listed with a coded reason: Markdown and the other text and web-page
names are read by content, a saved web page (MHTML) by its HTML part, OFD and other kinds are listed as
unsupported, reference and data files as such. One list of file kinds (etl.filekinds) serves the build, the
readers and the upload box. Reports are written here (invented agencies), never copied from anywhere."""

from __future__ import annotations

import base64
import quopri
import random
from pathlib import Path

import duckdb
import helpers
import pytest
from helpers import clean_values, render_report, write

from etl import filekinds
from etl.collect import store
from etl.document import ReadError
from etl.parse import parse_file
from etl.readers import sniff
from etl.reasons import REASONS
from etl.warehouse.build import build


def _report(agency: str, year: int = 2023, seed: int = 3) -> str:
    return render_report(agency, year, clean_values(random.Random(seed)), published=f"{year + 1}-01-10")


def _markdown(text: str) -> str:
    """The report as a converter's Markdown: chapter headings marked with ##, a bold line."""
    out = []
    for line in text.splitlines():
        if line[:2] in ("一、", "二、", "三、", "四、", "五、", "六、") and "\t" not in line:
            line = "## " + line
        out.append(line)
    return "\n".join(out) + "\n**（完）**\n"


def _html(text: str) -> str:
    body = "".join(f"<p>{ln}</p>" if "\t" not in ln else "<p>" + ln.replace("\t", " ") + "</p>"
                   for ln in text.splitlines() if ln.strip())
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


def _mhtml(html: str) -> bytes:
    """A page saved as MHTML: MIME headers, the page quoted-printable in GBK, an image part after it."""
    page = quopri.encodestring(html.encode("gb18030")).decode("ascii")
    img = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(32)).decode("ascii")
    return ("From: <Saved by Blink>\r\nSnapshot-Content-Location: http://example.invalid/r.html\r\n"
            "Subject: =?utf-8?Q?report?=\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/related; type="text/html"; boundary="----MultipartBoundary--x"\r\n\r\n'
            "------MultipartBoundary--x\r\nContent-Type: text/html; charset=gbk\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\nContent-Location: http://example.invalid/r.html\r\n\r\n"
            f"{page}\r\n------MultipartBoundary--x\r\nContent-Type: image/png\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{img}\r\n------MultipartBoundary--x--\r\n").encode("ascii")


def test_every_file_under_a_source_is_loaded_or_listed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    loads = {
        "md/report.md": _markdown(_report("示例县人民政府", seed=1)).encode(),
        "md/report.markdown": _markdown(_report("示例县教育局", seed=2)).encode(),
        "txt/report.text": _report("示例县财政局", seed=3).encode("gb18030"),
        "web/report.xhtml": _html(_report("示例县民政局", seed=4)).encode(),
        "web/report.htm": _html(_report("示例县交通运输局", seed=5)).encode(),
        "web/saved.mht": _mhtml(_html(_report("示例县卫生健康委员会", seed=6))),
        "web/saved.MHTML": _mhtml(_html(_report("示例县自然资源局", seed=7))),
        "odd/report.bak": _report("示例县水利局", seed=8).encode(),  # any other name: read by content
    }
    for name, data in loads.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    listed = {
        "agencies.csv": "reference",  # the build reads it as agency reference data
        "coll/provenance.jsonl": "reference",
        "coll/collect-sources.csv": "reference",
        "data/figures.csv": "data_file",
        "data/figures.json": "data_file",
        "ofd/report.ofd": "unsupported",
        "odd/logo.gif": "unsupported",
        "odd/pack.zip": "unsupported",
    }
    write(src, "agencies.csv", "name,province,city,county,level,kind\n示例县人民政府,示例省,示例市,示例县,county,government\n")
    write(src / "coll", "provenance.jsonl", "")
    write(src / "coll", "collect-sources.csv", "agency,url\n")
    write(src / "data", "figures.csv", "a,b\n1,2\n")
    write(src / "data", "figures.json", '{"a": 1}')
    (src / "ofd").mkdir()
    (src / "ofd" / "report.ofd").write_bytes(b"PK\x03\x04" + bytes(64))
    (src / "odd" / "logo.gif").write_bytes(b"GIF89a" + bytes(16))
    (src / "odd" / "pack.zip").write_bytes(b"PK\x03\x04" + bytes(16))
    (src / "odd" / "blob.dat").write_bytes(bytes(range(256)) * 8)  # read by content: binary, an ingest error

    db = tmp_path / "wh.duckdb"
    build([src], db, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        reports = {Path(p).relative_to(src).as_posix() for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}
        errors = {Path(p).relative_to(src).as_posix(): c for p, c in con.execute("SELECT path, code FROM ingest_errors").fetchall()}
        skipped = {Path(p).relative_to(src).as_posix(): (c, en, zh) for p, c, en, zh in con.execute(
            "SELECT path, code, reason, reason_zh FROM skipped").fetchall()}
    assert reports == set(loads)
    assert {k: v[0] for k, v in skipped.items()} == listed
    assert errors == {"odd/blob.dat": "binary"}
    assert all(code in REASONS and en and zh for code, en, zh in skipped.values())
    assert "OFD" in skipped["ofd/report.ofd"][1]
    everything = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()}
    assert everything == reports | set(errors) | set(skipped)


def test_markdown_marks_are_taken_off_and_mhtml_reads_its_page(tmp_path: Path) -> None:
    md = write(tmp_path, "r.md", _markdown(_report("示例县人民政府")))
    r = parse_file(md)
    assert r.agency == "示例县人民政府" and r.year == 2023
    assert not any("#" in t or "**" in t for t in r.chapters.values())
    page = helpers.render_html()  # a page with the national tables, then the same page saved as MHTML
    html = tmp_path / "r.html"
    html.write_bytes(page)
    mht = tmp_path / "r.mht"
    mht.write_bytes(_mhtml(page.decode("utf-8")))
    direct, saved = parse_file(html), parse_file(mht)
    assert saved.source.kind == "html" and len(saved.cells) > 100
    assert [(c.addr, c.raw) for c in saved.cells] == [(c.addr, c.raw) for c in direct.cells]
    assert saved.agency == direct.agency and saved.chapters.keys() == direct.chapters.keys()


def test_one_list_of_file_kinds() -> None:
    assert {".md", ".markdown", ".text", ".mht", ".mhtml", ".xhtml", ".htm"} <= filekinds.READ_EXTENSIONS
    assert sniff(b"plain words", "x.xhtml") == "html"
    source = (Path(__file__).resolve().parents[1] / "dashboard" / "views" / "upload.py").read_text(encoding="utf-8")
    assert "upload_types()" in source and '"wps", "png"' not in source  # the upload box reads the one list
    assert set(filekinds.upload_types()) >= {"md", "mht", "pdf", "docx", "doc", "wps", "png", "txt", "html"}


def test_downloads_and_wps_names_follow_the_one_list() -> None:
    for mime, ext in filekinds.MIME_EXTENSIONS.items():  # an address without a name: its MIME type decides
        assert ext in filekinds.READ_EXTENSIONS
        assert store.extension("https://x.gov.cn/download?id=1", f"{mime.upper()}; charset=utf-8") == ext
    assert store.extension("https://x.gov.cn/download", "application/vnd.ms-works") == ".wps"
    assert store.extension("https://x.gov.cn/a/report.PDF", "text/html") == ".pdf"
    assert store.extension("https://x.gov.cn/a/", "application/octet-stream") == ".html"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an OLE container without a WordDocument stream
    assert [sniff(ole, f"a{ext}") for ext in filekinds.WPS_EXTENSIONS] == ["doc", "doc"]  # old Works files
    with pytest.raises(ReadError):
        sniff(ole, "a.doc")
