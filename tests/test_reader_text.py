"""Text reader: decoding (UTF-8, GB18030, Big5, UTF-16 without BOM, damaged bytes) and its reason codes."""

from __future__ import annotations

import helpers as R
import pytest

from etl.document import ReadError
from etl.readers.text import decode, read_text


def _report() -> str:
    return R.render("a")


def test_gb18030_and_utf8_decode_as_before():
    text = _report()
    assert decode(text.encode("utf-8")) == text
    assert decode(text.encode("gb18030")) == text


def test_big5_text_is_decoded_and_folded_to_simplified():
    import opencc

    traditional = opencc.OpenCC("s2tw").convert(_report())
    data = traditional.encode("cp950")
    assert decode(data) == traditional
    doc = read_text(data)
    assert doc.meta.get("script") == "traditional" and doc.tables()


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognized(enc):
    text = _report()
    assert decode(text.encode(enc)) == text


def test_a_few_zeroed_stretches_are_dropped():
    data = bytearray(_report().encode("utf-8"))
    data[100:400] = bytes(300)
    assert "\x00" not in decode(bytes(data))


def test_a_few_broken_bytes_are_replaced():
    data = bytearray(_report().encode("utf-8"))
    data[500] ^= 0x40  # one flipped bit: no longer strict UTF-8
    assert "\ufffd" in decode(bytes(data))


@pytest.mark.parametrize("data, code", [
    (bytes(range(256)) * 40, "binary"),
    (bytes(1000), "empty"),
    (bytes(range(1, 32)) * 100, "binary"),
    ("\n".join(f"- {i} -" for i in range(1, 30)).encode(), "empty"),
])
def test_reason_codes(data, code):
    with pytest.raises(ReadError) as e:
        read_text(data)
    assert e.value.code == code, str(e.value)


def test_heavily_damaged_text_is_corrupt_not_an_unknown_encoding():
    import random

    data = bytearray(_report().encode("utf-8"))
    rng = random.Random(1)
    for i in rng.sample(range(len(data)), len(data) // 30):
        data[i] = rng.randrange(0x80, 0x100)
    with pytest.raises(ReadError) as e:
        read_text(bytes(data))
    assert e.value.code == "corrupt" and e.value.detail.startswith("damaged text:")


def test_text_over_the_size_limit_is_refused_before_decoding():
    data = b"x" * (20 * 1024 * 1024 + 1)
    with pytest.raises(ReadError, match=r"^file over the size limit: limit 20 MB, file 21 MB$") as e:
        read_text(data)
    assert e.value.code == "too_large"
