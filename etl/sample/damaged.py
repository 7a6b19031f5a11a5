"""Damaged and hostile files for fuzz tests of the readers, derived from good generated reports.

`write_damaged` takes reports made by the sample generator (every rendering: HTML, GBK HTML, the six text
renderings, PDF, DOCX) and breaks them the ways files break in the wild — cut off during a download, bits
flipped, ranges overwritten or zeroed, a wrong extension — plus hand-made hostile files: zip bombs, an
HTML span bomb, billion-laughs XML, deep nesting, binary garbage, other encodings. Every file must either
parse or be refused with a ReadError code, fast; `write_good` writes intact reports to mix in.

Generation is cheap (n=300 in well under a few seconds): the zip bomb's compressed stream is one deflate
block repeated, written into a ZIP by hand, so nothing ever inflates or compresses a gigabyte here.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from etl.sample import corpus
from etl.sample.population import build_population
from etl.sample.truth import RENDERINGS, AgencyPlan

ALL_RENDERINGS = tuple(r for rs in RENDERINGS.values() for r in rs)
_EXTS = {"html": (".html", ".htm"), "text": (".txt", ""), "pdf": (".pdf",), "docx": (".docx",)}
BOMB_GIB = 1  # the zip bomb's document.xml inflates to this many GiB
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- good reports -------------------------------------------------------------------------------------

def _good(seed: int, count: int) -> list[tuple[str, str, bytes]]:
    """`count` good reports (rendering, kind, bytes), cycling through every rendering, each of another
    agency-year, so no two are the same file (a build loads identical files once)."""
    specs = []
    agencies = max(2, count // 2 + 1)
    while len(specs) < count:
        population = build_population(agencies, seed)
        specs = [s for a in population for s in AgencyPlan(a, seed, [2022, 2023], list(corpus.KINDS)).reports()]
        agencies *= 2  # years an agency did not publish leave fewer reports than agency-years
    out: list[tuple[str, str, bytes]] = []
    for i in range(count):
        rendering = ALL_RENDERINGS[i % len(ALL_RENDERINGS)]
        out.append((rendering, corpus.kind_of(rendering), corpus.render(specs[i], rendering)))
    return out


def write_good(out_dir: Path, n: int, seed: int = 0) -> list[Path]:
    """Write `n` intact generated reports of every kind (the rendering is in each file's name)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    rng = random.Random(f"good/{seed}")
    for i, (rendering, kind, data) in enumerate(_good(2 * seed, n)):  # (write_damaged draws on odd seeds)
        path = out_dir / f"good-{i:04d}-{rendering}{rng.choice(_EXTS[kind])}"
        path.write_bytes(data)
        files.append(path)
    return files


# --- ZIP building -------------------------------------------------------------------------------------

def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate, as ZIP stores it
    return c.compress(data) + c.flush()


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP archive from (name, raw deflate stream, CRC-32, uncompressed size) written by hand, so the
    header may state any size and the stream may inflate to anything."""
    body, central = bytearray(), bytearray()
    for name, comp, crc, size in entries:
        raw = name.encode()
        offset = len(body)
        # local header: version, flags, method 8 (deflate), time, date, crc, sizes, name length, extra length
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(comp), size, len(raw), 0)
        body += raw + comp
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(comp), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return bytes(body + central + end)


def _members(docx: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(docx))
    return {name: z.read(name) for name in z.namelist()}


def _repack(members: dict[str, bytes]) -> bytes:
    return _zip([(name, _deflate(data), zlib.crc32(data), len(data)) for name, data in members.items()])


@lru_cache(maxsize=1)
def _bomb_stream() -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of a document.xml of BOMB_GIB GiB: a real opening, a body of
    blanks, a real closing. After a full flush the compressor starts afresh, so one compressed MiB of
    blanks is the same bytes every time and is simply repeated (1 GiB costs 1 MB and a CRC pass)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W_NS}"><w:body>'.encode()
    tail = b"<w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>"
    chunk = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    n = BOMB_GIB * 1024
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return first + block * n + last, crc, len(head) + n * len(chunk) + len(tail)


def zip_bomb(docx: bytes, lying: bool = False) -> bytes:
    """The DOCX with its document.xml replaced by a stream inflating to BOMB_GIB GiB. `lying`: the ZIP
    headers state the original small size and CRC, so only a bounded read notices the difference."""
    members = _members(docx)
    original = members.pop("word/document.xml")
    stream, crc, size = _bomb_stream()
    entries = [(name, _deflate(data), zlib.crc32(data), len(data)) for name, data in members.items()]
    if lying:
        entries.append(("word/document.xml", stream, zlib.crc32(original), len(original)))
    else:
        entries.append(("word/document.xml", stream, crc, size))
    return _zip(entries)


def _document_xml(body: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<w:document xmlns:w="{_W_NS}"><w:body>{body}</w:body></w:document>').encode()


def billion_laughs(docx: bytes) -> bytes:
    """Entities each expanding to ten of the previous one: 10^9 copies of 'lol' from under 1 KB."""
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE w:document [{''.join(ents)}]>"
    members = _members(docx)
    members["word/document.xml"] = _document_xml("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", doctype)
    return _repack(members)


def grid_span_bomb(docx: bytes) -> bytes:
    """Table cells claiming to span two billion grid columns each."""
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    members = _members(docx)
    members["word/document.xml"] = _document_xml("<w:tbl>" + f"<w:tr>{cell * 50}</w:tr>" * 50 + "</w:tbl>")
    return _repack(members)


def deep_docx(docx: bytes, depth: int = 400) -> bytes:
    """Tables nested in table cells, deeper than any XML parser should follow."""
    body = "<w:tbl><w:tr><w:tc>" * depth + "<w:p><w:r><w:t>x</w:t></w:r></w:p>" + "</w:tc></w:tr></w:tbl>" * depth
    members = _members(docx)
    members["word/document.xml"] = _document_xml(body)
    return _repack(members)


def span_bomb_html(rows: int = 460) -> bytes:
    """23 KB of HTML whose colspan/rowspan values would expand to about 10^8 grid positions: each row
    starts right of every cell spanning down from above."""
    cells = "".join('<tr><td colspan="1000" rowspan="65534">x</td></tr>' for _ in range(rows))
    return f"<html><body><table>{cells}</table></body></html>".encode()


def deep_html(depth: int = 100_000) -> bytes:
    return ("<html><body>" + "<div>" * depth + "深" + "</div>" * depth + "</body></html>").encode()


def big5(text_or_html: bytes) -> bytes:
    """A UTF-8 report converted to traditional characters (Taiwan standard) and encoded as Big5, its
    charset declaration dropped: what tools in Taiwan and Hong Kong save."""
    import opencc

    text = text_or_html.decode("utf-8")
    for decl in ('<meta charset="utf-8">', 'charset="utf-8"', "charset=utf-8"):
        text = text.replace(decl, "")
    return opencc.OpenCC("s2tw").convert(text).encode("cp950", errors="replace")


# --- random damage ------------------------------------------------------------------------------------

Damage = Callable[[random.Random, bytes], tuple[bytes, str]]


def _truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    cut = rng.randrange(1, len(data))
    return data[:cut], f"truncated at {cut} of {len(data)} bytes"


def _truncate_head(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    cut = rng.randrange(1, len(data) // 2)
    return data[cut:], f"first {cut} bytes missing"


def _bit_flips(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = bytearray(data)
    k = rng.choice((1, 3, 10, 50, 300))
    for _ in range(k):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out), f"{k} bits flipped"


def _random_run(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    start = rng.randrange(len(data))
    length = min(len(data) - start, rng.choice((16, 256, 4096, 65536)))
    out = bytearray(data)
    out[start:start + length] = rng.randbytes(length)
    return bytes(out), f"{length} random bytes at {start}"


def _zeroed(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    start = rng.randrange(len(data))
    length = min(len(data) - start, rng.choice((16, 512, 8192, 1 << 20)))
    out = bytearray(data)
    out[start:start + length] = bytes(length)
    return bytes(out), f"{length} bytes zeroed at {start}"


def _inserted(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randrange(len(data))
    junk = rng.randbytes(rng.choice((1, 7, 300)))
    return data[:at] + junk + data[at:], f"{len(junk)} random bytes inserted at {at}"


def _spliced(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A download resumed at the wrong offset: a stretch repeated."""
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randrange(1, 4096))
    return data[:b] + data[a:], f"bytes {a}-{b} repeated"


