"""A file form is one entry in etl/filekinds.py plus its reader: the readers dispatch on the registry, and a
kind's own content test comes before the built-in ones (docs/adding-a-file-form.md walks through it)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from etl import filekinds
from etl.readers import read_document, sniff

# The reader a new form would bring, written here as a module of its own: a made-up form whose files open
# with a ZIP signature (as OFD does), which the built-in sniffing would refuse as "a ZIP that is not .docx".
FORM = '''
from etl.document import Document, Paragraph, ReadError

MAGIC = b"PK\\x03\\x04SAMPLEFORM"


def matches(data: bytes, name: str) -> bool:
    return data.startswith(MAGIC)


def read(data: bytes, name: str) -> Document:
    text = data[len(MAGIC):].decode("utf-8").strip()
    if not text:
        raise ReadError("empty")
    return Document(kind="sampleform", blocks=[Paragraph(line) for line in text.splitlines()])
'''


@pytest.fixture
def with_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    (tmp_path / "sampleform_reader.py").write_text(FORM, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = filekinds.FileKind("sampleform", "样例版式", "sample form", (".sform",),
                               reader="sampleform_reader:read", sniffer="sampleform_reader:matches")
    monkeypatch.setattr(filekinds, "READ_KINDS", (*filekinds.READ_KINDS, entry))
    return b"PK\x03\x04SAMPLEFORM" + "样例某某局2023年政府信息公开工作年度报告\n一、总体情况\n".encode()


def test_a_new_form_is_one_entry_and_its_reader(with_form: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.sform"
    path.write_bytes(with_form)
    assert sniff(with_form, path.name) == "sampleform"
    doc = read_document(path)
    assert doc.kind == "sampleform"
    assert [b.text for b in doc.blocks] == ["样例某某局2023年政府信息公开工作年度报告", "一、总体情况"]


def test_without_its_entry_the_same_bytes_are_refused_as_before(with_form: bytes) -> None:
    from etl.document import ReadError

    filekinds.READ_KINDS = tuple(k for k in filekinds.READ_KINDS if k.kind != "sampleform")
    with pytest.raises(ReadError) as e:
        sniff(with_form, "report.sform")
    assert e.value.code in ("corrupt", "unsupported")


def test_every_kind_read_names_a_reader_that_exists() -> None:
    for k in filekinds.READ_KINDS:
        module, _, name = k.reader.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), k
        assert not k.sniffer  # the built-in kinds are told apart by etl.readers.sniff itself
    assert [k.kind for k in filekinds.READ_KINDS if k.scans] == ["pdf", "image"]
