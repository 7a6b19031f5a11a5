"""Telling Big5 (traditional Chinese from Taiwan/Hong Kong tools) from GB18030, which both readers need.

Nearly every Big5 byte pair is also a valid GB18030 pair, so a Big5 file decodes "successfully" as GB18030
into nonsense: punctuation (，。、 are A141-A143) and a sixth of the common characters land in GB18030's
user-defined ranges, i.e. the Private Use Area, and the report's everyday characters never appear. Both
signs are checked on the decoded text; Big5 is only tried when GB18030 shows them, so GBK pages (the usual
non-UTF-8 case) pay one regex scan.
"""

from __future__ import annotations

import re

_SAMPLE = 8000  # characters: the signs show in any stretch of a report
_PUA = re.compile("[\ue000-\uf8ff]")
_CJK = re.compile("[\u4e00-\u9fff]")
# Characters frequent in every report and written alike in simplified and traditional script: about a
# third of a real report's ideographs, practically none of a mis-decoded one.
_FREQUENT = re.compile("[的一是不在人有中大上以年和政府公信息申工作本度日月部依法第件及其他情理行主要布全市予提供收到受]")
BIG5_CODECS = ("cp950", "big5hkscs")  # cp950: Big5 with Microsoft's additions; then the Hong Kong set


def _counts(text: str) -> tuple[int, int, int]:
    """(ideographs, private-use characters, frequent characters) in the text's first part."""
    s = text[:_SAMPLE]
    return len(_CJK.findall(s)), len(_PUA.findall(s)), len(_FREQUENT.findall(s))


def looks_misread(text: str) -> bool:
    """Chinese text decoded with the wrong codec (private-use characters, no everyday characters)."""
    cjk, pua, hits = _counts(text)
    return pua > max(2, (cjk + pua) // 200) or (cjk >= 30 and hits < cjk * 0.05)


def decode_strict(data: bytes, enc: str) -> str | None:
    """Strict decode; a file cut off mid-character (last 3 bytes) is still accepted."""
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3:
            return data.decode(enc, errors="replace")
        return None
    except LookupError:  # an encoding name Python does not know
        return None


def big5_instead(data: bytes, gb_text: str | None) -> tuple[str, str] | None:
    """(text, codec) when the bytes read as sensible Big5 Chinese, better than their GB18030 reading."""
    gb_score = -1 << 30
    if gb_text is not None:
        _, pua, hits = _counts(gb_text)
        gb_score = hits - pua
    for enc in BIG5_CODECS:
        text = decode_strict(data, enc)
        if text is None:
            continue
        cjk, pua, hits = _counts(text)
        if hits - pua > gb_score and hits >= cjk * 0.1 and cjk > 0:
            return text, enc
        return None  # valid Big5 that does not read better: a second Big5 flavour will not either
    return None


def decode_lenient(data: bytes, encodings: tuple[str, ...] = ("utf-8", "gb18030")) -> tuple[str, str] | None:
    """(text, encoding) of bytes that are mostly one encoding with a few broken bytes (a damaged download,
    pages stitched from fragments), the broken ones replaced. Raises ReadError "corrupt" when the closest
    encoding leaves up to a tenth of the text unreadable (damage, not another encoding); None when no
    encoding comes that close."""
    best: tuple[int, str, str] | None = None
    for enc in encodings:
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, enc)
    if best is None:
        return None
    bad, text, enc = best
    if bad <= max(8, len(text) // 200):
        return text, enc
    if bad <= len(text) // 10 and not looks_binary(data):
        from etl.document import ReadError

        raise ReadError("corrupt", f"damaged text: {bad} characters unreadable")
    return None


_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def looks_binary(data: bytes) -> bool:
    """Bytes no text encoding gives: C0 controls (tab, line breaks, form feed and escape aside) in more
    than 5% of the first 64 KiB (random bytes hold 10%)."""
    sample = data[:65536]
    return len(_BINARY_BYTES.findall(sample)) > max(8, len(sample) // 20)