DAMAGES: tuple[Damage, ...] = (_truncate, _truncate_head, _bit_flips, _random_run, _zeroed, _inserted, _spliced)


def _inner_damage(damage: Damage, rng: random.Random, docx: bytes) -> tuple[bytes, str]:
    members = _members(docx)
    members["word/document.xml"], what = damage(rng, members["word/document.xml"])
    return _repack(members), f"document.xml {what}"


def _expanded_pdf(pdf: bytes) -> bytes:
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return doc.tobytes(expand=255)


# --- the damaged set ------------------------------------------------------------------------------------

def _specials(rng: random.Random, good: list[tuple[str, str, bytes]]) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, what damage) of the hand-made hostile files."""
    def first(rendering: str) -> bytes:
        return next(d for r, _, d in good if r == rendering)

    docx, pdf, html, text = first("docx"), first("pdf"), first("html"), first("text-a")
    no_body = _members(docx)
    del no_body["word/document.xml"]
    utf16 = text.decode("utf-8")
    big_text = text * (21 * 1024 * 1024 // len(text) + 1)
    big_html = html.replace(b"</body>", b"<p>" + b"\xe5\xa1\xab" * (7 * 1024 * 1024) + b"</p></body>")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + rng.randbytes(4096)
    return [
        ("zip-bomb.docx", zip_bomb(docx), f"zip bomb: document.xml declared and inflating to {BOMB_GIB} GiB"),
        ("zip-bomb-lying.docx", zip_bomb(docx, lying=True),
         f"zip bomb: headers state the original size, stream inflates to {BOMB_GIB} GiB"),
        ("billion-laughs.docx", billion_laughs(docx), "billion-laughs entities in document.xml"),
        ("gridspan-bomb.docx", grid_span_bomb(docx), "DOCX table cells with gridSpan 2000000000"),
        ("deep-tables.docx", deep_docx(docx), "DOCX tables nested 400 deep"),
        ("no-document.docx", _repack(no_body), "ZIP with word/document.xml removed"),
        ("not-docx.docx", _repack({"hello.txt": b"hi"}), "a ZIP archive that is no Word document"),
        ("span-bomb.html", span_bomb_html(), "HTML colspan/rowspan bomb (23 KB)"),
        ("deep.html", deep_html(), "100000 nested <div>"),
        ("deep-tables.htm", b"<table><tr><td>" * 5000 + b"x", "5000 nested unclosed tables"),
        ("big5.txt", big5(text), "Big5 text (traditional characters)"),
        ("big5.html", big5(html), "Big5 HTML page without a charset declaration"),
        ("utf16le.txt", utf16.encode("utf-16-le"), "UTF-16LE text without a BOM"),
        ("utf16be", utf16.encode("utf-16-be"), "UTF-16BE text without a BOM, no extension"),
        ("utf16-odd.txt", b"\xff\xfe" + utf16.encode("utf-16-le")[:-1], "UTF-16 with a BOM, last byte missing"),
        ("empty.html", b"", "empty file"),
        ("blank.txt", b" \r\n\t\r\n", "whitespace only"),
        ("nul.txt", bytes(65536), "64 KiB of NUL bytes"),
        ("nul-ext", bytes(100), "NUL bytes, no extension"),
        ("garbage.txt", rng.randbytes(50_000), "random bytes named .txt"),
        ("garbage", rng.randbytes(50_000), "random bytes, no extension"),
        ("garbage.pdf", b"%PDF-1.7\n" + rng.randbytes(20_000), "PDF header then random bytes"),
        ("garbage.docx", b"PK\x03\x04" + rng.randbytes(20_000), "ZIP signature then random bytes"),
        ("garbage.html", b"<html><body>" + rng.randbytes(20_000), "HTML start then random bytes"),
        ("legacy.doc.docx", ole, "OLE container with no Word stream (no .doc inside), named .docx"),
        ("encrypted.docx", ole + "EncryptedPackage".encode("utf-16-le"), "password-protected Word (OLE)"),
        ("pdf-as.txt", pdf, "good PDF named .txt"),
        ("docx-as.html", docx, "good DOCX named .html"),
        ("html-as.pdf", html, "good HTML named .pdf"),
        ("text-as.docx", text, "good text named .docx"),
        ("control.txt", bytes(range(1, 32)) * 500, "control characters only"),
        ("page-numbers.txt", "\n".join(f"- {i} -" for i in range(1, 40)).encode(), "page numbers only"),
        ("images-only.html", b"<html><body><img src='p1.png'><img src='p2.png'></body></html>",
         "HTML page made of images"),
        ("too-large.txt", big_text, "text over 20 MB"),
        ("too-large.html", big_html, "HTML over 20 MB"),
    ]


def write_damaged(out_dir: Path, n: int, seed: int = 0) -> list[tuple[Path, str]]:
    """Write at least `n` damaged files (every kind the readers take: .html, .htm, .txt, .pdf, .docx and
    no extension); returns (path, what damage)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"damaged/{seed}")
    # other reports than write_good's for any seed: the intact ones among these files (a good report under
    # a wrong extension) are then never copies of those
    good = _good(2 * seed + 1, 2 * len(ALL_RENDERINGS))
    # PDFs with their streams inflated: damage then lands in page content and fonts, not only in deflate
    sources = good + [("pdf-expanded", "pdf", _expanded_pdf(d)) for r, _, d in good if r == "pdf"]
    files: list[tuple[Path, str]] = []

    def write(name: str, data: bytes, what: str) -> None:
        path = out_dir / f"{len(files):04d}-{name}"
        path.write_bytes(data)
        files.append((path, what))

    for name, data, what in _specials(rng, good):
        write(name, data, what)
    i = 0
    while len(files) < n:
        rendering, kind, data = sources[i % len(sources)]
        damage = DAMAGES[(i // len(sources)) % len(DAMAGES)] if i < len(sources) * len(DAMAGES) else rng.choice(DAMAGES)
        if kind == "docx" and rng.random() < 0.5:  # an intact ZIP around damaged XML
            broken, what = _inner_damage(damage, rng, data)
        else:
            broken, what = damage(rng, data)
        ext = rng.choice(_EXTS[kind]) if rng.random() < 0.9 else rng.choice(("", ".htm", ".txt"))
        write(f"{rendering}-{damage.__name__.strip('_')}{ext}", broken, f"{rendering}: {what}")
        i += 1
    return files
