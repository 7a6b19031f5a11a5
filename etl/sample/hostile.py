"""Word documents that point outside themselves, for the converter's tests and bench/fuzz.py.

`linked_docx(url, folder)` writes a small .docx whose every kind of outside reference a Word reader may
follow points either at `url` (a recording server on loopback, in the tests) or at files in `folder`
(FIFOs in the tests, so that opening one is seen): a linked picture (r:link), a picture whose relationship
is external, a VML picture, a picture that is a hyperlink, INCLUDEPICTURE, INCLUDETEXT and LINK fields, an
OLE object linked to a sheet, a sub-document, an altChunk and an attached template. A safe conversion
fetches none of them and opens none of the files. `FOLDER_FILES` are the names it expects in `folder`.
`slow_docx(rows)` is a plain table LibreOffice takes seconds to convert, to catch a conversion midway;
`tall_png()` a small image that decodes to hundreds of MB (upload previews under a memory budget).
`RequestRecorder()` is the recording server on loopback those links point at.
"""

from __future__ import annotations

import http.server
import io
import struct
import threading
import zipfile
import zlib

# a 1 × 1 PNG, embedded so that the picture that is a hyperlink has something to show
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                     "0000000d4944415478da63fccfc0500f000485018084a98c210000000049454e44ae426082")
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       f'xmlns:r="{_R}" '
       'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
       'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
_GRID_COL = '<w:gridCol w:w="1000"/>'
FOLDER_FILES = ("linked.png", "picture.png", "included.txt")


def _drawing(n: int, attr: str, rid: str, click: str = "") -> str:
    return (f'<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="{n}" name="p{n}">'
            f'{click}</wp:docPr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
            f'picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="p{n}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip {attr}="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm>'
            '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def _field(instr: str, shown: str = "x") -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} '
            f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _rels(items: list[tuple[str, str, str, bool]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{_R}/{t}" Target="{target}"'
                   + (' TargetMode="External"/>' if external else "/>") for i, t, target, external in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{body}</Relationships>')


def linked_docx(url: str, folder: str) -> bytes:
    """A .docx whose outside references point at `url` (no trailing slash) and at files in `folder`."""
    folder = folder.rstrip("/")
    click = '<a:hlinkClick r:id="rClick"/>'
    paras = [
        '<w:p><w:r><w:t>outside references</w:t></w:r></w:p>',
        f'<w:p>{_drawing(1, "r:link", "rLinked")}</w:p>',
        f'<w:p>{_drawing(2, "r:link", "rLinkedFile")}</w:p>',
        f'<w:p>{_drawing(3, "r:embed", "rExternal")}</w:p>',
        f'<w:p><w:hyperlink r:id="rClick">{_drawing(4, "r:embed", "rPng", click)}</w:hyperlink></w:p>',
        *(f"<w:p>{_field(instr)}</w:p>" for instr in (
            f"INCLUDEPICTURE &quot;{url}/includepicture.png&quot; " + "\\d",
            f"INCLUDEPICTURE &quot;{folder}/picture.png&quot; " + "\\d",
            f"INCLUDETEXT &quot;{url}/includetext.txt&quot;",
            f"INCLUDETEXT &quot;{folder}/included.txt&quot;",
            f"LINK Excel.Sheet.8 &quot;{url}/link.xls&quot; &quot;Sheet1!R1C1&quot; " + "\\a \\p")),
        '<w:p><w:r><w:pict><v:shape id="s1" style="width:10pt;height:10pt"><v:imagedata r:id="rVml" o:title=""/>'
        '</v:shape></w:pict></w:r></w:p>',
        '<w:p><w:r><w:object><v:shape id="ole1" style="width:10pt;height:10pt"><v:imagedata r:id="rPng" '
        'o:title=""/></v:shape><o:OLEObject Type="Link" ProgID="Excel.Sheet.8" ShapeID="ole1" '
        'DrawAspect="Content" r:id="rOle" UpdateMode="Always"><o:LinkType>EnhancedMetaFile</o:LinkType>'
        '</o:OLEObject></w:object></w:r></w:p>',
        '<w:subDoc r:id="rSub"/>',
        '<w:altChunk r:id="rAlt"/>',
    ]
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}><w:body>'
                f'{"".join(paras)}<w:sectPr/></w:body></w:document>')
    rels = _rels([("rLinked", "image", f"{url}/linked.png", True),
                  ("rLinkedFile", "image", f"file://{folder}/linked.png", True),
                  ("rExternal", "image", f"{url}/external.png", True),
                  ("rClick", "hyperlink", f"{url}/clicked.html", True),
                  ("rPng", "image", "media/image1.png", False),
                  ("rVml", "image", f"{url}/vml.png", True),
                  ("rOle", "oleObject", f"{url}/ole.xls", True),
                  ("rSub", "subDocument", f"{url}/subdocument.docx", True),
                  ("rAlt", "aFChunk", f"{url}/altchunk.html", True),
                  ("rSettings", "settings", "settings.xml", False)])
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" '
             'ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/'
             'settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
             'settings+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", _rels([("r1", "officeDocument", "word/document.xml", False)]))
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", rels)
        z.writestr("word/settings.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:settings {_NS}>'
                                        '<w:attachedTemplate r:id="rTemplate"/></w:settings>')
        z.writestr("word/_rels/settings.xml.rels",
                   _rels([("rTemplate", "attachedTemplate", f"{url}/template.dotm", True)]))
        z.writestr("word/media/image1.png", _PNG)
    return out.getvalue()


def slow_docx(rows: int) -> bytes:
    """A .docx of one plain table, `rows` × 8 numbers: small, yet LibreOffice takes seconds to convert it
    once saved as .doc (500 rows: about 10 s on a CI core; 3000 rows: past the converter's limit)."""
    cells = "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{r * 8 + c}</w:t></w:r></w:p></w:tc>"
                                       for c in range(8)) + "</w:tr>" for r in range(rows))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}><w:body><w:tbl>'
                f'<w:tblGrid>{_GRID_COL * 8}</w:tblGrid>{cells}</w:tbl><w:sectPr/></w:body>'
                '</w:document>')
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/'
             'word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
             'document.main+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", _rels([("r1", "officeDocument", "word/document.xml", False)]))
        z.writestr("word/document.xml", document)
    return out.getvalue()


def tall_png(height: int = 60_000_000) -> bytes:
    """A 1 × `height` white PNG, a few hundred KB: at the readers' pixel cap by default (etl.readers.limits
    MAX_IMAGE_PIXELS), so it is decoded and costs its parse hundreds of MB before it is refused."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    rows = b"\x00\xff\xff\xff" * 1_000_000  # filter byte + one RGB pixel, a million rows at a time
    body = [packer.compress(rows) for _ in range(height // 1_000_000)]
    body.append(packer.compress(b"\x00\xff\xff\xff" * (height % 1_000_000)))
    body.append(packer.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", b"".join(body)) + chunk(b"IEND", b""))


class RequestRecorder(http.server.ThreadingHTTPServer):
    """A web server on 127.0.0.1 (a free port) that answers every request empty and records it while `armed`
    ("METHOD path (User-Agent)"), serving from a daemon thread from the start; `close()` stops it."""

    daemon_threads = True

    def __init__(self, armed: bool = True) -> None:
        self.seen: list[str] = []
        self.armed = armed
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                if recorder.armed:
                    recorder.seen.append(f"{self.command} {self.path} ({self.headers.get('User-Agent')})")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_HEAD = do_OPTIONS = do_POST = do_PROPFIND = _answer

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
